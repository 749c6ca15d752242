package fakeserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/amf0"
	"github.com/streamfault/streamfault/internal/identity"
	"github.com/streamfault/streamfault/internal/status"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// session is one client connection (a NetConnection).
type session struct {
	srv *Server
	id  string
	raw net.Conn

	rawApp string // the connect command's app, as sent

	mu       sync.Mutex
	conn     *rtmpconn.Conn
	ended    bool
	streams  map[uint32]*netStream
	nextSID  uint32
	players  sync.WaitGroup
	connectd bool
	declared identity.Identity // who the connect command said the connection was

	bwReplies chan int64 // transaction ids of the client's answers to onBWCheck

	bwRunning atomic.Bool  // a bandwidth check is under way (one at a time)
	idled     atomic.Bool  // the idle watchdog closed the session
	messages  atomic.Int64 // complete messages read: what the idle watchdog counts as life
	commands  commandBudget

	publishing map[uint32]string // NetStream -> the name it publishes
	subscribed map[uint32]string // NetStream -> the live name it plays

	relayTo []liveSub // the relay's list of players for one message, reused (its reading goroutine's)
}

// netStream is one NetStream of a session: a playlist with at most one playback serving it.
type netStream struct {
	id       uint32
	bufferMs atomic.Int64
	cancel   context.CancelFunc // guarded by session.mu
	done     chan struct{}      // guarded by session.mu

	mu      sync.Mutex
	items   playlist
	active  bool           // a playback is serving the playlist
	cur     int            // the item being served
	pending *pendingSwitch // a switch of the playing item, not yet in effect
}

// pendingSwitch replaces item k by to at the first keyframe of to at or after the content
// position reached (frame is -1 until the serving loop has chosen it).
type pendingSwitch struct {
	k     int
	to    item
	frame int
}

func newSession(srv *Server, nc net.Conn, id string) *session {
	return &session{srv: srv, id: id, raw: nc, streams: map[uint32]*netStream{}, bwReplies: make(chan int64, 16),
		publishing: map[uint32]string{}, subscribed: map[uint32]string{}}
}

// end ends the session — with a TCP reset when abort is set (as when the process dies),
// with a normal close otherwise. Never blocks.
func (ss *session) end(abort bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.ended = true
	switch {
	case ss.conn != nil && abort:
		_ = ss.conn.Abort()
	case ss.conn != nil:
		_ = ss.conn.Close()
	default: // still in the handshake
		if tc := rtmpconn.TCP(ss.raw); tc != nil && abort {
			_ = tc.SetLinger(0)
		}
		_ = ss.raw.Close()
	}
}

func (ss *session) run(srvCtx context.Context) {
	ctx, cancel := context.WithCancel(srvCtx)
	defer cancel()
	client := ss.raw.RemoteAddr().String()
	c, err := ss.srv.accept(ctx, ss.raw)
	if err != nil {
		ss.srv.emit(Event{Kind: EventError, Session: ss.id, Client: client, Reason: err.Error()})
		return
	}
	ss.mu.Lock()
	ss.conn = c
	ended := ss.ended
	ss.mu.Unlock()
	if ended {
		_ = c.Close()
		return
	}
	if cfg := ss.srv.cfg; cfg.PingInterval > 0 {
		ss.players.Add(1)
		go func() {
			defer ss.players.Done()
			ss.pinger(ctx, cfg.PingInterval, cfg.PingTimeout)
		}()
	}
	stopWatch := func() {}
	if t := ss.srv.cfg.IdleTimeout; t > 0 {
		stopWatch = ss.watchSilence(t)
	}
	reason := "closed by client"
	for {
		msg, err := c.Read()
		if err == nil {
			ss.messages.Add(1)
		}
		if err != nil {
			var de *rtmpconn.DecodeError
			var pe *rtmpconn.ProtocolError
			switch {
			case errors.As(err, &de):
				ss.srv.emit(Event{Kind: EventError, Session: ss.id, Client: client, Reason: err.Error()})
				continue
			case ctx.Err() != nil:
				reason = "server stopped"
			case errors.As(err, &pe):
				reason = "refused: " + pe.Reason
				ss.srv.emit(Event{Kind: EventError, Session: ss.id, Client: client, Reason: reason})
			case ss.idled.Load():
				reason = "idle: no message in either direction for " + ss.srv.cfg.IdleTimeout.String()
			}
			break
		}
		if err := ss.handle(ctx, msg); err != nil {
			reason = err.Error()
			break
		}
	}
	_ = c.Close()
	ss.endLive(ctx, "publisher disconnected: "+reason)
	ss.mu.Lock()
	for _, ns := range ss.streams {
		if ns.cancel != nil {
			ns.cancel()
		}
	}
	ss.mu.Unlock()
	cancel() // the session's helpers (pings, idle watchdogs, a bandwidth check) end now
	stopWatch()
	ss.players.Wait()
	if ss.connectd {
		ss.srv.emit(Event{Kind: EventDisconnect, Session: ss.id, Client: client, Reason: reason,
			BytesIn: c.BytesRead(), BytesOut: c.BytesWritten()})
	}
}

