package history

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestRecorderOrders(t *testing.T) {
	r := NewRecorder(nil, "x")
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				r.Record(Event{Source: "c", Kind: KindClientStatus})
			}
		}()
	}
	wg.Wait()
	r.RecordAt(r.Start().Add(-time.Second), Event{Source: "early", Kind: KindRunStart})
	h := r.History()
	if len(h.Events) != 201 || h.Events[0].Source != "early" || h.Events[0].At != -time.Second {
		t.Fatalf("order: %d events, first %+v", len(h.Events), h.Events[0])
	}
	for i := 1; i < len(h.Events); i++ {
		if h.Events[i].At < h.Events[i-1].At {
			t.Fatalf("event %d goes back in time", i)
		}
	}
}

// TestRecorderAcrossChunks: events past the first chunk are kept in order, waited for and
// all returned.
func TestRecorderAcrossChunks(t *testing.T) {
	r := NewRecorder(nil, "x")
	n := 2*recordChunk + 10
	got := make(chan Event, 1)
	go func() {
		ev, err := r.Wait(context.Background(), func(e Event) bool { return e.Count == n-1 })
		if err != nil {
			t.Error(err)
		}
		got <- ev
	}()
	for i := 0; i < n; i++ {
		r.Record(Event{Source: "c", Kind: KindClientStatus, Count: i})
	}
	if ev := <-got; ev.Count != n-1 || ev.Seq != n-1 {
		t.Fatalf("waited for the last event, got %+v", ev)
	}
	h := r.History()
	if len(h.Events) != n || r.Len() != n {
		t.Fatalf("%d events, Len %d, want %d", len(h.Events), r.Len(), n)
	}
	for i, e := range h.Events {
		if e.Count != i || e.Seq != i {
			t.Fatalf("event %d is %+v", i, e)
		}
	}
}

// TestRecorderSelect: Select returns the matching events as recorded.
func TestRecorderSelect(t *testing.T) {
	r := NewRecorder(nil, "x")
	for i := 0; i < recordChunk+3; i++ {
		k := KindClientStatus
		if i%1000 == 0 {
			k = KindFaultStart
		}
		r.Record(Event{Source: "c", Kind: k, Count: i})
	}
	got := r.Select(func(e Event) bool { return e.Kind == KindFaultStart })
	if len(got) != 5 || got[4].Count != 4000 {
		t.Fatalf("selected %+v", got)
	}
}

// TestFinishLetsGo: Finish returns what History would, a Wait under way or begun later finds
// nothing more (and does not fail), and what is recorded after it is dropped.
func TestFinishLetsGo(t *testing.T) {
	r := NewRecorder(nil, "x")
	r.Record(Event{Source: "c", Kind: KindClientStatus})
	r.Record(Event{Source: "c", Kind: KindClientReceived, Frames: &Range{First: 0, Last: 0}, StartTime: new(float64)})
	want := len(r.History().Events)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	waited := make(chan error, 1)
	go func() {
		_, err := r.Wait(ctx, func(e Event) bool { return e.Source == "late" })
		waited <- err
	}()
	h := r.Finish()
	if len(h.Events) != want || want != 2 {
		t.Fatalf("Finish gave %d events, History %d (want 2)", len(h.Events), want)
	}
	r.Record(Event{Source: "late", Kind: KindClientStatus})
	if err := <-waited; err == nil {
		t.Fatal("a Wait found an event recorded after Finish")
	}
	if n := len(r.History().Events); n != 0 {
		t.Fatalf("after Finish the recorder still holds %d events", n)
	}
}

// TestFinishGathersEveryChunk: a recording large enough to be copied by several workers comes
// out of Finish with every event once, in time order, as History gives it just before.
func TestFinishGathersEveryChunk(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2)) // the workers run even on one core
	r := NewRecorder(nil, "x")
	n := 2*gatherChunks*recordChunk + 17
	base := r.Start()
	for i := range n {
		// Late and early stamps across chunks, so that the copy's order matters to the sort.
		at := time.Duration((i*7919)%n) * time.Microsecond
		r.RecordAt(base.Add(at), Event{Source: "c", Kind: KindClientStatus, Count: i})
	}
	want := r.History().Events
	got := r.Finish().Events
	if len(got) != n || len(want) != n {
		t.Fatalf("Finish gave %d events, History %d, recorded %d", len(got), len(want), n)
	}
	seen := make([]bool, n)
	for i, e := range got {
		if e.Count != want[i].Count || e.At != want[i].At {
			t.Fatalf("event %d: Finish %d at %v, History %d at %v", i, e.Count, e.At, want[i].Count, want[i].At)
		}
		if seen[e.Count] {
			t.Fatalf("event %d recorded once, taken twice", e.Count)
		}
		seen[e.Count] = true
		if e.Seq != e.Count {
			t.Fatalf("event %d has Seq %d", e.Count, e.Seq)
		}
		if i > 0 && inOrder(got[i-1].At, got[i-1].Seq, e.At, e.Seq) > 0 {
			t.Fatalf("events %d and %d out of order", i-1, i)
		}
	}
}
