package coregov

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestObserveRaisesOnLoadAndReturnsAfterCalm walks a governor through looks of known use:
// up at once when one core is not enough, down only after Calm quiet looks in a row.
func TestObserveRaisesOnLoadAndReturnsAfterCalm(t *testing.T) {
	t0 := time.Unix(1000, 0)
	g := New(Policy{Max: 4, Every: 100 * time.Millisecond, Up: 0.5, Down: 0.25, Calm: 3}, 0, t0)
	if g.Cores() != 1 {
		t.Fatalf("starts on %d cores, want 1", g.Cores())
	}
	var cpu time.Duration
	now := t0
	steps := []struct {
		use     float64 // cores used over the look
		cores   int
		changed bool
	}{
		{0.1, 1, false},
		{0.49, 1, false}, // under Up: stays
		{0.5, 4, true},   // Up reached: all of Max at once
		{0.3, 4, false},  // between Down and Up: stays
		{0.1, 4, false},  // quiet 1
		{0.1, 4, false},  // quiet 2
		{0.3, 4, false},  // busy again: the calm starts over
		{0.1, 4, false},  // quiet 1
		{0.2, 4, false},  // quiet 2
		{0.0, 1, true},   // quiet 3: back to one core
		{0.4, 1, false},
		{2.0, 4, true},
	}
	for i, s := range steps {
		now = now.Add(100 * time.Millisecond)
		cpu += time.Duration(s.use * float64(100*time.Millisecond))
		cores, used, changed := g.Observe(cpu, now)
		if cores != s.cores || changed != s.changed || used < s.use-1e-9 || used > s.use+1e-9 {
			t.Fatalf("look %d (%.2f cores used): got %d cores, changed %v, used %.3f; want %d, %v",
				i, s.use, cores, changed, used, s.cores, s.changed)
		}
	}
	if cores, _, changed := g.Observe(cpu, now); cores != 4 || changed {
		t.Fatalf("a look with no time passed changed the count: %d, %v", cores, changed)
	}
}

// TestObserveNeverExceedsMax: with Max 1 the governor never moves.
func TestObserveNeverExceedsMax(t *testing.T) {
	t0 := time.Unix(1000, 0)
	g := New(Policy{Max: 1}, 0, t0)
	if cores, _, changed := g.Observe(10*time.Second, t0.Add(time.Second)); cores != 1 || changed {
		t.Fatalf("Max 1: %d cores, changed %v", cores, changed)
	}
}

// fakeCPU reports CPU time at a chosen rate of cores, from the real clock.
type fakeCPU struct {
	mu    sync.Mutex
	rate  float64
	total time.Duration
	last  time.Time
}

func (f *fakeCPU) read() (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if !f.last.IsZero() {
		f.total += time.Duration(f.rate * float64(now.Sub(f.last)))
	}
	f.last = now
	return f.total, true
}

func (f *fakeCPU) set(rate float64) {
	f.read()
	f.mu.Lock()
	f.rate = rate
	f.mu.Unlock()
}

// waitProcs polls GOMAXPROCS until it is want, for at most 10 s.
func waitProcs(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.GOMAXPROCS(0) != want {
		if time.Now().After(deadline) {
			t.Fatalf("GOMAXPROCS %d after 10 s, want %d", runtime.GOMAXPROCS(0), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRunGovernsTheRuntime runs the governor on the real runtime with a CPU reading it
// controls: one core when idle, Max under load, one again when calm, and the count found
// at the start given back at the end.
func TestRunGovernsTheRuntime(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	cpu := &fakeCPU{}
	var lines atomic.Int32
	var last atomic.Value
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Run(ctx, Policy{Max: 3, Every: 10 * time.Millisecond, Calm: 2}, cpu.read, func(s string) {
			lines.Add(1)
			last.Store(s)
		})
	}()
	// Each change is said after it is made: once a line is there, so is its count.
	said := func(n int32) string {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for lines.Load() < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d changes said after 10 s, want %d (GOMAXPROCS %d)", lines.Load(), n, runtime.GOMAXPROCS(0))
			}
			time.Sleep(5 * time.Millisecond)
		}
		s, _ := last.Load().(string)
		return s
	}
	waitProcs(t, 1)
	cpu.set(2)
	if s := said(1); !strings.HasPrefix(s, "cores: 3 (") || runtime.GOMAXPROCS(0) != 3 {
		t.Errorf("the raise said %q, GOMAXPROCS %d", s, runtime.GOMAXPROCS(0))
	}
	cpu.set(0)
	if s := said(2); !strings.HasPrefix(s, "cores: 1 (0.00 cores used") || runtime.GOMAXPROCS(0) != 1 {
		t.Errorf("the return said %q, GOMAXPROCS %d", s, runtime.GOMAXPROCS(0))
	}
	cancel()
	<-done
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("GOMAXPROCS %d after Run, want the %d it found", got, before)
	}
	if n := lines.Load(); n != 2 {
		t.Errorf("%d lines said, want 2 (one per change)", n)
	}
}

// TestRunKeepsEveryCoreWithoutAReading: a system that cannot say its CPU time leaves the
// runtime as it is, and Run returns at once rather than govern blind.
func TestRunKeepsEveryCoreWithoutAReading(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		Run(ctx, Policy{Every: time.Millisecond}, func() (time.Duration, bool) { return 0, false }, nil)
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Run without a CPU reading did not return: it governs blind")
	}
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Fatalf("GOMAXPROCS %d, want %d", got, before)
	}
}
