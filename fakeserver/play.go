package fakeserver

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/amf0"
	"github.com/streamfault/streamfault/internal/status"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// playRequest is a play or play2 call as the access log records it.
type playRequest struct {
	command, name, mode string
	soffset             float64 // what the client asked for, seconds (x-soffset)
	reset               bool    // announce NetStream.Play.Reset
}

// onPlay serves play(name, start, len, reset), with start and len in milliseconds as ffmpeg
// and librtmp send them: start -2 (or -2000) plays the live stream of that name when one is
// published, else the recorded one from its beginning, else waits for a publisher; -1 (or
// -1000) asks for a live stream only and waits for one (AMS: play(name, -1) waits
// indefinitely); >= 0 starts the recorded stream at the keyframe at or before start; len -1
// plays to the end, 0 a single frame, > 0 that long (live streams too); reset false appends
// to the playlist instead of replacing it.
func (ss *session) onPlay(ctx context.Context, sid uint32, cmd *rtmpconn.Command) error {
	name, _ := cmd.Arg(1).(string)
	name = streamName(name)
	if err := ss.strictRefusal(ctx, sid, playStart(name), name); err != nil {
		return err
	}
	startMs := toFloat(cmd.Arg(2), -2)
	lenMs := toFloat(cmd.Arg(3), -1)
	reset, ok := cmd.Arg(4).(bool)
	if !ok {
		reset = true
	}
	length := time.Duration(-1)
	if lenMs >= 0 {
		length = time.Duration(lenMs * float64(time.Millisecond))
	}
	liveOnly := startMs == -1 || (startMs <= -1000 && startMs > -2000)
	_, vod := ss.srv.streams[name]
	if liveOnly || (startMs < 0 && (!vod || ss.srv.isLive(name))) {
		return ss.playLive(ctx, sid, name, length) // waits for a publisher when there is none
	}
	start := time.Duration(math.Max(startMs, 0) * float64(time.Millisecond))
	mode := "reset"
	if !reset {
		mode = "append"
	}
	return ss.playItem(ctx, sid, playRequest{command: "play", name: name, mode: mode, soffset: start.Seconds(), reset: reset}, start, length)
}

// onPlay2 serves play2(NetStreamPlayOptions): streamName, oldStreamName, start and len (in
// seconds), offset (seconds of stream time, for resume) and transition.
func (ss *session) onPlay2(ctx context.Context, sid uint32, cmd *rtmpconn.Command) error {
	opts, _ := cmd.Arg(1).(map[string]any)
	name, _ := opts["streamName"].(string)
	if err := ss.strictRefusal(ctx, sid, playStart(name), name); err != nil {
		return err
	}
	old, _ := opts["oldStreamName"].(string)
	name, old = streamName(name), streamName(old)
	mode, _ := opts["transition"].(string)
	if mode == "" {
		mode = "reset"
	}
	start := seconds(math.Max(toFloat(opts["start"], 0), 0))
	length := time.Duration(-1)
	if l := toFloat(opts["len"], -1); l >= 0 {
		length = seconds(l)
	}
	off := math.Max(toFloat(opts["offset"], 0), 0)
	req := playRequest{command: "play2", name: name, mode: mode, soffset: start.Seconds()}
	switch mode {
	case "reset":
		req.reset = true
		return ss.playItem(ctx, sid, req, start, length)
	case "append", "appendAndWait":
		return ss.playItem(ctx, sid, req, start, length)
	case "resume":
		req.soffset = off
		return ss.resume(ctx, sid, req, start, length, seconds(off))
	case "switch", "swap":
		return ss.replace(ctx, sid, req, old, start, length)
	case "stop":
		return ss.stopTransition(ctx, sid, req)
	default:
		return ss.playFailed(ctx, sid, req, status.PlayFailed, fmt.Sprintf("transition %q is not supported", mode))
	}
}