// handle answers one message; an error ends the session.
func (ss *session) handle(ctx context.Context, msg *rtmpconn.Message) error {
	if uc, ok := msg.Control.(*message.UserCtrl); ok {
		switch ev := uc.Event.(type) {
		case *message.UserCtrlEventSetBufferLength:
			if ns := ss.stream(ev.StreamID); ns != nil {
				ns.bufferMs.Store(int64(ev.LengthMs))
			}
		case *message.UserCtrlEventPingRequest:
			return ss.conn.WriteUserControl(ctx, &message.UserCtrlEventPingResponse{Timestamp: ev.Timestamp})
		}
		return nil
	}
	if msg.TypeID == message.TypeIDAudioMessage || msg.TypeID == message.TypeIDVideoMessage ||
		msg.TypeID == message.TypeIDDataMessageAMF0 || msg.TypeID == message.TypeIDDataMessageAMF3 {
		ss.relay(ctx, msg)   // media and a publisher's metadata (@setDataFrame onMetaData)
		ss.conn.Recycle(msg) // the relay copied what it sends and cloned what it keeps
		return nil
	}
	if msg.Command == nil || (msg.TypeID != message.TypeIDCommandMessageAMF0 && msg.TypeID != message.TypeIDCommandMessageAMF3) {
		return nil
	}
	if !ss.commands.take(time.Now()) { // wall time: what the work costs
		ss.srv.emit(Event{Kind: EventError, Session: ss.id, Client: ss.raw.RemoteAddr().String(), Reason: errTooManyCommands.Error()})
		return errTooManyCommands
	}
	return ss.command(ctx, msg.StreamID, msg.Command)
}

func (ss *session) onConnect(ctx context.Context, cmd *rtmpconn.Command) error {
	obj, _ := cmd.Arg(0).(map[string]any)
	app, _ := obj["app"].(string)
	tcURL, _ := obj["tcUrl"].(string)
	ss.rawApp = app
	// A NetConnection URL's query comes in app and tcUrl (rtmp://host/app?a=b); the app is
	// what precedes it, the query is logged (cs-uri-query).
	app, query, _ := strings.Cut(app, "?")
	if query == "" {
		_, query, _ = strings.Cut(tcURL, "?")
	}
	client := ss.raw.RemoteAddr().String()
	c := ss.conn
	if !ss.srv.acceptsApp(app) {
		_ = c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "_error", cmd.TransactionID, nil,
			info("error", status.ConnectRejected, fmt.Sprintf("unknown application %q", app)))
		return fmt.Errorf("connect rejected: unknown application %q", app)
	}
	if err := c.Together(ctx, func() error { return ss.acceptConnect(ctx, cmd) }); err != nil {
		return err
	}
	ss.connectd = true
	id, _ := identity.Of(obj)
	ss.declared = id
	ss.srv.emit(Event{Kind: EventConnect, Session: ss.id, Client: client, Query: query, Declared: id,
		DeclaredClient: id.Client, DeclaredConn: id.Conn})
	return nil
}

// acceptConnect writes what answers an accepted connect: window acknowledgement size, peer
// bandwidth, chunk size, StreamBegin and the _result (onConnect sends them together).
func (ss *session) acceptConnect(ctx context.Context, cmd *rtmpconn.Command) error {
	c := ss.conn
	if err := c.Write(ctx, rtmpconn.CSIDControl, 0, 0, &message.WinAckSize{Size: 2500000}); err != nil {
		return err
	}
	if err := c.Write(ctx, rtmpconn.CSIDControl, 0, 0, &message.SetPeerBandwidth{Size: 2500000, Limit: message.LimitTypeDynamic}); err != nil {
		return err
	}
	if err := c.SetChunkSize(ctx, ss.srv.cfg.ChunkSize); err != nil {
		return err
	}
	if err := c.WriteUserControl(ctx, &message.UserCtrlEventStreamBegin{StreamID: 0}); err != nil {
		return err
	}
	info := info("status", status.ConnectSuccess, "Connection succeeded.")
	info["objectEncoding"] = 0
	info["data"] = amf0.ECMAArray{{Key: "version", Value: ss.srv.cfg.Version}}
	props := map[string]any{"fmsVer": "FMS/" + ss.srv.cfg.Version, "capabilities": 31, "mode": 1}
	return c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "_result", cmd.TransactionID, props, info)
}

