package fakeclient

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// batch is a one-request batch whose offset names it.
func batch(i int) []play2Cmd { return []play2Cmd{{offset: float64(i)}} }

// slowFirst is a writer whose first write (batch 0) signals entered and waits for release,
// then returns firstOK; every other write is recorded, in order, in what wrote returns.
func slowFirst(firstOK bool) (w *playWriter, wrote func() []float64, entered, release chan struct{}) {
	var mu sync.Mutex
	var got []float64
	entered, release = make(chan struct{}, 1), make(chan struct{})
	w = newPlayWriter(func(cmds []play2Cmd) bool {
		if cmds[0].offset == 0 {
			entered <- struct{}{}
			<-release
			if !firstOK {
				return false
			}
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, cmds[0].offset)
		return true
	})
	return w, func() []float64 { mu.Lock(); defer mu.Unlock(); return slices.Clone(got) }, entered, release
}

// The writer writes batches in the order they were queued, also those queued while a write is
// under way; it has no goroutine while nothing waits; it refuses a batch beyond
// maxQueuedPlays; and once stopped it writes nothing more.
func TestPlayWriterOrderBoundAndStop(t *testing.T) {
	w, wrote, entered, release := slowFirst(true)
	if !w.add(batch(0)) {
		t.Fatal("the first batch was refused")
	}
	<-entered // the first write is slow: the rest queue behind it
	for i := 1; i <= maxQueuedPlays; i++ {
		if !w.add(batch(i)) {
			t.Fatalf("batch %d refused with %d waiting", i, i-1)
		}
	}
	if w.add(batch(maxQueuedPlays + 1)) {
		t.Fatalf("a batch beyond %d waiting was taken", maxQueuedPlays)
	}
	close(release)
	waitIdle(t, w)
	got := wrote()
	if len(got) != maxQueuedPlays+1 {
		t.Fatalf("wrote %d batches, want %d", len(got), maxQueuedPlays+1)
	}
	for i, off := range got {
		if off != float64(i) {
			t.Fatalf("batch %d written as number %d: the order was %v", int(off), i, got)
		}
	}
	w.stop()
	if !w.add(batch(99)) {
		t.Error("a batch after stop was refused rather than dropped")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.running || len(w.queue) > 0 {
		t.Errorf("a batch queued after stop was taken to be written (writing %v, queued %d)", w.running, len(w.queue))
	}
}

// waitIdle waits until no goroutine of w is writing.
func waitIdle(t *testing.T, w *playWriter) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		w.mu.Lock()
		idle := !w.running
		w.mu.Unlock()
		if idle {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the writer never went idle")
		}
		time.Sleep(time.Millisecond)
	}
}

// A failed write ends the writer: what waited behind it, and what comes after, is dropped.
func TestPlayWriterEndsOnAFailedWrite(t *testing.T) {
	w, wrote, entered, release := slowFirst(false)
	defer w.stop()
	w.add(batch(0))
	<-entered
	w.add(batch(1))
	close(release)
	waitIdle(t, w)
	w.add(batch(2))
	waitIdle(t, w)
	if got := wrote(); len(got) != 0 {
		t.Errorf("batches written after a failed write: %v", got)
	}
}

// stop returns only once the write under way has ended.
func TestPlayWriterStopWaitsForTheWrite(t *testing.T) {
	entered, release := make(chan struct{}, 1), make(chan struct{})
	w := newPlayWriter(func([]play2Cmd) bool {
		entered <- struct{}{}
		<-release
		return true
	})
	w.add(batch(0))
	<-entered
	stopped := make(chan struct{})
	go func() { w.stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("stop returned during a write")
	case <-time.After(30 * time.Millisecond):
	}
	close(release)
	select {
	case <-stopped:
	case <-time.After(20 * time.Second):
		t.Fatal("stop never returned")
	}
}