// playFailed logs an error for the request and answers it with an error status; the session
// lives on.
func (ss *session) playFailed(ctx context.Context, sid uint32, req playRequest, code, desc string) error {
	ss.srv.emit(Event{Kind: EventError, Session: ss.id, Stream: req.name, StreamID: sid, Command: req.command,
		TransMode: req.mode, SOffset: req.soffset, Reason: desc})
	return ss.conn.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil, info("error", code, desc))
}

// lookup finds the NetStream and the catalogue entry of a request, answering the client when
// either is missing (ok false).
func (ss *session) lookup(ctx context.Context, sid uint32, req playRequest) (*netStream, media.Spec, bool, error) {
	ns, ok, err := ss.netStream(ctx, sid, req)
	if !ok {
		return nil, media.Spec{}, false, err
	}
	spec, ok := ss.srv.streams[req.name]
	if !ok {
		return nil, media.Spec{}, false, ss.playFailed(ctx, sid, req, status.PlayStreamNotFound, "Failed to play "+req.name+"; stream not found.")
	}
	return ns, spec, true, nil
}

// MaxPlaylist bounds a NetStream's playlist: an append past it is refused (Play.Failed), so
// that one connection cannot buy unbounded server work with endless appends.
const MaxPlaylist = 256

// playItem serves reset (replace the playlist and play now), append (add; play now when
// nothing is playing) and appendAndWait (add; stream nothing).
func (ss *session) playItem(ctx context.Context, sid uint32, req playRequest, start, length time.Duration) error {
	ns, spec, ok, err := ss.lookup(ctx, sid, req)
	if !ok {
		return err
	}
	ss.unsubscribe(sid)
	it := newItem(spec, start, length)
	if req.mode == "reset" {
		ss.stopPlayback(sid)
		ns.mu.Lock()
		ns.items, ns.pending = playlist{it}, nil
		ns.mu.Unlock()
		return ss.startPlayback(ctx, ns, 0, it.first(), req)
	}
	ns.mu.Lock()
	if len(ns.items) >= MaxPlaylist {
		ns.mu.Unlock()
		return ss.playFailed(ctx, sid, req, status.PlayFailed, fmt.Sprintf("the playlist holds %d items, the most this server keeps", MaxPlaylist))
	}
	ns.items = append(ns.items, it)
	k, idle := len(ns.items)-1, !ns.active
	ns.mu.Unlock()
	if req.mode == "append" && idle {
		ss.stopPlayback(sid) // a finished playback's goroutine
		return ss.startPlayback(ctx, ns, k, it.first(), req)
	}
	ss.logPlaylist(ns, req)
	return nil
}

// replace serves switch and swap: the item named oldStreamName (switch: by default the one
// playing) is replaced by streamName. A queued item is replaced at once and announces
// Play.TransitionComplete when it starts. The playing item can only be switched — same content
// in another rendition: the old stream goes on up to the new one's next keyframe at the same
// content position, and the new one takes over there (Play.TransitionComplete).
func (ss *session) replace(ctx context.Context, sid uint32, req playRequest, old string, start, length time.Duration) error {
	ns, spec, ok, err := ss.lookup(ctx, sid, req)
	if !ok {
		return err
	}
	ns.mu.Lock()
	k := ns.items.index(old)
	if old == "" && req.mode == "switch" && ns.active {
		k = ns.cur
	}
	var problem string
	switch {
	case k < 0 && old == "" && req.mode == "swap":
		problem = "swap needs oldStreamName"
	case k < 0 && old == "":
		problem = "switch needs oldStreamName when nothing is playing"
	case k < 0:
		problem = fmt.Sprintf("oldStreamName %q is not in the playlist %v", old, ns.items.names())
	case ns.active && k < ns.cur:
		problem = fmt.Sprintf("%q has already been played", old)
	case ns.active && k == ns.cur && req.mode == "swap":
		problem = fmt.Sprintf("%q is playing; swap replaces a queued item (use switch for the playing one)", ns.items[k].spec.Name)
	case ns.active && k == ns.cur:
		cur := ns.items[k]
		ns.pending = &pendingSwitch{k: k, frame: -1, to: item{spec: spec, from: cur.from, to: min(cur.to, spec.Duration)}}
	default:
		it := newItem(spec, start, length)
		it.swapped = true
		ns.items[k] = it
	}
	ns.mu.Unlock()
	if problem != "" {
		return ss.playFailed(ctx, sid, req, status.PlayFailed, problem)
	}
	ss.logPlaylist(ns, req)
	tr := info("status", status.PlayTransition, fmt.Sprintf("Transition to %s (%s).", spec.Name, req.mode))
	tr["details"] = spec.Name
	return ss.conn.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil, tr)
}

