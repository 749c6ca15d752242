package fakeserver

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

func TestPlaylistLocate(t *testing.T) {
	a := media.Spec{Name: "a", Duration: 2 * time.Second, FPS: 25, KeyframeInterval: time.Second}
	b := media.Spec{Name: "b", Duration: 3 * time.Second, FPS: 25, KeyframeInterval: time.Second}
	p := playlist{newItem(a, 0, -1), newItem(b, 0, -1)}
	for _, c := range []struct {
		off      time.Duration
		k, frame int
	}{
		{0, 0, 0},
		{1500 * time.Millisecond, 0, 25},          // keyframe at or before 1.5 s of a
		{1960 * time.Millisecond, 0, 25},          // last frame of a
		{2 * time.Second, 1, 0},                   // exactly the boundary: first frame of b
		{2500 * time.Millisecond, 1, 0},           // 0.5 s into b
		{3040 * time.Millisecond, 1, 25},          // 1.04 s into b
		{time.Minute, 1, 50},                      // past the end: last keyframe
		{-time.Second, 0, 0},                      // negative: the start
		{4 * time.Second, 1, 50},                  // 2 s into b
		{4*time.Second - time.Millisecond, 1, 25}, // just before b's keyframe at 2 s
	} {
		k, frame, err := p.locate(c.off)
		if err != nil || k != c.k || frame != c.frame {
			t.Errorf("locate(%v) = item %d frame %d (%v), want item %d frame %d", c.off, k, frame, err, c.k, c.frame)
		}
	}
	if got := p.streamTime(1, 25); got != 3*time.Second {
		t.Errorf("stream time of b's frame 25 = %v, want 3s", got)
	}
	if _, _, err := (playlist{}).locate(0); err == nil {
		t.Error("locate on an empty playlist did not fail")
	}
	// start and len: start snaps to the keyframe at or before it; len 0 is one frame.
	it := newItem(b, 1500*time.Millisecond, 500*time.Millisecond)
	if it.first() != 25 || it.last() != 49 {
		t.Errorf("item b start 1.5s len 0.5s spans frames %d..%d, want 25..49", it.first(), it.last())
	}
	if one := newItem(b, time.Second, 0); one.first() != 25 || one.last() != 25 || one.dur() != 40*time.Millisecond {
		t.Errorf("len 0 item spans %d..%d (%v), want the single frame 25", one.first(), one.last(), one.dur())
	}
}

// tclient is a bare RTMP client for the server's play tests.
type tclient struct {
	t    *testing.T
	c    *rtmpconn.Conn
	sid  uint32
	ctx  context.Context
	msgs chan *rtmpconn.Message
}

func dialServer(t *testing.T, s *Server) *tclient { t.Helper(); return dialApp(t, s, "vod") }

// dialApp connects to application app (as the connect command's app field carries it).
func dialApp(t *testing.T, s *Server, app string) *tclient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	c, err := rtmpconn.Dial(ctx, s.Addr(), rtmpconn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	tc := &tclient{t: t, c: c, ctx: ctx, msgs: make(chan *rtmpconn.Message, 4096)}
	go func() {
		defer close(tc.msgs)
		for {
			m, err := c.Read()
			if err != nil {
				return
			}
			tc.msgs <- m
		}
	}()
	tc.call("connect", 1, map[string]any{"app": app, "tcUrl": "rtmp://" + s.Addr() + "/" + app})
	res := tc.call("createStream", 2, nil)
	id, _ := res.Arg(1).(float64)
	tc.sid = uint32(id)
	return tc
}

// call sends a command and waits for its _result.
func (tc *tclient) call(name string, tx int64, args ...any) *rtmpconn.Command {
	tc.t.Helper()
	if err := tc.c.WriteCommand(tc.ctx, rtmpconn.CSIDCommand, 0, name, tx, args...); err != nil {
		tc.t.Fatal(err)
	}
	for {
		m := tc.next(5 * time.Second)
		if m == nil {
			tc.t.Fatalf("no answer to %s", name)
		}
		if m.Command != nil && m.Command.TransactionID == tx && m.Command.Name == "_result" {
			return m.Command
		}
	}
}

func (tc *tclient) next(wait time.Duration) *rtmpconn.Message {
	select {
	case m := <-tc.msgs:
		return m
	case <-time.After(wait):
		return nil
	}
}

