package fakeserver

import (
	"context"
	"sync"
	"time"
)

// DefaultRelayWindow is how long the live relay may hold a player's media by default.
const DefaultRelayWindow = 40 * time.Millisecond

// relayBatch is how many queued messages make the relay send at once, whatever the window.
const relayBatch = 32

// batcher holds the media the relay queued for a live stream's players and sends it within
// the relay window, several messages per system call: fewer calls for up to a window's
// latency (nginx-rtmp does not hold media: strace shows one sendto(2) per chunk). Anything
// else the server writes to a player sends its queued media first, so order is kept.
type batcher struct {
	window time.Duration
	mu     sync.Mutex
	dirty  map[liveSub]struct{}
	timer  *time.Timer
}

// send relays one media message to a player: queued within the window, sent once relayBatch
// are queued. A player whose connection fails is closed (it cannot keep up).
func (b *batcher) send(ctx context.Context, sub liveSub, csid int, ts uint32, typeID byte, body []byte) {
	c := sub.ss.conn
	if b.window <= 0 {
		if err := c.WriteRaw(ctx, csid, ts, sub.sid, typeID, body); err != nil {
			_ = c.Close()
		}
		return
	}
	n, err := c.Queue(ctx, csid, ts, sub.sid, typeID, body)
	switch {
	case err != nil:
		_ = c.Close()
	case n >= relayBatch:
		if err := c.Flush(ctx); err != nil {
			_ = c.Close()
		}
	default:
		b.mu.Lock()
		if b.dirty == nil {
			b.dirty = map[liveSub]struct{}{}
		}
		b.dirty[sub] = struct{}{}
		if b.timer == nil {
			b.timer = time.AfterFunc(b.window, b.flush)
		}
		b.mu.Unlock()
	}
}

// flush sends every player's queued media, each bounded by its connection's own write
// timeout (a slow player costs the others nothing but the wait).
func (b *batcher) flush() {
	b.mu.Lock()
	dirty := b.dirty
	b.dirty, b.timer = nil, nil
	b.mu.Unlock()
	for sub := range dirty {
		if err := sub.ss.conn.Flush(context.Background()); err != nil {
			_ = sub.ss.conn.Close()
		}
	}
}