func info(level, code, desc string) map[string]any {
	return map[string]any{"level": level, "code": code, "description": desc}
}

// playStart is the NetStream.Play.Start status for name (details names the stream, as Flash
// Media Server sends it).
func playStart(name string) map[string]any {
	st := info("status", status.PlayStart, "Started playing "+name+".")
	st["details"] = name
	return st
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func toFloat(v any, def float64) float64 {
	if f, ok := v.(float64); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return f
	}
	return def
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// Bandwidth detection (FMS style): the server calls onBWCheck on the client and times the
// answers, then reports with onBWDone(kbps, deltaDown KB, deltaTime ms, latency ms).
const (
	bwTxBase     = 1000             // transaction ids of onBWCheck calls
	bwPayload    = 16000            // bytes per data round
	bwMinTime    = time.Second      // data rounds go on until this much time is measured…
	bwMaxRounds  = 64               // …or this many rounds
	bwAnswerWait = 10 * time.Second // per call
)

func (ss *session) bandwidthCheck(ctx context.Context) {
	c, clk := ss.conn, ss.srv.clk
	tx := int64(bwTxBase)
	call := func(args ...any) (time.Duration, error) {
		tx++
		t0 := clk.Now()
		if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "onBWCheck", tx, append([]any{nil}, args...)...); err != nil {
			return 0, err
		}
		timeout := clk.After(bwAnswerWait)
		for {
			select {
			case got := <-ss.bwReplies:
				if got == tx {
					return clk.Now().Sub(t0), nil
				}
			case <-timeout:
				return 0, fmt.Errorf("no answer to onBWCheck %d within %v", tx, bwAnswerWait)
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
	}
	fail := func(err error) {
		ss.srv.emit(Event{Kind: EventError, Session: ss.id, Reason: "bandwidth check: " + err.Error()})
	}
	latency, err := call()
	if err != nil {
		fail(err)
		return
	}
	payload := strings.Repeat("x", bwPayload)
	var sent int64
	var spent time.Duration
	for round := 0; round < bwMaxRounds && spent < bwMinTime; round++ {
		d, err := call(payload)
		if err != nil {
			fail(err)
			return
		}
		sent += bwPayload
		spent += max(d-latency, time.Microsecond)
	}
	kbps := float64(sent*8) / spent.Seconds() / 1000
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "onBWDone", 0, nil,
		kbps, float64(sent)/1024, spent.Milliseconds(), latency.Milliseconds()); err != nil {
		fail(err)
		return
	}
	ss.srv.emit(Event{Kind: EventBandwidth, Session: ss.id, Kbps: kbps,
		Reason: fmt.Sprintf("%d bytes in %v, latency %v", sent, spent, latency)})
}

// MaxNetStreams bounds the NetStreams one session may hold open (createStream).
const MaxNetStreams = 64

// watchSilence closes the session when no message moved in either direction for timeout: an
// abandoned connection, or one held by a peer trickling bytes that never make a message. A
// session that plays or publishes moves messages; pings and their answers count as life. It
// looks every quarter of timeout, on a timer (clock.Repeat) rather than a goroutine of its
// own; the returned stop ends the watch, and no look runs once it has returned.
func (ss *session) watchSilence(timeout time.Duration) (stop func()) {
	s, c := ss.srv, ss.conn
	every := max(timeout/4, 10*time.Millisecond)
	last, alive := ss.messages.Load()+c.BytesWritten(), s.clk.Now()
	return clock.Repeat(s.clk, every, func() bool {
		now := s.clk.Now()
		if b := ss.messages.Load() + c.BytesWritten(); b != last {
			last, alive = b, now
			return true
		}
		if now.Sub(alive) < timeout {
			return true
		}
		ss.idled.Store(true)
		s.emit(Event{Kind: EventError, Session: ss.id, Reason: fmt.Sprintf("idle session closed: no message in either direction for %v", timeout)})
		_ = c.Close()
		return false
	})
}