// nextVideo is the next video message, skipping any other; the test fails with why when none
// comes within wait of the previous message.
func (tc *tclient) nextVideo(wait time.Duration, why string) *rtmpconn.Message {
	tc.t.Helper()
	for {
		m := tc.next(wait)
		if m == nil {
			tc.t.Fatal(why)
		}
		if m.TypeID == message.TypeIDVideoMessage {
			return m
		}
	}
}

func (tc *tclient) play2(opts map[string]any) {
	tc.t.Helper()
	if err := tc.c.WriteCommand(tc.ctx, rtmpconn.CSIDData, tc.sid, "play2", 0, nil, opts); err != nil {
		tc.t.Fatal(err)
	}
}

func (tc *tclient) play(args ...any) {
	tc.t.Helper()
	if err := tc.c.WriteCommand(tc.ctx, rtmpconn.CSIDData, tc.sid, "play", 0, append([]any{nil}, args...)...); err != nil {
		tc.t.Fatal(err)
	}
}

// buffer asks for a burst of ms of media, so that tests need not wait for real-time pacing.
func (tc *tclient) buffer(ms uint32) {
	tc.t.Helper()
	if err := tc.c.WriteUserControl(tc.ctx, &message.UserCtrlEventSetBufferLength{StreamID: tc.sid, LengthMs: ms}); err != nil {
		tc.t.Fatal(err)
	}
}

// got is what a client saw: video frames ("name:index@ts") and status codes, in order.
type got struct {
	frames []string
	ts     []uint32
	codes  []string
	log    []string
}

// collect reads until a status code in stop arrives (or quiet for wait).
func (tc *tclient) collect(wait time.Duration, stop ...string) got {
	tc.t.Helper()
	var g got
	for {
		m := tc.next(wait)
		if m == nil {
			return g
		}
		if m.TypeID == message.TypeIDVideoMessage {
			if id, ok := media.ParseVideo(m.Payload); ok {
				g.frames = append(g.frames, fmt.Sprintf("%s:%d", id.Stream, id.Index))
				g.ts = append(g.ts, m.Timestamp)
				g.log = append(g.log, fmt.Sprintf("%s:%d@%d", id.Stream, id.Index, m.Timestamp))
			}
			continue
		}
		if code, ok := m.Command.Status(); ok {
			g.codes = append(g.codes, code)
			g.log = append(g.log, code)
			if slices.Contains(stop, code) {
				return g
			}
		}
	}
}

func frameRange(name string, first, last int) []string {
	var out []string
	for i := first; i <= last; i++ {
		out = append(out, fmt.Sprintf("%s:%d", name, i))
	}
	return out
}

// continuous fails unless the timestamps step by one 25 fps frame (40 ms) from first.
func continuous(t *testing.T, g got, first uint32) {
	t.Helper()
	for i, ts := range g.ts {
		if want := first + uint32(i)*40; ts != want {
			t.Fatalf("frame %d (%s) has timestamp %d, want %d (stream time must run on across items)\n%s",
				i, g.frames[i], ts, want, strings.Join(g.log, " "))
		}
	}
}

func playlistServer(t *testing.T) (*Server, *recorder) {
	t.Helper()
	spec := func(name string, d time.Duration) media.Spec {
		return media.Spec{Name: name, Duration: d, FPS: 25, KeyframeInterval: time.Second}
	}
	return newServer(t, Config{Streams: []media.Spec{spec("a", 2*time.Second), spec("a-hd", 2*time.Second),
		spec("b", time.Second), spec("d", time.Second)}})
}

