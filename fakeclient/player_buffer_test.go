package fakeclient

import (
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/spec"
)

// setClock is a clock a test moves by hand.
type setClock struct{ now time.Time }

func (c *setClock) Now() time.Time                       { return c.now }
func (c *setClock) After(time.Duration) <-chan time.Time { return make(chan time.Time) }

// clockedPlayer is a player on a clock the test sets, and the events it emits.
func clockedPlayer(t *testing.T) (*setClock, *Player, *[]Event) {
	t.Helper()
	clk := &setClock{now: time.Unix(1000, 0)}
	var got []Event
	p, err := NewPlayer(PlayerConfig{Addr: "127.0.0.1:1", Stream: "s", Clock: clk, OnEvent: func(e Event) { got = append(got, e) }})
	if err != nil {
		t.Fatal(err)
	}
	return clk, p, &got
}

// A tick that comes late and passes several frames renders each as an event of its own, with
// its own stream time (one event for the lot gave the first frame's time only, and the history
// could not join it to a run) and its own turn (the playing player sleeps until its buffer
// would run dry, so every tick passes several), in order, leaving the frames not yet due in
// the buffer; a frame that arrived after its turn is not rendered before it arrived.
func TestALateTickRendersEachFrameWithItsTime(t *testing.T) {
	clk, p, got := clockedPlayer(t)
	t0 := clk.now
	st := &playState{frameDur: media.DefaultFrame, lastTick: clk.now, started: true, playing: true, nextSamp: clk.now.Add(time.Hour)}
	for i := 0; i < 8; i++ {
		st.buf = append(st.buf, frame{id: media.Identity{Stream: "s", Index: i}, ts: time.Duration(i) * 40 * time.Millisecond, arrived: t0})
	}
	st.buf[4].arrived = t0.Add(165 * time.Millisecond) // after its turn at 160 ms
	clk.now = clk.now.Add(170 * time.Millisecond)      // frames 0-4 are due
	if _, err := p.tick(st); err != nil {
		t.Fatal(err)
	}
	var rendered []Event
	for _, e := range *got {
		if e.Kind == EventRendered {
			rendered = append(rendered, e)
		}
	}
	if len(rendered) != 5 || len(st.buf) != 3 {
		t.Fatalf("%d rendered events, %d frames left; want 5 and 3: %+v", len(rendered), len(st.buf), rendered)
	}
	for i, e := range rendered {
		if e.First != i || e.Last != i || e.StreamTime != time.Duration(i)*40*time.Millisecond {
			t.Fatalf("event %d: frames %d-%d at stream time %v, want frame %d at %v", i, e.First, e.Last, e.StreamTime, i, time.Duration(i)*40*time.Millisecond)
		}
		want := t0.Add(time.Duration(i) * 40 * time.Millisecond)
		if i == 4 {
			want = t0.Add(165 * time.Millisecond)
		}
		if !e.Time.Equal(want) {
			t.Fatalf("frame %d rendered at %v, want %v (its turn, or its arrival when later)", i, e.Time.Sub(t0), want.Sub(t0))
		}
	}
}