// netStream finds the request's NetStream, answering Play.Failed when there is none (ok false).
func (ss *session) netStream(ctx context.Context, sid uint32, req playRequest) (*netStream, bool, error) {
	if ns := ss.stream(sid); ns != nil {
		return ns, true, nil
	}
	return nil, false, ss.playFailed(ctx, sid, req, status.PlayFailed, fmt.Sprintf("no stream with id %d", sid))
}

// stopTransition serves play2 stop: playback ends and the playlist is cleared.
func (ss *session) stopTransition(ctx context.Context, sid uint32, req playRequest) error {
	ns, ok, err := ss.netStream(ctx, sid, req)
	if !ok {
		return err
	}
	ss.stopPlayback(sid)
	ns.mu.Lock()
	ns.items, ns.pending = nil, nil
	ns.mu.Unlock()
	ss.logPlaylist(ns, req)
	c := ss.conn
	return errors.Join(
		c.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil, info("status", status.PlayStop, "Stopped the playlist.")),
		c.WriteUserControl(ctx, &message.UserCtrlEventStreamEOF{StreamID: sid}),
	)
}

// logPlaylist records a play2 that changed the playlist without starting a playback.
func (ss *session) logPlaylist(ns *netStream, req playRequest) {
	ns.mu.Lock()
	names := ns.items.names()
	ns.mu.Unlock()
	ss.srv.emit(Event{Kind: EventPlaylist, Session: ss.id, Client: ss.raw.RemoteAddr().String(), Stream: req.name,
		StreamID: ns.id, Command: req.command, TransMode: req.mode, SOffset: req.soffset, Playlist: names, StartFrame: -1})
}

// startPlayback serves the playlist from frame of item k. The previous playback must have
// been stopped.
func (ss *session) startPlayback(ctx context.Context, ns *netStream, k, frame int, req playRequest) error {
	ns.mu.Lock()
	it := ns.items[k]
	st := ns.items.streamTime(k, frame)
	names := ns.items.names()
	ns.active, ns.cur = true, k
	ns.mu.Unlock()
	ss.srv.emit(Event{Kind: EventPlay, Session: ss.id, Client: ss.raw.RemoteAddr().String(), Stream: it.spec.Name,
		StreamID: ns.id, Command: req.command, TransMode: req.mode, SOffset: req.soffset,
		StartFrame: frame, StartTime: st.Seconds(), Playlist: names})
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	ss.mu.Lock()
	ns.cancel, ns.done = cancel, done
	ss.players.Add(1)
	ss.mu.Unlock()
	go func() {
		defer ss.players.Done()
		defer close(done)
		defer cancel()
		ss.serve(pctx, ns, k, frame, req)
	}()
	return nil
}

// stopPlayback cancels the NetStream's playback, if any, and waits for it.
func (ss *session) stopPlayback(sid uint32) {
	ss.mu.Lock()
	ns := ss.streams[sid]
	var cancel context.CancelFunc
	var done chan struct{}
	if ns != nil {
		cancel, done = ns.cancel, ns.done
		ns.cancel, ns.done = nil, nil
	}
	ss.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	if ns != nil {
		ns.mu.Lock()
		ns.active = false
		ns.mu.Unlock()
	}
}

