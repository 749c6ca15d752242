// Package wiretap is a transparent TCP relay in front of a route that watches the RTMP
// session crossing it in both directions: what a client program we did not write really
// sent (connect, play, play2, publish with their arguments) and really received (statuses,
// media timestamps, bytes) before its connection was lost. It is the evidence the harness
// judges an external client by. Bytes are relayed unchanged whatever the watcher makes of
// them; a direction that stops being RTMP is reported once and relayed on unwatched.
package wiretap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// Event kinds.
const (
	KindConnect  = "connect"  // a connection was accepted (Err: the upstream could not be reached)
	KindCommand  = "command"  // the client sent a command: Name, Stream, Start, Offset, Transition
	KindStatus   = "status"   // the server sent an onStatus: Code
	KindMedia    = "media"    // the first media message of a run: Dir, Media (its timestamp)
	KindBytes    = "bytes"    // a sample of the connection's byte counters: Up, Down
	KindClose    = "close"    // the connection ended: ClosedBy, Dir and Media (its media's last), Up, Down
	KindJump     = "jump"     // a track's timestamps went back or leapt: Dir, Name (track), Prev, Media, Code
	KindReached  = "reached"  // media first reached one of Config.Marks: Dir, Media (the mark)
	KindUnparsed = "unparsed" // a direction stopped being readable as RTMP (Err); relayed on
)

// Directions.
const (
	Up   = "up"   // client to server
	Down = "down" // server to client
)

// Who ended a connection.
const (
	ByClient = "client" // the client closed it (or stopped taking bytes)
	ByServer = "server" // the far side: the route's network or the server
	ByTap    = "tap"    // the tap itself, closing at the end of a run

	// Reset is the Err of a KindClose whose connection was reset (a TCP RST, relayed as one).
	Reset = "connection reset"
)

// Event is one observation of the tap.
type Event struct {
	// Time is when it was seen.
	Time time.Time
	// Conn numbers the tap's connections from 1, in the order they were accepted.
	Conn int
	// Kind is one of the Kind* constants.
	Kind string
	// Dir is Up or Down.
	Dir string
	// Name is a command's name.
	Name string
	// App is the application a connect names.
	App string
	// Stream is the stream a play, play2 or publish names.
	Stream string
	// Start is where a play or play2 asked to start, in seconds; -2 (live, else recorded from
	// the start) and -1 (live only) as such, whether sent in seconds or in milliseconds.
	Start *float64
	// Offset is a play2 offset, in seconds (the resume point of a Stream Reconnect).
	Offset *float64
	// Transition is a play2 transition, or a publish's type.
	Transition string
	// Code is an onStatus code (KindJump: the one the server sent just before the jump).
	Code string
	// Media is a media timestamp in seconds: the first of a run (KindMedia), the last of the
	// connection's media, in the direction Dir (KindClose; nil when none moved), the one after
	// a jump (KindJump) or the mark reached (KindReached).
	Media *float64
	// Prev is a track's timestamp before a jump, in seconds (KindJump).
	Prev *float64
	// Up and Down are the bytes relayed so far each way.
	Up, Down int64
	// ClosedBy is ByClient, ByServer or ByTap (KindClose).
	ClosedBy string
	// Err is why a connection could not be relayed, or why a direction is not RTMP.
	Err string
	// TLS is the TLS version the tap negotiated with the server (KindConnect of a tap that
	// terminates TLS, Config.TLS), and Handshake how long the handshakes took, the server's
	// and then the client's.
	TLS       string
	Handshake time.Duration
}

// Config configures a tap.
type Config struct {
	// Upstream is the address every new connection is relayed to (the route's proxy).
	Upstream string
	// Clock stamps the events; default the real clock.
	Clock clock.Clock
	// OnEvent receives every event; it must be safe for concurrent use.
	OnEvent func(Event)
	// SampleEvery is the period of KindBytes samples (default 250ms).
	SampleEvery time.Duration
	// MaxConns bounds the connections relayed at once (default 64); more are refused.
	MaxConns int
	// DialTimeout bounds reaching the upstream (default 5s).
	DialTimeout time.Duration
	// Marks are stream times in seconds, each reported once (KindReached) when media first
	// reaches it.
	Marks []float64
	// TLS, when set, makes the tap terminate TLS with the client and open TLS to the upstream,
	// to read the RTMP inside (byte counts are then of that RTMP).
	TLS *TLS
	// Opaque, when set, says why the traffic cannot be read (TLS relayed as it is): the tap
	// relays and counts the bytes, and reports each direction of each connection unread
	// (KindUnparsed, with this reason) instead of watching it.
	Opaque string
}

