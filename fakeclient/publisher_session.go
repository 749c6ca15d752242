package fakeclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/status"
)

// session opens connection n, publishes, sends the live source until ctx ends or the
// connection fails, and reports what the server says.
func (p *Publisher) session(ctx context.Context, n int, addr, codec string, t0 time.Time, out chan<- pubEvent) {
	send := func(ev pubEvent) bool { return deliver(ctx, out, ev) }
	app := p.cfg.App
	if p.cfg.Mutant == MutantQueryInApp {
		app += fmt.Sprintf("?sfclient=%s&sfconn=%d", url.QueryEscape(p.cfg.ID), n)
	}
	nc, err := dial(ctx, addr, app, Identity{Client: p.cfg.ID, Conn: n}, p.cfg.Conn)
	if err != nil {
		send(pubEvent{n: n, failed: true, err: err})
		return
	}
	c := nc.conn
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.Abort() })
	defer stop()
	at := p.clk.Now()
	err = c.WriteCommand(ctx, rtmpconn.CSIDData, nc.streamID, "publish", 0, nil, p.cfg.Stream, "live")
	if err != nil || !send(pubEvent{n: n, nc: nc, at: at}) {
		send(pubEvent{n: n, ended: true, err: err})
		return
	}
	started := make(chan struct{})
	var sender sync.WaitGroup
	sctx, stopSender := context.WithCancel(ctx)
	defer func() { stopSender(); sender.Wait() }()
	sender.Add(1)
	go func() {
		defer sender.Done()
		select {
		case <-started:
		case <-sctx.Done():
			return
		}
		p.sendSource(sctx, n, nc, codec, t0, send)
	}()
	for {
		m, err := readMessage(c)
		if err != nil {
			send(pubEvent{n: n, ended: true, err: err})
			return
		}
		if control, ping := userControl(ctx, c, m); control {
			if ping && !send(pubEvent{n: n, ping: true}) {
				return
			}
			continue
		}
		if code, ok := m.Command.Status(); ok {
			if code == status.PublishStart {
				select {
				case <-started:
				default:
					close(started)
				}
			}
			if !send(pubEvent{n: n, code: code, desc: m.Command.Description()}) {
				return
			}
		}
	}
}

// sendSource writes the live source from the frame due now: the AVC header, metadata, then
// one padded frame per frame period, reporting each second of frames sent. A write that
// fails (or blocks past the write timeout) closes the connection.
func (p *Publisher) sendSource(ctx context.Context, n int, nc *netConnection, codec string, t0 time.Time, send func(pubEvent) bool) {
	if p.file != nil {
		_ = p.file.send(ctx, p.clk, nc.conn, nc.streamID, p.cfg.Stream, t0, func(first, last int, at time.Duration) {
			send(pubEvent{n: n, sent: &Event{Kind: EventSent, Conn: n, Stream: p.cfg.Stream, First: first, Last: last, StreamTime: at}})
		})
		if ctx.Err() == nil {
			_ = nc.conn.Close() // a blocked or failed write: the session ends
		}
		return
	}
	c, fps := nc.conn, p.cfg.FPS
	name, _, _ := strings.Cut(p.cfg.Stream, "?") // frames are known by the name, not the key's query
	spec := media.Spec{Name: name, FPS: fps, KeyframeInterval: time.Second}
	size := p.cfg.Bitrate / 8 / fps
	// Start on the next keyframe of the source: what went by while no session was up is lost
	// (it is live), and time never goes back.
	i := int(p.clk.Now().Sub(t0) * time.Duration(fps) / time.Second)
	if r := i % spec.GOP(); r != 0 {
		i += spec.GOP() - r
	}
	base := uint32(0) // the mutant starts every republish at timestamp 0
	if p.cfg.Mutant == MutantRestartTimestamps {
		base = spec.TimestampMs(i)
	}
	ts := func(i int) uint32 { return spec.TimestampMs(i) - base }
	meta := map[string]any{"videocodecid": 7, "framerate": fps, "videodatarate": p.cfg.Bitrate / 1000, "encoder": "streamfault " + codec}
	au := newAudio(p.cfg.Audio, spec, meta)
	err := errors.Join(
		c.WriteData(ctx, rtmpconn.CSIDData, ts(i), nc.streamID, "@setDataFrame", "onMetaData", meta),
		c.Write(ctx, rtmpconn.CSIDVideo, ts(i), nc.streamID, &message.VideoMessage{Payload: bytes.NewReader(media.AVCSequenceHeader())}),
		au.header(ctx, c, nc.streamID, ts(i)),
	)
	first := i
	flush := func(last int) {
		if last >= first {
			send(pubEvent{n: n, sent: &Event{Kind: EventSent, Conn: n, Stream: p.cfg.Stream, First: first, Last: last,
				StreamTime: time.Duration(ts(first)) * time.Millisecond}})
			first = last + 1
		}
	}
	for err == nil {
		if err = clock.Sleep(ctx, p.clk, t0.Add(spec.FrameTime(i)).Sub(p.clk.Now())); err != nil {
			break
		}
		if err = au.upTo(ctx, c, nc.streamID, i, ts); err != nil {
			break
		}
		if err = c.Write(ctx, rtmpconn.CSIDVideo, ts(i), nc.streamID,
			&message.VideoMessage{Payload: bytes.NewReader(media.Pad(spec.VideoTag(i), size))}); err != nil {
			break
		}
		if (i+1)%fps == 0 {
			flush(i)
		}
		i++
	}
	flush(i - 1)
	if ctx.Err() == nil {
		_ = c.Close() // a blocked or failed write: the session ends
	}
}