func (ss *session) stream(id uint32) *netStream {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.streams[id]
}

// step is what the serving loop does next.
type step struct {
	it        item
	k, i      int
	st        time.Duration // stream time of frame i
	announce  string        // onPlayStatus code to send before frame i ("" for none)
	itemStart bool          // frame i starts a new item: Play.Start and metadata first
	done      bool          // the playlist is over (active is cleared)
	total     time.Duration // the playlist's length, when done
}

// next decides, under the NetStream's lock, which frame to send after frame i of item k was
// due: a pending switch takes over at its keyframe, an ended item hands over to the next
// one, and the end of the playlist clears active in the same critical section as the check
// (an append arriving later starts a new playback).
func (ns *netStream) next(k, i int) step {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	s := step{k: k, i: i}
	if p := ns.pending; p != nil && p.k == k && k < len(ns.items) {
		cur := ns.items[k]
		if p.frame < 0 {
			if j, ok := switchPoint(cur, min(i, cur.last()), p.to); ok {
				p.frame = j
			} else {
				ns.pending = nil // no keyframe left in this item: the switch lapses
			}
		}
		if ns.pending != nil && (i > cur.last() || cur.spec.FrameTime(i) >= p.to.spec.FrameTime(p.frame)) {
			ns.items[k], s.i, s.announce = p.to, p.frame, status.PlayTransitionComplete
			ns.pending = nil
		}
	}
	for s.k < len(ns.items) && s.i > ns.items[s.k].last() {
		s.k++
		if s.k < len(ns.items) {
			s.i, s.itemStart, s.announce = ns.items[s.k].first(), true, status.PlaySwitch
			if ns.items[s.k].swapped {
				s.announce = status.PlayTransitionComplete
			}
		}
	}
	if s.k >= len(ns.items) {
		s.done, s.total, ns.active = true, ns.items.base(len(ns.items)), false
		return s
	}
	ns.cur = s.k
	s.it, s.st = ns.items[s.k], ns.items.streamTime(s.k, s.i)
	return s
}

// ahead is how far ahead of real time a playback on ns is sent: the client's buffer length,
// bounded by the server's MaxSendAhead.
func (srv *Server) ahead(ns *netStream) time.Duration {
	d := time.Duration(ns.bufferMs.Load()) * time.Millisecond
	if m := srv.cfg.MaxSendAhead; m > 0 {
		d = min(d, m)
	}
	return d
}

// serve sends the playlist from frame start of item k: an initial burst of the client's
// buffer length, then one frame per frame duration of clock time, stream time running on
// across items — frames due within paceQuantum of each other in one write, audio and video
// of a frame always together.
func (ss *session) serve(ctx context.Context, ns *netStream, k, start int, req playRequest) {
	c, clk, sid := ss.conn, ss.srv.clk, ns.id
	frames := 0
	reason := "complete"
	first := ns.next(k, start)
	defer func() {
		ss.srv.emit(Event{Kind: EventStop, Session: ss.id, Stream: first.it.spec.Name, StreamID: sid, Frames: frames,
			Reason: reason, BytesIn: c.BytesRead(), BytesOut: c.BytesWritten()})
	}()
	fail := func(err error) {
		reason = "stopped"
		if ctx.Err() == nil {
			reason = "write error: " + err.Error()
			_ = c.Close() // the read loop ends the session
		}
	}
	if first.done {
		return
	}
	if err := ss.announce(ctx, sid, first.it.spec, req, ms(first.st)); err != nil {
		fail(err)
		return
	}
	t0 := clk.Now()
	s := first
	for !s.done {
		if s.announce != "" {
			if err := ss.transition(ctx, sid, s); err != nil {
				fail(err)
				return
			}
		}
		at := t0.Add(s.st - first.st)
		if err := ss.pace(ctx, ns, at); err != nil {
			fail(err)
			return
		}
		ss.noteDue(ns, s.st, t0, at)
		if err := ss.queueFrame(ctx, sid, s); err != nil {
			fail(err)
			return
		}
		frames++
		s = ns.next(s.k, s.i+1)
	}
	if err := c.Flush(ctx); err != nil {
		fail(err)
		return
	}
	end := ms(s.total)
	err := errors.Join(
		c.WriteData(ctx, rtmpconn.CSIDData, end, sid, "onPlayStatus", map[string]any{
			"code": status.PlayComplete, "level": "status", "duration": s.total.Seconds(), "bytes": c.BytesWritten()}),
		c.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil,
			info("status", status.PlayStop, "Stopped playing "+first.it.spec.Name+".")),
		c.WriteUserControl(ctx, &message.UserCtrlEventStreamEOF{StreamID: sid}),
	)
	if err != nil {
		fail(err)
	}
}