func (r *recorder) all(kind string) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.evs {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func TestPlay2ResetAppendPlaysThePlaylistWithContinuousStreamTime(t *testing.T) {
	s, _ := playlistServer(t)
	tc := dialServer(t, s)
	// Paced (no buffer yet), so that the append arrives while a plays; then a burst.
	tc.play2(map[string]any{"streamName": "a", "transition": "reset"})
	tc.play2(map[string]any{"streamName": "b", "transition": "append"})
	tc.buffer(60000)
	g := tc.collect(5*time.Second, "NetStream.Play.Complete")
	want := append(frameRange("a", 0, 49), frameRange("b", 0, 24)...)
	if !slices.Equal(g.frames, want) {
		t.Fatalf("frames:\n%s", strings.Join(g.log, " "))
	}
	continuous(t, g, 0)
	for _, code := range []string{"NetStream.Play.Reset", "NetStream.Play.Start", "NetStream.Play.Switch", "NetStream.Play.Complete"} {
		if !slices.Contains(g.codes, code) {
			t.Errorf("no %s among %v", code, g.codes)
		}
	}
}

func TestPlay2AppendAndWaitStreamsNothingUntilResume(t *testing.T) {
	s, rec := playlistServer(t)
	tc := dialServer(t, s)
	tc.buffer(60000)
	tc.play2(map[string]any{"streamName": "a", "transition": "appendAndWait"})
	tc.play2(map[string]any{"streamName": "b", "transition": "appendAndWait"})
	if g := tc.collect(300 * time.Millisecond); len(g.frames) > 0 || len(g.codes) > 0 {
		t.Fatalf("appendAndWait streamed something: %v", g.log)
	}
	// Resume 1.5 s into the playlist: item a, from its keyframe at 1 s.
	tc.play2(map[string]any{"streamName": "b", "transition": "resume", "offset": 1.5})
	g := tc.collect(5*time.Second, "NetStream.Play.Complete")
	want := append(frameRange("a", 25, 49), frameRange("b", 0, 24)...)
	if !slices.Equal(g.frames, want) {
		t.Fatalf("frames after resume:\n%s", strings.Join(g.log, " "))
	}
	continuous(t, g, 1000)
	if slices.Contains(g.codes, "NetStream.Play.Reset") {
		t.Error("resume announced Play.Reset")
	}
	pl := rec.all(EventPlaylist)
	if len(pl) != 2 || pl[0].TransMode != "appendAndWait" || !slices.Equal(pl[1].Playlist, []string{"a", "b"}) {
		t.Fatalf("playlist events: %+v", pl)
	}
	plays := rec.all(EventPlay)
	if len(plays) != 1 || plays[0].TransMode != "resume" || plays[0].SOffset != 1.5 || plays[0].StartTime != 1 ||
		plays[0].Stream != "a" || !slices.Equal(plays[0].Playlist, []string{"a", "b"}) {
		t.Fatalf("play events: %+v", plays)
	}

	// A resume into the second item, on a fresh session: offset 2.5 s is 0.5 s into b.
	tc2 := dialServer(t, s)
	tc2.buffer(60000)
	tc2.play2(map[string]any{"streamName": "a", "transition": "appendAndWait"})
	tc2.play2(map[string]any{"streamName": "b", "transition": "resume", "offset": 2.5})
	g = tc2.collect(5*time.Second, "NetStream.Play.Complete")
	if !slices.Equal(g.frames, frameRange("b", 0, 24)) {
		t.Fatalf("frames after resume into b:\n%s", strings.Join(g.log, " "))
	}
	continuous(t, g, 2000)
}

func TestPlay2SwitchSwapStopAndUnknown(t *testing.T) {
	s, _ := playlistServer(t)

	t.Run("switch the playing item at the next keyframe", func(t *testing.T) {
		tc := dialServer(t, s)
		tc.buffer(400) // paced: the switch arrives while a is playing
		tc.play2(map[string]any{"streamName": "a", "transition": "reset"})
		first := tc.collect(5*time.Second, "NetStream.Play.Start")
		tc.play2(map[string]any{"streamName": "a-hd", "oldStreamName": "a", "transition": "switch"})
		g := tc.collect(5*time.Second, "NetStream.Play.Complete")
		frames := append(first.frames, g.frames...)
		want := append(frameRange("a", 0, 24), frameRange("a-hd", 25, 49)...)
		if !slices.Equal(frames, want) {
			t.Fatalf("frames around the switch:\n%s %s", strings.Join(first.log, " "), strings.Join(g.log, " "))
		}
		continuous(t, got{frames: frames, ts: append(first.ts, g.ts...), log: g.log}, 0)
		if !slices.Contains(g.codes, "NetStream.Play.Transition") || !slices.Contains(g.codes, "NetStream.Play.TransitionComplete") {
			t.Errorf("codes %v lack Play.Transition / Play.TransitionComplete", g.codes)
		}
	})

	t.Run("swap a queued item", func(t *testing.T) {
		tc := dialServer(t, s)
		tc.play2(map[string]any{"streamName": "a", "transition": "reset"})
		tc.play2(map[string]any{"streamName": "b", "transition": "append"})
		tc.play2(map[string]any{"streamName": "d", "oldStreamName": "b", "transition": "swap"})
		tc.buffer(60000)
		g := tc.collect(5*time.Second, "NetStream.Play.Complete")
		if want := append(frameRange("a", 0, 49), frameRange("d", 0, 24)...); !slices.Equal(g.frames, want) {
			t.Fatalf("frames after swapping b for d:\n%s", strings.Join(g.log, " "))
		}
		continuous(t, g, 0)
		if !slices.Contains(g.codes, "NetStream.Play.TransitionComplete") {
			t.Errorf("codes %v lack Play.TransitionComplete", g.codes)
		}
	})

	t.Run("swap the playing item fails, unknown transition fails, the session lives on", func(t *testing.T) {
		tc := dialServer(t, s)
		tc.play2(map[string]any{"streamName": "a", "transition": "reset"})
		tc.play2(map[string]any{"streamName": "d", "oldStreamName": "a", "transition": "swap"})
		tc.play2(map[string]any{"streamName": "a", "transition": "rewind"})
		g := tc.collect(5*time.Second, "NetStream.Play.Failed")
		g2 := tc.collect(5*time.Second, "NetStream.Play.Failed")
		if len(g.codes) == 0 || len(g2.codes) == 0 {
			t.Fatalf("expected two Play.Failed, got %v then %v", g.codes, g2.codes)
		}
		tc.play2(map[string]any{"transition": "stop"})
		g = tc.collect(5*time.Second, "NetStream.Play.Stop")
		if !slices.Contains(g.codes, "NetStream.Play.Stop") {
			t.Fatalf("stop: %v", g.codes)
		}
		if rest := tc.collect(300 * time.Millisecond); len(rest.frames) > 0 {
			t.Fatalf("frames after stop: %v", rest.log)
		}
		tc.buffer(60000)
		tc.play2(map[string]any{"streamName": "b", "transition": "reset"})
		if g := tc.collect(5*time.Second, "NetStream.Play.Complete"); !slices.Equal(g.frames, frameRange("b", 0, 24)) {
			t.Fatalf("after the failures a reset did not play: %v", g.log)
		}
	})
}

func TestPlayStartLenReset(t *testing.T) {
	s, _ := playlistServer(t)
	tc := dialServer(t, s)
	tc.buffer(60000)
	// start 1000 ms, len 500 ms: from the keyframe at 1 s up to 1.5 s.
	tc.play("a", 1000.0, 500.0, true)
	g := tc.collect(5*time.Second, "NetStream.Play.Complete")
	if !slices.Equal(g.frames, frameRange("a", 25, 37)) {
		t.Fatalf("play a 1000 500: %v", g.log)
	}
	// len 0: a single frame; then reset false appends to the finished playlist and plays on.
	tc.play("b", 0.0, 0.0, true)
	g = tc.collect(5*time.Second, "NetStream.Play.Complete")
	if !slices.Equal(g.frames, []string{"b:0"}) {
		t.Fatalf("play b len 0: %v", g.log)
	}
	tc.play("d", -2000.0, -1.0, false)
	g = tc.collect(5*time.Second, "NetStream.Play.Complete")
	if !slices.Equal(g.frames, frameRange("d", 0, 24)) || slices.Contains(g.codes, "NetStream.Play.Reset") {
		t.Fatalf("play d appended: %v", g.log)
	}
	continuous(t, g, 40) // after b's single frame
	// start -1: live only; nobody publishes a, so the player is told Play.Start and waits.
	tc.play("a", -1000.0)
	if g := tc.collect(300 * time.Millisecond); !slices.Contains(g.codes, "NetStream.Play.Start") || len(g.frames) > 0 {
		t.Fatalf("live-only play: %v", g.log)
	}
}

// Every transition that replaces a playback stops it mid-stream; the connection must stay
// usable for what follows (once, a stopped playback's cancelled write broke every later write
// and the next Play.Start closed the session).
func TestTransitionsDuringPlaybackKeepTheConnection(t *testing.T) {
	s, rec := playlistServer(t)
	tc := dialServer(t, s)
	tc.buffer(60000) // a burst: the server is writing when each transition arrives
	const rounds = 40
	for i := range rounds {
		if i%2 == 0 {
			tc.play2(map[string]any{"streamName": "a", "transition": "reset"})
		} else {
			tc.play2(map[string]any{"streamName": "a", "transition": "resume", "offset": 1.0})
		}
	}
	tc.play2(map[string]any{"streamName": "b", "transition": "reset"})
	var g got
	for range rounds + 1 { // a burst plays a to its end at times: collect up to b's end
		more := tc.collect(5*time.Second, "NetStream.Play.Complete")
		g.frames, g.log = append(g.frames, more.frames...), append(g.log, more.log...)
		if len(more.frames) == 0 || more.frames[len(more.frames)-1] == "b:24" {
			break
		}
	}
	if starts := len(rec.all(EventPlay)); starts != rounds+1 {
		t.Fatalf("the server started %d playbacks, want %d\n%s", starts, rounds+1, strings.Join(g.log, " "))
	}
	if n := len(g.frames); n < 25 || g.frames[n-1] != "b:24" {
		t.Fatalf("the last playback did not reach its end:\n%s", strings.Join(g.log, " "))
	}
	for _, e := range rec.all(EventStop) {
		if strings.Contains(e.Reason, "error") {
			t.Fatalf("a playback ended with %q", e.Reason)
		}
	}
	if _, gone := rec.find(EventDisconnect); gone {
		t.Fatal("the session was closed")
	}
}

// A player asking a 10 s buffer of a server bounded to 500 ms ahead gets the frame at 2 s 1.5 s
// after the first (checked as at least 1 s: only a first frame delayed 0.5 s more than the
// later one could come closer); unbounded, the whole clip would come at once.
func TestMaxSendAheadBoundsTheBurst(t *testing.T) {
	s, _ := newServer(t, Config{MaxSendAhead: 500 * time.Millisecond,
		Streams: []media.Spec{{Name: "a", Duration: 3 * time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	tc := dialServer(t, s)
	tc.buffer(10000)
	tc.play("a", 0.0)
	var first time.Time
	for {
		m := tc.nextVideo(5*time.Second, "no frame at 2 s within 5 s")
		if first.IsZero() {
			first = time.Now()
		}
		if m.Timestamp >= 2000 {
			if took := time.Since(first); took < time.Second {
				t.Fatalf("the frame at 2 s came %v after the first: sent more than 500 ms ahead", took)
			}
			return
		}
	}
}

// Endless appends from one connection are refused past MaxPlaylist; the session lives on.
func TestPlaylistIsBounded(t *testing.T) {
	s, _ := playlistServer(t)
	tc := dialServer(t, s)
	for range MaxPlaylist + 5 {
		tc.play2(map[string]any{"streamName": "b", "transition": "appendAndWait"})
	}
	g := tc.collect(5*time.Second, "NetStream.Play.Failed")
	if !slices.Contains(g.codes, "NetStream.Play.Failed") {
		t.Fatalf("no Play.Failed after %d appends: %v", MaxPlaylist+5, g.log)
	}
	tc.play2(map[string]any{"streamName": "b", "transition": "reset"})
	if g := tc.collect(5*time.Second, "NetStream.Play.Complete"); !slices.Equal(g.frames, frameRange("b", 0, 24)) {
		t.Fatalf("the session after the refusal: %v", g.log)
	}
}

// A player asking a 2 s buffer gets the frames past its burst a pace quantum (500 ms) at a
// time — a few writes a second rather than one a frame — and never a frame earlier than its
// turn less the send-ahead, the quantum and the lead, counted from the play request (load
// only delays).
func TestPacingSendsFramesDueTogether(t *testing.T) {
	s, _ := newServer(t, Config{Streams: []media.Spec{{Name: "a", Duration: 5 * time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	tc := dialServer(t, s)
	tc.buffer(2000)
	asked := time.Now()
	tc.play("a", 0.0)
	const ahead, quantum, tolerance = 2 * time.Second, maxPaceQuantum + maxPaceQuantum/4, 5 * time.Millisecond
	groups, paced := 0, 0
	var last time.Time
	for {
		m := tc.nextVideo(10*time.Second, "the clip did not reach its end within 10 s")
		now, ts := time.Now(), time.Duration(m.Timestamp)*time.Millisecond
		if early := asked.Add(ts - ahead - quantum - tolerance); now.Before(early) {
			t.Fatalf("the frame at %v came %v after the request, before its turn less send-ahead, quantum and lead", ts, now.Sub(asked))
		}
		if ts > ahead+quantum {
			paced++
			if now.Sub(last) > 20*time.Millisecond {
				groups++
			}
		}
		last = now
		if m.Timestamp >= 4960 {
			break
		}
	}
	t.Logf("%d paced frames in %d writes", paced, groups)
	if paced < 50 || groups > 12 { // 5 writes expected; a 100 ms quantum would make 25
		t.Fatalf("%d paced frames came in %d separate writes: want them grouped a quantum at a time", paced, groups)
	}
}