// Tap listens on a loopback port and relays each connection to the upstream.
type Tap struct {
	cfg Config
	clk clock.Clock
	ln  net.Listener

	mu       sync.Mutex
	upstream string
	marks    *marks
	conns    map[*relay]bool
	next     int
	closed   bool
	done     chan struct{} // closed by Close

	wg sync.WaitGroup
}

// Listen starts a tap on 127.0.0.1 (an ephemeral port).
func Listen(cfg Config) (*Tap, error) {
	if cfg.Upstream == "" {
		return nil, errors.New("wiretap: no upstream")
	}
	if cfg.SampleEvery <= 0 {
		cfg.SampleEvery = 250 * time.Millisecond
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 64
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 5 * time.Second
	}
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(Event) {}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("wiretap: listen: %w", err)
	}
	t := &Tap{cfg: cfg, clk: clock.Or(cfg.Clock), ln: ln, upstream: cfg.Upstream, marks: newMarks(cfg.Marks), conns: map[*relay]bool{}, done: make(chan struct{})}
	t.wg.Add(1)
	go t.accept()
	return t, nil
}

// Addr is the address clients connect to.
func (t *Tap) Addr() string { return t.ln.Addr().String() }

// Switch relays later connections to upstream and ends the current ones (a network change:
// the client's sessions on the old network are gone).
func (t *Tap) Switch(upstream string) {
	for _, r := range t.snapshot(func() { t.upstream = upstream }) {
		r.end(ByServer)
	}
}

// Close stops listening, ends every connection and waits until all of its goroutines are gone.
func (t *Tap) Close() error {
	conns := t.snapshot(func() {
		if !t.closed {
			close(t.done)
		}
		t.closed = true
	})
	err := t.ln.Close()
	for _, r := range conns {
		r.end(ByTap)
	}
	t.wg.Wait()
	return err
}

// snapshot applies change under the lock and returns the connections relayed then.
func (t *Tap) snapshot(change func()) []*relay {
	t.mu.Lock()
	defer t.mu.Unlock()
	change()
	conns := make([]*relay, 0, len(t.conns))
	for r := range t.conns {
		conns = append(conns, r)
	}
	return conns
}

// emit stamps an event (unless it carries the time it happened) and hands it over.
func (t *Tap) emit(e Event) {
	if e.Time.IsZero() {
		e.Time = t.clk.Now()
	}
	t.cfg.OnEvent(e)
}

func (t *Tap) accept() {
	defer t.wg.Done()
	backoff := time.Duration(0)
	for {
		c, err := t.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors, or another transient failure: wait (5 ms doubling to
			// 1 s) and accept again until the tap is closed.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			select {
			case <-time.After(backoff):
			case <-t.done:
				return
			}
			continue
		}
		backoff = 0
		t.mu.Lock()
		if t.closed {
			t.mu.Unlock()
			c.Close()
			return
		}
		t.next++
		n, up, full := t.next, t.upstream, len(t.conns) >= t.cfg.MaxConns
		r := &relay{tap: t, n: n, client: c, tls: t.cfg.TLS != nil}
		if !full {
			t.conns[r] = true
		}
		t.mu.Unlock()
		if full {
			t.emit(Event{Conn: n, Kind: KindConnect, Err: fmt.Sprintf("refused: %d connections are relayed already", t.cfg.MaxConns)})
			c.Close()
			t.emit(Event{Conn: n, Kind: KindClose, ClosedBy: ByTap})
			continue
		}
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			r.run(up)
			t.mu.Lock()
			delete(t.conns, r)
			t.mu.Unlock()
		}()
	}
}

// relay is one relayed connection.
type relay struct {
	tap *Tap
	n   int
	tls bool // both sides are TLS connections (Config.TLS)

	mu       sync.Mutex
	server   net.Conn
	closedBy string
	endedAt  time.Time // when the connection ended first
	reset    bool      // the side that ended it reset it (ECONNRESET): the other side gets a reset too

	ended    chan struct{} // one value per pump that has ended
	up, down atomic.Int64
	client   net.Conn        // set when accepted; replaced under mu by its TLS side
	writing  [2]atomic.Int64 // per direction (0 up, 1 down): when a write began (unix ns), or 0
}

// end closes both sides, remembering who ended the connection first, and when.
func (r *relay) end(by string) {
	r.mu.Lock()
	if r.closedBy == "" {
		r.closedBy, r.endedAt = by, r.tap.clk.Now()
	}
	cli, srv, reset := r.client, r.server, r.reset
	r.mu.Unlock()
	closeSide(cli, reset || by == ByTap)
	if srv != nil {
		closeSide(srv, reset || by == ByTap)
	}
}

