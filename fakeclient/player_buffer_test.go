package fakeclient

import (
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/media"
)

// setClock is a clock a test moves by hand.
type setClock struct{ now time.Time }

func (c *setClock) Now() time.Time                       { return c.now }
func (c *setClock) After(time.Duration) <-chan time.Time { return make(chan time.Time) }

// A tick that comes late and passes several frames renders each as an event of its own, with
// its own stream time (one event for the lot gave the first frame's time only, and the history
// could not join it to a run) and its own turn (the playing player sleeps until its buffer
// would run dry, so every tick passes several), in order, leaving the frames not yet due in
// the buffer; a frame that arrived after its turn is not rendered before it arrived.
func TestALateTickRendersEachFrameWithItsTime(t *testing.T) {
	clk := &setClock{now: time.Unix(1000, 0)}
	var got []Event
	p, err := NewPlayer(PlayerConfig{Addr: "127.0.0.1:1", Stream: "s", Clock: clk, OnEvent: func(e Event) { got = append(got, e) }})
	if err != nil {
		t.Fatal(err)
	}
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
	for _, e := range got {
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
	st.nextSamp = clk.now.Add(250 * time.Millisecond)
	if d := p.nextTick(st); d != 250*time.Millisecond {
		t.Fatalf("slept %v with a sample due in 250 ms, want 250ms", d)
	}
	st.nextSamp, st.heldTs = clk.now.Add(time.Hour), time.Minute
	if d := p.nextTick(st); d != maxTick {
		t.Fatalf("slept %v with a minute buffered, want maxTick (%v)", d, maxTick)
	}
	// Not playing (connecting, buffering, ran dry): what arrives wakes it, and its sample.
	st.playing, st.buf, st.heldTs = false, nil, 0
	if d := p.nextTick(st); d != maxTick {
		t.Fatalf("slept %v while not playing, want maxTick (%v)", d, maxTick)
	}
	st.nextSamp = clk.now.Add(250 * time.Millisecond)
	if d := p.nextTick(st); d != 250*time.Millisecond {
		t.Fatalf("slept %v while not playing with a sample due in 250 ms, want 250ms", d)
	}
	st.nextSamp = clk.now.Add(-time.Second) // overdue: at most every Tick
	if d := p.nextTick(st); d != 10*time.Millisecond {
		t.Fatalf("slept %v with a sample overdue, want Tick (10ms)", d)
	}
}
