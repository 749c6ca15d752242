package fakeclient

import (
	"context"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// send queues play2 calls on the connection's writer (never blocks the loop; a connection
// with maxQueuedPlays batches queued is beyond help and is closed).
func (nc *netConnection) send(cmds []play2Cmd) {
	if len(cmds) > 0 && !nc.writer.add(cmds) {
		nc.closeSelf()
	}
}

// session opens connection n, reports the attach, then writes the play2 calls the loop
// queues and forwards every message to the loop until the connection ends or ctx is
// cancelled.
func (p *Player) session(ctx context.Context, n int, addr string, out *inbox) {
	send := func(ev connEvent) bool { return out.put(ctx, ev) }
	nc, err := dial(ctx, addr, p.cfg.App, Identity{Client: p.cfg.ID, Conn: n}, p.cfg.Conn)
	if err != nil {
		send(connEvent{n: n, err: err, failed: true})
		return
	}
	c := nc.conn
	defer c.Close()
	sctx, stopSession := context.WithCancel(ctx)
	nc.writer = newPlayWriter(func(cmds []play2Cmd) bool { return p.writePlays(sctx, n, nc, cmds, send) })
	defer func() { stopSession(); nc.writer.stop() }()
	stop := context.AfterFunc(sctx, func() { _ = c.Close() })
	defer stop()
	if p.cfg.BandwidthCheck && n == 1 {
		bw, err := p.bandwidthCheck(sctx, c)
		if err != nil {
			send(connEvent{n: n, err: err})
			return
		}
		bw.Conn = n
		if !send(connEvent{n: n, bw: bw}) {
			return
		}
	}
	if !send(connEvent{n: n, attached: nc}) {
		return
	}
	var m rtmpconn.Message // read into again: media go to the loop digested, the rest as copies
	for {
		if err := readMessageTo(c, &m); err != nil {
			send(connEvent{n: n, err: err})
			return
		}
		if control, _ := userControl(ctx, c, &m); control {
			continue
		}
		ev := connEvent{n: n}
		if m.TypeID == message.TypeIDVideoMessage || m.TypeID == message.TypeIDAudioMessage {
			ev.media = digestMedia(&m)
			c.Recycle(&m)
		} else {
			own := m
			ev.msg = &own
		}
		if !send(ev) {
			return
		}
	}
}

// writePlay writes one play request as the player's command says: a play2 call; or play with
// a start time (a resume: from its offset); or, for seek, play from the item's start and a
// resume as play then seek to its offset.
func (p *Player) writePlay(ctx context.Context, nc *netConnection, cmd play2Cmd) error {
	c, s := nc.conn, cmd.step
	switch {
	case p.cfg.Command == CommandPlay2:
		opts := map[string]any{"streamName": s.Stream, "transition": s.Transition,
			"start": s.Start.D().Seconds(), "len": -1.0, "offset": cmd.offset}
		if s.Len > 0 {
			opts["len"] = s.Len.D().Seconds()
		}
		if s.OldStream != "" {
			opts["oldStreamName"] = s.OldStream
		}
		return c.WriteCommand(ctx, rtmpconn.CSIDData, nc.streamID, "play2", 0, nil, opts)
	case s.Transition == "stop":
		return c.WriteCommand(ctx, rtmpconn.CSIDData, nc.streamID, "closeStream", 0, nil)
	}
	start := s.Start.D().Seconds()
	if s.Transition == "resume" && p.cfg.Command == CommandPlay {
		start = cmd.offset
	}
	length := -1.0
	if s.Len > 0 {
		length = float64(s.Len.D().Milliseconds())
	}
	if err := c.WriteCommand(ctx, rtmpconn.CSIDData, nc.streamID, "play", 0, nil, s.Stream, start*1000, length, true); err != nil {
		return err
	}
	if s.Transition == "resume" && p.cfg.Command == CommandSeek {
		return c.WriteCommand(ctx, rtmpconn.CSIDData, nc.streamID, "seek", 0, nil, cmd.offset*1000)
	}
	return nil
}

// writePlays writes a batch of play requests in order, each followed by the buffer length,
// and reports each once it is written; a write error closes the connection and reports false.
func (p *Player) writePlays(ctx context.Context, n int, nc *netConnection, cmds []play2Cmd, send func(connEvent) bool) bool {
	c := nc.conn
	for _, cmd := range cmds {
		if ctx.Err() != nil {
			return false
		}
		at := p.clk.Now()
		if err := p.writePlay(ctx, nc, cmd); err != nil {
			_ = c.Close()
			return false
		}
		// Reported as soon as it is written: the server can answer it, and the loop close
		// the connection on that answer, before the buffer length below goes out.
		if !send(connEvent{n: n, sent: &sentCmd{cmd: cmd, at: at}}) {
			return false
		}
		if err := c.WriteUserControl(ctx, &message.UserCtrlEventSetBufferLength{StreamID: nc.streamID, LengthMs: uint32(p.cfg.BufferTime.Milliseconds())}); err != nil {
			_ = c.Close()
			return false
		}
	}
	return true
}