// A playing player sleeps until its buffer would run dry (bounded by maxTick and its next
// sample), not until its next frame's turn: 25 wake-ups a second were most of a player's cost;
// one not playing sleeps until its next sample (what arrives wakes it), not 10 ms.
func TestAPlayingPlayerSleepsUntilItsBufferRunsDry(t *testing.T) {
	clk := &setClock{now: time.Unix(1000, 0)}
	p, err := NewPlayer(PlayerConfig{Addr: "127.0.0.1:1", Stream: "s", Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	st := &playState{frameDur: media.DefaultFrame, lastTick: clk.now, started: true, playing: true, nextSamp: clk.now.Add(time.Hour)}
	for i := 0; i < 10; i++ { // frames 0-9: the buffer runs dry at 400 ms
		st.buf = append(st.buf, frame{id: media.Identity{Stream: "s", Index: i}, ts: time.Duration(i) * 40 * time.Millisecond})
	}
	st.heldTs = st.buf[9].ts
	if d := p.nextTick(st); d != 400*time.Millisecond {
		t.Fatalf("slept %v with 400 ms buffered, want 400ms", d)
	}
	st.nextSamp = clk.now.Add(250 * time.Millisecond) // a sample does not wake it
	if d := p.nextTick(st); d != 400*time.Millisecond {
		t.Fatalf("slept %v with a sample due in 250 ms, want 400ms", d)
	}
	st.heldTs = time.Minute
	if d := p.nextTick(st); d != maxTick {
		t.Fatalf("slept %v with a minute buffered, want maxTick (%v)", d, maxTick)
	}
	// Not playing (connecting, buffering, ran dry): what arrives wakes it, or maxTick.
	st.playing, st.buf, st.heldTs = false, nil, 0
	if d := p.nextTick(st); d != maxTick {
		t.Fatalf("slept %v while not playing, want maxTick (%v)", d, maxTick)
	}
	// Its stall check wakes it, at most every Tick.
	p.cfg.StallMonitor = &StallMonitor{Interval: spec.Duration(time.Second), Ticks: 2}
	st.nextCheck = clk.now.Add(300 * time.Millisecond)
	if d := p.nextTick(st); d != 300*time.Millisecond {
		t.Fatalf("slept %v with a stall check due in 300 ms, want 300ms", d)
	}
	st.nextCheck = clk.now.Add(-time.Second)
	if d := p.nextTick(st); d != 10*time.Millisecond {
		t.Fatalf("slept %v with a stall check overdue, want Tick (10ms)", d)
	}
}

// Buffer samples do not wake the player: when it wakes, it records those due since, each at
// its own time, with the playhead where it was then (stopped where its buffer ends) and the
// byte count of its last wake.
func TestSamplesDueAreRecordedAtTheirOwnTimes(t *testing.T) {
	clk, p, got := clockedPlayer(t)
	t0 := clk.now
	st := &playState{frameDur: media.DefaultFrame, lastTick: t0, started: true, playing: true, playhead: time.Second,
		nextSamp: t0.Add(250 * time.Millisecond), seenBytes: 4096,
		heldTs: 1600 * time.Millisecond, buf: []frame{{ts: 1600 * time.Millisecond}}} // its buffer ends at 1.64 s
	clk.now = t0.Add(900 * time.Millisecond) // woken 900 ms later: samples at 250, 500 and 750 ms
	p.samplesDue(st, clk.now)
	samples := *got
	want := []struct{ at, playhead, buffer time.Duration }{
		{250 * time.Millisecond, 1250 * time.Millisecond, 390 * time.Millisecond},
		{500 * time.Millisecond, 1500 * time.Millisecond, 140 * time.Millisecond},
		{750 * time.Millisecond, 1640 * time.Millisecond, 0}, // stopped where its buffer ends
	}
	if len(samples) != len(want) {
		t.Fatalf("%d samples, want %d: %+v", len(samples), len(want), samples)
	}
	for i, w := range want {
		e := samples[i]
		if e.Kind != EventSample || e.Time.Sub(t0) != w.at || e.Playhead != w.playhead || e.BufferLength != w.buffer || e.BytesIn != 4096 {
			t.Fatalf("sample %d: %s at %v, playhead %v, buffer %v, %d bytes; want at %v, playhead %v, buffer %v, 4096 bytes",
				i, e.Kind, e.Time.Sub(t0), e.Playhead, e.BufferLength, e.BytesIn, w.at, w.playhead, w.buffer)
		}
	}
	if !st.nextSamp.Equal(t0.Add(time.Second)) {
		t.Fatalf("next sample at %v, want 1s", st.nextSamp.Sub(t0))
	}
}

// Rendered frames leave their room to the frames still held: what remains moves to the front
// of the same array, so arrivals after a render fill it rather than copying the buffer into a
// new one (slicing past rendered frames did, 100 MB over a 2,000-player run).
func TestRenderedFramesLeaveTheirRoom(t *testing.T) {
	clk, p, _ := clockedPlayer(t)
	st := &playState{frameDur: media.DefaultFrame, lastTick: clk.now, started: true, playing: true, nextSamp: clk.now.Add(time.Hour)}
	add := func(i int) {
		st.buf = append(st.buf, frame{id: media.Identity{Stream: "s", Index: i}, ts: time.Duration(i) * 40 * time.Millisecond, arrived: clk.now})
	}
	for i := 0; i < 8; i++ {
		add(i)
	}
	base, room := &st.buf[:1][0], cap(st.buf)
	clk.now = clk.now.Add(170 * time.Millisecond) // frames 0-4 are due
	if _, err := p.tick(st); err != nil {
		t.Fatal(err)
	}
	if len(st.buf) != 3 || st.buf[0].id.Index != 5 || st.buf[2].id.Index != 7 {
		t.Fatalf("left %+v, want frames 5-7", st.buf)
	}
	for i := 8; i < 8+room-3; i++ {
		add(i)
	}
	if &st.buf[0] != base || cap(st.buf) != room {
		t.Fatalf("%d arrivals after a render took a new array (cap %d, was %d)", room-3, cap(st.buf), room)
	}
}
