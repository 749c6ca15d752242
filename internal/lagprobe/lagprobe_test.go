package lagprobe

import (
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Quantiles are the upper edges of the buckets that hold them; the open last bucket counts as
// its lower edge.
func TestSummarize(t *testing.T) {
	ms := func(v float64) float64 { return v / 1000 }
	buckets := []float64{0, ms(1), ms(10), ms(100), math.Inf(1)}
	s := summarize([]uint64{90, 9, 1, 0}, buckets)
	if s.Waits != 100 || s.P50 != time.Millisecond || s.P99 != 10*time.Millisecond || s.Max != 100*time.Millisecond {
		t.Fatalf("%+v", s)
	}
	s = summarize([]uint64{0, 0, 0, 3}, buckets)
	if s.P50 != 100*time.Millisecond || s.Max != 100*time.Millisecond {
		t.Fatalf("the open bucket: %+v", s)
	}
	if s := summarize([]uint64{0, 0, 0, 0}, buckets); s != (Summary{}) {
		t.Fatalf("nothing waited: %+v", s)
	}
}

// A span in which goroutines ran counts their (sampled) waits, and says so; the runtime
// offers the metric.
func TestProbeCountsWaits(t *testing.T) {
	p := Start()
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); time.Sleep(time.Millisecond) }()
	}
	wg.Wait()
	s := p.Stop()
	if s.Waits == 0 || !strings.Contains(s.String(), "goroutines waited to run") {
		t.Fatalf("%+v %q", s, s)
	}
}

// A span in which the process keeps every core it may use busy counts as saturated; one in
// which it sleeps does not. The busy span claims one core and spins on all of them, so that
// a CPU hog beside the test cannot keep it under 90 % of one.
func TestProbeSeesSaturation(t *testing.T) {
	if _, ok := cpuTime(); !ok {
		t.Skip("this system does not say the process's CPU time")
	}
	idle := Start()
	time.Sleep(600 * time.Millisecond)
	if s := idle.Stop(); s.Saturated != 0 || s.Span < 600*time.Millisecond || s.Cores < 1 {
		t.Fatalf("idle: %+v", s)
	}
	busy := start(1)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
			}
		}()
	}
	// Under other load the spinners may get less than a core for a while: wait, bounded,
	// until one sample saw the process busy.
	deadline := time.Now().Add(20 * time.Second)
	var s Summary
	for time.Now().Before(deadline) {
		time.Sleep(sampleEvery)
		if s = busy.Stop(); s.Saturated > 0 {
			break
		}
		busy = start(1)
	}
	stop.Store(true)
	wg.Wait()
	if s.Saturated == 0 || !strings.Contains(s.String(), "it used all") {
		t.Fatalf("busy: %+v", s)
	}
}
