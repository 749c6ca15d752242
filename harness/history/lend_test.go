package history

import (
	"context"
	"testing"
	"time"
)

// TestLentRunsKeepWhatTheyHeld: a run changes in place only while nothing but the recording
// holds it. The actor's own Range is never changed; what a Wait returned (at once, or once the
// run grew while it waited) and what a Select or a History copied keeps the frames and samples
// it had when more join the run afterwards; and the recording itself has them all.
func TestLentRunsKeepWhatTheyHeld(t *testing.T) {
	f := frameRec{NewRecorder(nil, "x")}
	r := f.r
	first := &Range{First: 0, Last: 0}
	st := 0.0
	r.RecordAt(r.Start(), Event{Source: "p", Kind: KindClientRendered, Conn: 1, Stream: "s", Frames: first, StartTime: &st})
	r.RecordAt(r.Start(), sampleOf("p", 1, 0))
	next := 1
	grow := func(n int) { // n more frames and samples, 40 ms apart
		for ; n > 0; n-- {
			at := time.Duration(next) * 40 * time.Millisecond
			f.frame("p", KindClientRendered, 1, next, float64(next)*0.04, at)
			r.RecordAt(r.Start().Add(at), sampleOf("p", 1, next))
			next++
		}
	}
	grow(2) // in place from here on: nothing lent yet
	if first.Last != 0 {
		t.Fatalf("the actor's own Range became %+v", *first)
	}
	frames := func(e Event) bool { return e.Kind == KindClientRendered }
	waited, err := r.Wait(context.Background(), frames)
	if err != nil {
		t.Fatal(err)
	}
	waitedSamples, err := r.Wait(context.Background(), func(e Event) bool { return e.Kind == KindClientBuffer })
	if err != nil {
		t.Fatal(err)
	}
	grow(2)
	selected := r.Select(func(e Event) bool { return true })
	grow(2)
	h := r.History()
	grow(2)
	samples := func(evs []Event) int {
		for _, e := range evs {
			if e.Kind == KindClientBuffer {
				return len(e.BufferSamples())
			}
		}
		return 0
	}
	lastFrame := func(evs []Event) int {
		for _, e := range evs {
			if frames(e) {
				return e.Frames.Last
			}
		}
		return -1
	}
	for _, tc := range []struct {
		name           string
		last, nSamples int
		wantLast, want int
	}{
		{"the Wait's runs", waited.Frames.Last, len(waitedSamples.BufferSamples()), 2, 3},
		{"the Select's", lastFrame(selected), samples(selected), 4, 5},
		{"the History's", lastFrame(h.Events), samples(h.Events), 6, 7},
		{"the recording", lastFrame(r.History().Events), samples(r.History().Events), 8, 9},
	} {
		if tc.last != tc.wantLast || tc.nSamples != tc.want {
			t.Errorf("%s: frames to %d and %d samples, want %d and %d", tc.name, tc.last, tc.nSamples, tc.wantLast, tc.want)
		}
	}
	// A Wait already under way when the run grows to what it waits for.
	want := next
	got := make(chan Event, 1)
	go func() {
		e, _ := r.Wait(context.Background(), func(e Event) bool { return frames(e) && e.Frames.Last >= want })
		got <- e
	}()
	waiting(t, r)
	grow(1)
	var grown Event
	select {
	case grown = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the Wait never saw the run grow")
	}
	grow(2)
	if grown.Frames.Last != want {
		t.Errorf("the run a Wait under way returned: frames to %d, want %d", grown.Frames.Last, want)
	}
	if n := len(waited.Arrivals); n != 3 {
		t.Errorf("the Wait's run has %d arrivals, want 3", n)
	}
	if first.Last != 0 {
		t.Errorf("the actor's own Range became %+v", *first)
	}
}
