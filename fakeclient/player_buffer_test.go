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
// could not join it to a run), in order, leaving the frames not yet due in the buffer.
func TestALateTickRendersEachFrameWithItsTime(t *testing.T) {
	clk := &setClock{now: time.Unix(1000, 0)}
	var got []Event
	p, err := NewPlayer(PlayerConfig{Addr: "127.0.0.1:1", Stream: "s", Clock: clk, OnEvent: func(e Event) { got = append(got, e) }})
	if err != nil {
		t.Fatal(err)
	}
	st := &playState{frameDur: media.DefaultFrame, lastTick: clk.now, started: true, playing: true, nextSamp: clk.now.Add(time.Hour)}
	for i := 0; i < 8; i++ {
		st.buf = append(st.buf, frame{id: media.Identity{Stream: "s", Index: i}, ts: time.Duration(i) * 40 * time.Millisecond})
	}
	clk.now = clk.now.Add(170 * time.Millisecond) // frames 0-4 are due
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
	}
}