// transition announces a change of item or rendition before its first frame: onPlayStatus
// Play.Switch (next playlist item) or Play.TransitionComplete (switch/swap in effect), then for
// a new item Play.Start, its metadata and sequence header.
func (ss *session) transition(ctx context.Context, sid uint32, s step) error {
	c, ts := ss.conn, ms(s.st)
	if err := c.WriteData(ctx, rtmpconn.CSIDData, ts, sid, "onPlayStatus", map[string]any{
		"code": s.announce, "level": "status", "details": s.it.spec.Name}); err != nil {
		return err
	}
	if !s.itemStart {
		return nil
	}
	return ss.announce(ctx, sid, s.it.spec, playRequest{}, ts)
}

// announce sends what precedes an item's media, in one system call: StreamBegin (first item),
// Play.Reset (reset only), Play.Start, metadata and the AVC sequence header.
func (ss *session) announce(ctx context.Context, sid uint32, spec media.Spec, req playRequest, ts uint32) error {
	return ss.conn.Together(ctx, func() error { return ss.writeAnnounce(ctx, sid, spec, req, ts) })
}

// writeAnnounce writes announce's messages.
func (ss *session) writeAnnounce(ctx context.Context, sid uint32, spec media.Spec, req playRequest, ts uint32) error {
	c := ss.conn
	if req.command != "" {
		if err := c.WriteUserControl(ctx, &message.UserCtrlEventStreamBegin{StreamID: sid}); err != nil {
			return err
		}
	}
	if req.reset {
		if err := c.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil,
			info("status", status.PlayReset, "Playing and resetting "+spec.Name+".")); err != nil {
			return err
		}
	}
	if err := c.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil, playStart(spec.Name)); err != nil {
		return err
	}
	// The fields in a fixed order (clients such as rtmpdump --resume compare them one by
	// one), and duration the time of the last frame, as a file writer records it (rtmpdump
	// calls a download complete when its last timestamp reaches the duration).
	meta := amf0.ECMAArray{{Key: "duration", Value: spec.FrameTime(spec.Frames() - 1).Seconds()},
		{Key: "width", Value: 16}, {Key: "height", Value: 16}, {Key: "framerate", Value: spec.FPS},
		{Key: "videocodecid", Value: 7}, {Key: "audiocodecid", Value: 3}, {Key: "audiosamplerate", Value: 5512},
		{Key: "audiosamplesize", Value: 8}, {Key: "stereo", Value: false}}
	if err := c.WriteData(ctx, rtmpconn.CSIDData, ts, sid, "onMetaData", meta); err != nil {
		return err
	}
	return c.Write(ctx, rtmpconn.CSIDVideo, ts, sid, &message.VideoMessage{Payload: bytesReader(media.AVCSequenceHeader())})
}

// ms is an RTMP timestamp.
func ms(d time.Duration) uint32 { return uint32(d.Milliseconds()) }