func (r *relay) run(upstream string) {
	t := r.tap
	ctx, cancel := context.WithTimeout(context.Background(), t.cfg.DialTimeout)
	d := net.Dialer{}
	srv, err := d.DialContext(ctx, "tcp", upstream)
	cancel()
	if err != nil {
		t.emit(Event{Conn: r.n, Kind: KindConnect, Err: fmt.Sprintf("upstream %s: %v", upstream, err)})
		r.end(ByServer)
		t.emit(Event{Conn: r.n, Kind: KindClose, ClosedBy: ByServer, Err: err.Error()})
		return
	}
	r.mu.Lock()
	r.server = srv
	gone := r.closedBy != ""
	r.mu.Unlock()
	if gone { // the tap closed while dialling
		srv.Close()
	}
	connected := Event{Conn: r.n, Kind: KindConnect}
	if r.tls {
		if !r.handshake(upstream, &connected) {
			return
		}
		srv = r.server
	}
	t.emit(connected)

	r.ended = make(chan struct{}, 2)
	w := newWatcher(t, r.n)
	upFeed, downFeed := w.start()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(3) // the sampler stops once both pumps have ended
	r.mu.Lock()
	cli := r.client
	r.mu.Unlock()
	go func() {
		defer wg.Done()
		r.pump(cli, srv, upFeed, &r.up, false)
	}()
	go func() {
		defer wg.Done()
		r.pump(srv, cli, downFeed, &r.down, true)
	}()
	go func() {
		defer wg.Done()
		r.sample(done)
	}()
	if r.tls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.watchWrites(done, cli, srv)
		}()
	}
	for range 2 {
		<-r.ended
	}
	close(done)
	wg.Wait()
	last, dir := w.stop()
	r.mu.Lock()
	by, reset, at := r.closedBy, r.reset, r.endedAt
	r.mu.Unlock()
	ev := Event{Time: at, Conn: r.n, Kind: KindClose, ClosedBy: by, Dir: dir, Media: last, Up: r.up.Load(), Down: r.down.Load()}
	if reset {
		ev.Err = Reset
	}
	t.emit(ev)
}

// pump copies src to dst, feeding the watcher, counting what was delivered. fromServer says
// which side src is: a read failure there (or a write failure to the client) is the server's
// side ending first, and the reverse.
func (r *relay) pump(src, dst net.Conn, feed io.WriteCloser, count *atomic.Int64, fromServer bool) {
	defer func() { r.ended <- struct{}{} }()
	buf := make([]byte, 32<<10)
	watching := true
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if watching {
				if _, ferr := feed.Write(buf[:n]); ferr != nil {
					watching = false
				}
			}
			if by := r.write(src, dst, buf[:n], fromServer); by != "" {
				r.end(by)
				return
			}
			count.Add(int64(n))
		}
		if err != nil {
			if errors.Is(err, syscall.ECONNRESET) {
				r.abort(dst) // a reset goes on as a reset, not a clean close
			}
			r.end(side(fromServer))
			return
		}
	}
}

// abort makes the coming close of dst a TCP reset (SO_LINGER 0), as the peer dst relays for
// was reset: through the tap a reset stays a reset.
func (r *relay) abort(dst net.Conn) {
	if tc := rtmpconn.TCP(dst); tc != nil {
		_ = tc.SetLinger(0)
	}
	r.mu.Lock()
	r.reset = true
	r.mu.Unlock()
}

// writeCheck is how long a write may block before the relay looks whether the side it
// copies from has ended meanwhile.
const writeCheck = 250 * time.Millisecond

// write delivers p to dst. It returns "" when it did, else who ended the connection: the
// side written to (its write failed) or the side read from (it closed while the write was
// blocked — a stalled route must not hide that the program gave up).
func (r *relay) write(src, dst net.Conn, p []byte, fromServer bool) string {
	if r.tls {
		return r.writeTLS(src, dst, p, fromServer)
	}
	for len(p) > 0 {
		_ = dst.SetWriteDeadline(time.Now().Add(writeCheck))
		n, err := dst.Write(p)
		p = p[n:]
		if err == nil {
			continue
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			return side(!fromServer)
		}
		if peerGone(src) {
			return side(fromServer)
		}
	}
	return ""
}

// side names who ended a connection from which side failed.
func side(server bool) string {
	if server {
		return ByServer
	}
	return ByClient
}

// sample reports the byte counters every SampleEvery until done.
func (r *relay) sample(done <-chan struct{}) {
	tick := time.NewTicker(r.tap.cfg.SampleEvery)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			r.tap.emit(Event{Conn: r.n, Kind: KindBytes, Up: r.up.Load(), Down: r.down.Load()})
		}
	}
}
