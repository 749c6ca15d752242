package gcpace

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestTarget: the percent of what is live that sets the goal percent of expected would set,
// rounded up, bounded, and percent itself once live reaches expected.
func TestTarget(t *testing.T) {
	for _, tc := range []struct {
		percent        int
		base, expected int64
		want           int
	}{
		{30, 100, 0, 30},
		{30, 100, 100, 30},
		{30, 400, 100, 30},    // live past what was expected: the peak is not raised
		{30, 100, 400, 420},   // the goal of 400 and 30 % of it: 520, 420 % more than 100
		{30, 300, 400, 74},    // 520 is 300 and 74 % of it (73.3, rounded up)
		{30, 399, 400, 31},    // just below expected: nearly percent itself
		{30, 130, 100, 30},    // past expected, below its goal: percent of what is live
		{30, 1, 1 << 30, 600}, // bounded at maxFactor times percent
		{30, 0, 100, 600},     // nothing measured yet
		{-1, 100, 400, -1},    // collection off stays off
	} {
		if got := Target(tc.percent, tc.base, tc.expected); got != tc.want {
			t.Errorf("Target(%d, %d, %d) = %d, want %d", tc.percent, tc.base, tc.expected, got, tc.want)
		}
	}
}

// fakeRuntime is a collector whose target and base a test sets and reads.
type fakeRuntime struct {
	mu      sync.Mutex
	percent int
	base    int64
	sets    int
}

func (f *fakeRuntime) set(p int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	old := f.percent
	f.percent, f.sets = p, f.sets+1
	return old
}

func (f *fakeRuntime) scanned() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.base
}

func (f *fakeRuntime) target() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.percent
}

// TestPacerFollowsExpectationsAndCollections: nothing is set before Start; Start sets percent;
// an expectation raises the target at once and its release lowers it; a collection that finds
// more live sets it again; releasing twice takes off once; Stop sets percent back for good.
func TestPacerFollowsExpectationsAndCollections(t *testing.T) {
	f := &fakeRuntime{percent: 100, base: 100}
	p := New(30, f.set, f.scanned)
	release := p.Expect(400)
	if f.sets != 0 || f.target() != 100 {
		t.Fatalf("before Start: %d sets, target %d", f.sets, f.target())
	}
	p.Start()
	if got := f.target(); got != 420 {
		t.Fatalf("started with 400 expected on 100: target %d, want 420", got)
	}
	other := p.Expect(200)
	if got := f.target(); got != 30*maxFactor {
		t.Fatalf("600 expected on 100: target %d, want the bound %d", got, 30*maxFactor)
	}
	f.mu.Lock()
	f.base = 300
	f.mu.Unlock()
	p.collected() // what a collection's cleanup calls
	if got := f.target(); got != 160 {
		t.Fatalf("600 expected on 300 live: target %d, want 160", got)
	}
	other()
	other()
	if got := f.target(); got != 74 {
		t.Fatalf("400 expected on 300 after one release (called twice): target %d, want 74", got)
	}
	release()
	if got := f.target(); got != 30 {
		t.Fatalf("nothing expected: target %d, want 30", got)
	}
	p.Expect(1000)
	p.Stop()
	if got := f.target(); got != 30 {
		t.Fatalf("stopped: target %d, want 30", got)
	}
	sets := f.sets
	p.collected()
	p.Expect(5000)
	if f.sets != sets || f.target() != 30 {
		t.Fatalf("stopped pacer set the target again: %d", f.target())
	}
}

// TestRuntimePacerRetunesAfterACollection: on the real runtime, every collection makes the
// pacer read the collector's base again (its cleanup ran and armed the next).
func TestRuntimePacerRetunesAfterACollection(t *testing.T) {
	f := &fakeRuntime{percent: 100, base: 100}
	reads := make(chan struct{}, 64)
	p := New(30, f.set, func() int64 {
		select {
		case reads <- struct{}{}:
		default:
		}
		return f.scanned()
	})
	p.Start()
	defer p.Stop()
	<-reads // Start's own
	deadline := time.Now().Add(20 * time.Second)
	for looks := 0; looks < 2; { // two: each look arms the next
		runtime.GC()
		select {
		case <-reads:
			looks++
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("collections made the pacer look again %d times, want 2", looks)
		}
	}
}

// TestRuntimeSetsTheCollectorsTarget: the runtime pacer's target is the process's GOGC, and
// Stop leaves percent in force.
func TestRuntimeSetsTheCollectorsTarget(t *testing.T) {
	p := Runtime(30)
	prev := p.set(100)
	defer p.set(prev)
	p.Start()
	release := p.Expect(1 << 40) // far more than is live: the bound
	if got := p.set(30 * maxFactor); got != 30*maxFactor {
		t.Errorf("GOGC %d with a large expectation, want %d", got, 30*maxFactor)
	}
	release()
	p.Stop()
	if got := p.set(100); got != 30 {
		t.Errorf("GOGC %d after Stop, want 30", got)
	}
}

// TestCollectAppliesTheTargetAtOnce: Collect sets the target for what the collection left,
// before it returns; a pacer not started or stopped sets nothing.
func TestCollectAppliesTheTargetAtOnce(t *testing.T) {
	f := &fakeRuntime{percent: 100, base: 400}
	p := New(30, f.set, f.scanned)
	p.Collect()
	if f.sets != 0 {
		t.Fatalf("a pacer not started set the target %d times", f.sets)
	}
	p.Start()
	defer p.Stop()
	p.Expect(400)
	if got := f.target(); got != 30 {
		t.Fatalf("400 expected on 400 live: target %d, want 30", got)
	}
	f.mu.Lock()
	f.base = 100 // what the next collection will leave
	f.mu.Unlock()
	p.Collect()
	if got := f.target(); got != 420 {
		t.Fatalf("after Collect left 100 live of 400 expected: target %d, want 420", got)
	}
}

// TestOffTurnsTheCollectorOffWhileItRuns: the target is off (-1) while Off's function runs,
// and what it was afterwards.
func TestOffTurnsTheCollectorOffWhileItRuns(t *testing.T) {
	f := &fakeRuntime{percent: 100, base: 100}
	p := New(30, f.set, f.scanned)
	p.Start()
	defer p.Stop()
	release := p.Expect(400)
	defer release()
	during := 0
	p.Off(func() { during = f.target() })
	if during != -1 || f.target() != 420 {
		t.Errorf("target %d while off and %d after, want -1 and 420", during, f.target())
	}
}

// TestGoalIsTheHeapAndItsPercent: the goal for a heap is that heap and percent of it; with
// the collector off, the heap itself.
func TestGoalIsTheHeapAndItsPercent(t *testing.T) {
	if got := New(30, nil, nil).Goal(400 << 20); got != 520<<20 {
		t.Errorf("Goal(400 MB) at 30 %% = %d, want 520 MB", got)
	}
	if got := New(-1, nil, nil).Goal(400); got != 400 {
		t.Errorf("Goal(400) with the collector off = %d, want 400", got)
	}
}
