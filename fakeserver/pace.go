package fakeserver

import (
	"context"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/identity"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// paceBatch is how many queued messages a playback sends at once at most.
const paceBatch = 64

// paceQuantum is the span of due times one write holds (a frame goes out up to the quantum
// plus paceLead before its due time), so that frames due close together leave in one write
// (each write costs a system call here, and as many again in every proxy on the way and in
// the client, and wakes every goroutine on the way): a quarter of the send-ahead, at most
// 500 ms; nothing early for a client that asked no buffer. Measured with 1,000 players of a
// 2 s buffer: 500 ms rather than 100 ms took a third of the CPU off.
func paceQuantum(ahead time.Duration) time.Duration { return min(ahead/4, maxPaceQuantum) }

// maxPaceQuantum bounds paceQuantum for long buffers.
const maxPaceQuantum = 500 * time.Millisecond

// paceLead is how long before its due time the first frame of a write leaves: a quarter of
// the quantum (125 ms for a 2 s buffer), nothing for a client that asked no buffer. Sent at
// its due time itself, that frame was late whenever anything on its way waited for the CPU:
// beside a CPU hog, 2,000 players' paced frames were late 60-169 ms at p99 (4 runs), and 0 ms
// with the lead (3 runs); quiet, 6-10 ms against 0.
func paceLead(ahead time.Duration) time.Duration { return paceQuantum(ahead) / 4 }

// paceSleep is how long a playback waits, now, before it queues the frame due at due (its turn
// less the send-ahead): nothing when that is within the quantum and the lead (the frame joins
// those queued before it), else until the lead before its due time. So a write holds a
// quantum's worth of frames, and each leaves between the lead and the quantum plus the lead
// before its due time.
func paceSleep(due, now time.Time, ahead time.Duration) time.Duration {
	lead := paceLead(ahead)
	if wait := due.Sub(now); wait > paceQuantum(ahead)+lead {
		return wait - lead
	}
	return 0
}

// pace waits until a frame whose real-time turn is at may go out (paceSleep), what is queued
// sent first. While the server-side stall holds nothing is sent (the socket stays open).
func (ss *session) pace(ctx context.Context, ns *netStream, at time.Time) error {
	c, clk := ss.conn, ss.srv.clk
	ahead := ss.srv.ahead(ns)
	if wait := paceSleep(at.Add(-ahead), clk.Now(), ahead); wait > 0 {
		if err := c.Flush(ctx); err != nil {
			return err
		}
		if err := clock.Sleep(ctx, clk, wait); err != nil {
			return err
		}
	}
	for ss.srv.mediaStalled() {
		if err := c.Flush(ctx); err != nil {
			return err
		}
		if err := clock.Sleep(ctx, clk, 20*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// queueFrame queues the audio and video of step s's frame, and sends what is queued once it
// reaches paceBatch messages.
func (ss *session) queueFrame(ctx context.Context, sid uint32, s step) error {
	c, ts, tags := ss.conn, ms(s.st), ss.srv.tags.tags(s.it.spec, s.i)
	if _, err := c.Queue(ctx, rtmpconn.CSIDAudio, ts, sid, byte(message.TypeIDAudioMessage), tags.audio); err != nil {
		return err
	}
	n, err := c.Queue(ctx, rtmpconn.CSIDVideo, ts, sid, byte(message.TypeIDVideoMessage), tags.video)
	if err == nil && n >= paceBatch {
		err = c.Flush(ctx)
	}
	return err
}

// FrameDue is when a playback meant one of its video frames to leave: a measure of lateness
// that frames sent early on purpose (paceQuantum) do not distort.
type FrameDue struct {
	// Declared is who the connection said it was in its connect command.
	Declared identity.Identity
	// StreamTime is the frame's stream time (its RTMP timestamp).
	StreamTime time.Duration
	// Due is the frame's turn less the send-ahead the client asked for, or the playback's
	// start when that is earlier (Burst).
	Due time.Time
	// Burst says the frame was part of the playback's initial burst (sent as fast as the
	// connection takes it, not at a pace).
	Burst bool
}

// noteDue tells Config.OnFrameDue, when set, when the frame of stream time st, whose turn is
// at in a playback that began at start, was due.
func (ss *session) noteDue(ns *netStream, st time.Duration, start, at time.Time) {
	f := ss.srv.cfg.OnFrameDue
	if f == nil {
		return
	}
	due := at.Add(-ss.srv.ahead(ns))
	burst := !due.After(start)
	if burst {
		due = start
	}
	f(FrameDue{Declared: ss.declared, StreamTime: st.Truncate(time.Millisecond), Due: due, Burst: burst})
}
