package fakeclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/status"
)

// ViewerConfig configures a Viewer. Zero values take the defaults.
type ViewerConfig struct {
	// ID is how the client names itself to the server: every connection carries it, with
	// the connection's number, in the connect command (see Identity); empty sends none.
	ID string
	// Addr is the host:port to connect to.
	Addr string
	// App is the RTMP application (default "vod").
	App string
	// Stream is the live name to play.
	Stream string
	// Restore is the restore timer for a lost session (WCS: replay what was active); nil: the
	// first loss is final.
	Restore *Restore
	// Duration ends viewing after this long (zero: until ctx ends).
	Duration time.Duration
	// Clock drives the timers; default the real clock.
	Clock clock.Clock
	// OnEvent receives every event, from the goroutine calling Run.
	OnEvent func(Event)
	// Conn bounds handshakes and writes.
	Conn rtmpconn.Options
}

// Viewer is a live player: play(name, -1) — it waits for a publisher, shows frames as they
// arrive, sees the publisher go and come back on the same session, and restores its session
// when it is lost.
type Viewer struct {
	cfg      ViewerConfig
	clk      clock.Clock
	switches chan string
}

// NewViewer validates cfg.
func NewViewer(cfg ViewerConfig) (*Viewer, error) {
	if cfg.Addr == "" || cfg.Stream == "" {
		return nil, errors.New("viewer: an address and a stream are required")
	}
	if cfg.App == "" {
		cfg.App = "vod"
	}
	cfg.Restore = cfg.Restore.resolved()
	return &Viewer{cfg: cfg, clk: clock.Or(cfg.Clock), switches: make(chan string, 8)}, nil
}

// SwitchAddr makes later sessions go to addr. Safe for concurrent use.
func (v *Viewer) SwitchAddr(addr string) error {
	return offer(v.switches, addr, "viewer network changes")
}

// viewEvent is what a session goroutine tells the viewer loop: an event to record, or (ev
// nil) that the session ended, with err saying why.
type viewEvent struct {
	n   int
	ev  *Event
	err error
}

// Run views until Duration has passed (nil), the restore policy gave up (an error), or ctx
// ends. Every goroutine it starts has ended when it returns.
func (v *Viewer) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	evs := make(chan viewEvent)
	n, addr, attempts := 0, v.cfg.Addr, 0
	open := func() {
		n++
		cn, ca := n, addr
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.session(ctx, cn, ca, evs)
		}()
	}
	say := func(ev Event) { emit(v.cfg.OnEvent, v.clk, ev) }
	open()
	var end, restore, held <-chan time.Time // held: the current play's accept has held AcceptHold
	if v.cfg.Duration > 0 {
		end = v.clk.After(v.cfg.Duration)
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-end:
			return nil
		case a := <-v.switches:
			addr = a
		case <-held:
			held, attempts = nil, 0 // restored: the next outage counts from 1 again
		case <-restore:
			restore = nil
			attempts++
			say(Event{Kind: EventRestoreAttempt, Conn: n + 1, Strikes: attempts, Message: fmt.Sprintf("attempt %d of %d", attempts, v.cfg.Restore.maxTries())})
			open()
		case e := <-evs:
			if e.n != n {
				continue
			}
			if e.ev != nil {
				switch e.ev.Code {
				case status.PlayStart:
					held = v.clk.After(AcceptHold)
				case status.PlayFailed, status.PlayStreamNotFound:
					held = nil // taken back
				}
				say(*e.ev)
				continue
			}
			held = nil // the session ended: an accept that had not held yet did not
			msg := "closed"
			if e.err != nil {
				msg = e.err.Error()
			}
			say(Event{Kind: EventStatus, Code: status.ConnectClosed, Conn: e.n, Message: msg})
			if v.cfg.Restore == nil || attempts >= v.cfg.Restore.maxTries() {
				err := fmt.Errorf("restore gave up after %d attempts", attempts)
				say(Event{Kind: EventRestoreFailed, Code: status.RestoreFailed, Conn: e.n, Message: err.Error(), Strikes: attempts})
				return err
			}
			restore = v.clk.After(v.cfg.Restore.timeout())
		}
	}
}

// session plays the live name on connection n and reports status codes and frames until the
// connection ends.
func (v *Viewer) session(ctx context.Context, n int, addr string, out chan<- viewEvent) {
	send := func(e viewEvent) bool { return deliver(ctx, out, e) }
	nc, err := dial(ctx, addr, v.cfg.App, Identity{Client: v.cfg.ID, Conn: n}, v.cfg.Conn)
	if err != nil {
		send(viewEvent{n: n, ev: &Event{Kind: EventStatus, Code: status.ConnectFailed, Conn: n, Message: err.Error()}})
		send(viewEvent{n: n, err: err})
		return
	}
	c := nc.conn
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if !send(viewEvent{n: n, ev: &Event{Kind: EventStatus, Code: status.ConnectSuccess, Conn: n, Message: strings.TrimSpace(tlsNote(c))}}) {
		return
	}
	at := v.clk.Now() // stamped before the write: the request precedes the server's play event
	err = c.WriteCommand(ctx, rtmpconn.CSIDData, nc.streamID, "play", 0, nil, v.cfg.Stream, -1000.0)
	// Reported once written, whatever becomes of the buffer length after it.
	if err == nil && !send(viewEvent{n: n, ev: &Event{Time: at, Kind: EventPlayRequest, Conn: n, Stream: v.cfg.Stream, Transition: "live"}}) {
		return
	}
	if err == nil {
		err = c.WriteUserControl(ctx, &message.UserCtrlEventSetBufferLength{StreamID: nc.streamID, LengthMs: 1000})
	}
	for err == nil {
		var m *rtmpconn.Message
		if m, err = readMessage(c); err != nil {
			break
		}
		var ev *Event
		switch {
		case m.TypeID == message.TypeIDVideoMessage:
			ts := time.Duration(m.Timestamp) * time.Millisecond
			id, ok := media.ParseVideo(m.Payload)
			if !ok && media.CodedVideo(m.Payload) { // real media: known by its timestamp
				id, ok = media.RealIdentity(v.cfg.Stream, ts, 0), true
			}
			if ok {
				ev = &Event{Kind: EventReceived, Conn: n, Stream: id.Stream, First: id.Index, Last: id.Index, StreamTime: ts}
			}
		case m.Control != nil:
			userControl(ctx, c, m)
		default:
			if code, ok := m.Command.Status(); ok {
				ev = &Event{Kind: EventStatus, Code: code, Conn: n, Message: m.Command.Description()}
			}
		}
		if ev != nil && !send(viewEvent{n: n, ev: ev}) {
			return
		}
	}
	send(viewEvent{n: n, err: err})
}
