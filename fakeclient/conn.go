// Package fakeclient holds scripted RTMP clients modelled on Flash Player's NetConnection and
// NetStream: a VOD player with a buffer model, play scripts and Stream Reconnect (play2
// resume, playlist rebuild, load-balance move), and a live publisher and viewer with WCS-style
// Streaming Auto Restore. Deliberately broken behaviours ("mutants") serve as negative
// controls for the harness' checkers. It knows nothing of the harness: it reports through an
// OnEvent callback.
package fakeclient

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/identity"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/status"
)

// netConnection is an open NetConnection with one NetStream created on it.
type netConnection struct {
	conn     *rtmpconn.Conn
	streamID uint32
	version  string      // server version from the connect result's data.version
	writer   *playWriter // writes the play2 calls the player loop queues (players only)

	selfClosed atomic.Bool // the client closed the connection itself
}

// closeSelf closes the connection on the client's own decision (not a loss).
func (nc *netConnection) closeSelf() {
	nc.selfClosed.Store(true)
	_ = nc.conn.Close()
}

// Identity is who a connection says it is (see package identity).
type Identity = identity.Identity

// openNetConnection dials, connects to app and creates a stream, all bounded by ctx.
func openNetConnection(ctx context.Context, addr, app string, id Identity, opts rtmpconn.Options) (*netConnection, error) {
	c, err := rtmpconn.Dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			_ = c.Close()
		}
	}()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if n := opts.ChunkSize; n > 0 {
		if err := c.SetChunkSize(ctx, n); err != nil {
			return nil, fmt.Errorf("set chunk size: %w", err)
		}
	}
	scheme := "rtmp"
	if opts.TLS != nil {
		scheme = "rtmps"
	}
	tcURL := scheme + "://" + addr + "/" + app
	obj := map[string]any{
		"app": app, "flashVer": "LNX 10,1,82,76", "tcUrl": tcURL, "fpad": false, "capabilities": 15,
		"audioCodecs": 3191, "videoCodecs": 252, "videoFunction": 1, "objectEncoding": 0,
	}
	id.Put(obj)
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "connect", 1, obj); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	res, err := awaitResult(c, 1)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	info, _ := res.Arg(1).(map[string]any)
	if code, _ := info["code"].(string); res.Name != "_result" || code != status.ConnectSuccess {
		return nil, fmt.Errorf("connect refused: %s %v", res.Name, info["code"])
	}
	nc := &netConnection{conn: c}
	if data, ok := info["data"].(map[string]any); ok {
		nc.version, _ = data["version"].(string)
	}
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "createStream", 2, nil); err != nil {
		return nil, fmt.Errorf("createStream: %w", err)
	}
	res, err = awaitResult(c, 2)
	if err != nil {
		return nil, fmt.Errorf("createStream: %w", err)
	}
	sid, isNum := res.Arg(1).(float64)
	if res.Name != "_result" || !isNum || sid < 1 {
		return nil, fmt.Errorf("createStream: unexpected answer %s %v", res.Name, res.Args)
	}
	nc.streamID = uint32(sid)
	if err := inTime(ctx, stop, "connect sequence"); err != nil {
		return nil, err
	}
	ok = true
	return nc, nil
}

// sequenceEnd, when set (by tests), runs as a bounded step has had its last answer, just
// before inTime looks at the step's time limit.
var sequenceEnd func()

// inTime disarms stop, the close that ends a step (the connect sequence, a bandwidth check)
// at its time limit, and fails when that close has begun: a limit that passes as the last
// answer is read closes the connection a moment later, so the step has failed, not succeeded.
// (Beside a CPU hog a player took such a connection for attached, saw it closed by itself a
// moment later, and resumed once more than the outage called for.)
func inTime(ctx context.Context, stop func() bool, step string) error {
	if sequenceEnd != nil {
		sequenceEnd()
	}
	if stop() {
		return nil
	}
	return fmt.Errorf("%s: over its time limit as it ended: %w", step, context.Cause(ctx))
}

// awaitResult reads until the _result or _error of transaction tx, skipping anything else
// (control messages are applied by the connection itself).
func awaitResult(c *rtmpconn.Conn, tx int64) (*rtmpconn.Command, error) {
	for i := 0; i < 64; i++ {
		m, err := c.Read()
		if err != nil {
			if _, skip := err.(*rtmpconn.DecodeError); skip {
				continue
			}
			return nil, err
		}
		if m.Command != nil && m.Command.TransactionID == tx && (m.Command.Name == "_result" || m.Command.Name == "_error") {
			return m.Command, nil
		}
	}
	return nil, fmt.Errorf("no answer to transaction %d within 64 messages", tx)
}

// defaultConnectTimeout bounds the connect sequence when Options.HandshakeTimeout is zero.
const defaultConnectTimeout = 5 * time.Second

// dial opens a NetConnection with the whole connect sequence (dial, handshake, connect,
// createStream) bounded by opts.HandshakeTimeout: on a blackholed route nothing ever answers.
func dial(ctx context.Context, addr, app string, id Identity, opts rtmpconn.Options) (*netConnection, error) {
	timeout := opts.HandshakeTimeout
	if timeout <= 0 {
		timeout = defaultConnectTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return openNetConnection(ctx, addr, app, id, opts)
}

// readMessage returns the next decodable message (rtmpconn ends the connection after a few
// undecodable ones in a row, so the skipping is bounded).
func readMessage(c *rtmpconn.Conn) (*rtmpconn.Message, error) {
	m := new(rtmpconn.Message)
	if err := readMessageTo(c, m); err != nil {
		return nil, err
	}
	return m, nil
}

// readMessageTo is readMessage into m.
func readMessageTo(c *rtmpconn.Conn, m *rtmpconn.Message) error {
	for {
		err := c.ReadTo(m)
		var de *rtmpconn.DecodeError
		if !errors.As(err, &de) {
			return err
		}
	}
}

// userControl answers a server's PingRequest as Flash Player does; control is false when m is
// not a user control message, ping when it was a PingRequest.
func userControl(ctx context.Context, c *rtmpconn.Conn, m *rtmpconn.Message) (control, ping bool) {
	uc, ok := m.Control.(*message.UserCtrl)
	if !ok {
		return false, false
	}
	if req, ok := uc.Event.(*message.UserCtrlEventPingRequest); ok {
		_ = c.WriteUserControl(ctx, &message.UserCtrlEventPingResponse{Timestamp: req.Timestamp})
		return true, true
	}
	return true, false
}

// deliver hands v to a client's loop, or gives up when ctx ends.
func deliver[T any](ctx context.Context, out chan<- T, v T) bool {
	select {
	case out <- v:
		return true
	case <-ctx.Done():
		return false
	}
}

// offer queues an address change for a client's loop without blocking.
func offer(ch chan<- string, addr, what string) error {
	select {
	case ch <- addr:
		return nil
	default:
		return fmt.Errorf("too many %s pending", what)
	}
}

// emit stamps ev with the clock when it has no time and hands it to on, if any.
func emit(on func(Event), clk clock.Clock, ev Event) {
	if on == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = clk.Now()
	}
	on(ev)
}

// tlsNote says how long an RTMPS connection's TLS handshake took, for its Connect.Success
// event; "" for RTMP.
func tlsNote(c *rtmpconn.Conn) string {
	if d := c.TLSHandshake(); d > 0 {
		return fmt.Sprintf(" (TLS handshake %s)", d.Round(100*time.Microsecond))
	}
	return ""
}
