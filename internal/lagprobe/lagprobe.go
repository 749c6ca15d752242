// Package lagprobe measures whether this process had the CPU it needed over a span. When the
// machine is too small for the harness, its own clients fall behind real time, and what they
// record then (a stall, a late frame, a slow reconnect) says more about the harness than
// about the server under test. Two figures, for the whole process: how long its goroutines
// waited to run (the Go runtime's /sched/latencies:seconds), and for how long it used every
// core it may use (sampled four times a second) — work can queue in sockets and proxies
// while no goroutine waits long, and then only the second shows it.
package lagprobe

import (
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"time"
)

// metric is the runtime's distribution of scheduling latencies.
const metric = "/sched/latencies:seconds"

// Summary is what a probe measured.
type Summary struct {
	// Waits counts the times a goroutine became runnable and then ran, as the runtime samples
	// them (about one in eight).
	Waits uint64
	// P50, P99 and Max are how long they waited (each the upper edge of the runtime's
	// histogram bucket holding it; Max that of the highest bucket used).
	P50, P99, Max time.Duration
	// Cores is how many cores the process may use (GOMAXPROCS, at most the machine's).
	Cores int
	// Span is the span measured; Saturated how much of it the process spent using at least
	// 90 % of Cores (zero when the system cannot say).
	Span, Saturated time.Duration
}

// String is the summary in words.
func (s Summary) String() string {
	return fmt.Sprintf("its goroutines waited to run p50 %v, p99 %v, max %v (%d sampled waits); it used all %d cores for %.1f of %.1f s",
		round(s.P50), round(s.P99), round(s.Max), s.Waits, s.Cores, s.Saturated.Seconds(), s.Span.Seconds())
}

// round keeps three significant figures or so: 1.23ms, 45.6ms, 1.2s.
func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}

// sampleEvery is how often a probe looks at the process's CPU time.
const sampleEvery = 250 * time.Millisecond

// saturation is the share of its cores past which the process counts as using them all.
const saturation = 0.9

// Probe is a span of the process's life being measured.
type Probe struct {
	start *metrics.Float64Histogram
	began time.Time
	cores int
	stop  chan struct{}
	done  chan time.Duration // the time saturated
}

// Start begins a span.
func Start() *Probe { return start(min(runtime.GOMAXPROCS(0), runtime.NumCPU())) }

// start begins a span of a process that may use cores cores.
func start(cores int) *Probe {
	p := &Probe{start: read(), began: time.Now(), cores: cores, stop: make(chan struct{}), done: make(chan time.Duration, 1)}
	go p.sample()
	return p
}

// Stop ends the span and returns what it measured.
func (p *Probe) Stop() Summary {
	close(p.stop)
	saturated := <-p.done
	var s Summary
	if end := read(); p.start != nil && end != nil && len(p.start.Counts) == len(end.Counts) {
		counts := make([]uint64, len(end.Counts))
		for i := range counts {
			counts[i] = end.Counts[i] - p.start.Counts[i]
		}
		s = summarize(counts, end.Buckets)
	}
	s.Cores, s.Span, s.Saturated = p.cores, time.Since(p.began), saturated
	return s
}

// cpuTime is the process's user and system CPU time together.
func cpuTime() (time.Duration, bool) {
	u, sys, ok := CPUTime()
	return u + sys, ok
}

// sample adds up the intervals in which the process used at least saturation of its cores.
func (p *Probe) sample() {
	var saturated time.Duration
	defer func() { p.done <- saturated }()
	cpu, ok := cpuTime()
	if !ok {
		return
	}
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			now := time.Now()
			c, _ := cpuTime()
			if wall := now.Sub(last); wall > 0 && float64(c-cpu) >= saturation*float64(p.cores)*float64(wall) {
				saturated += wall
			}
			cpu, last = c, now
		}
	}
}

// read is the runtime's histogram now (nil when it has none).
func read() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: metric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return s[0].Value.Float64Histogram()
}

// summarize takes counts per bucket, bucket i holding values in [buckets[i], buckets[i+1]).
func summarize(counts []uint64, buckets []float64) Summary {
	var s Summary
	for _, c := range counts {
		s.Waits += c
	}
	if s.Waits == 0 {
		return s
	}
	edge := func(i int) time.Duration {
		hi := buckets[i+1]
		if math.IsInf(hi, 1) {
			hi = buckets[i] // the last bucket is open: its lower edge is all it says
		}
		return time.Duration(hi * float64(time.Second))
	}
	quantile := func(q float64) time.Duration {
		rank := uint64(math.Ceil(q * float64(s.Waits)))
		var seen uint64
		for i, c := range counts {
			if seen += c; seen >= rank {
				return edge(i)
			}
		}
		return edge(len(counts) - 1)
	}
	s.P50, s.P99 = quantile(0.50), quantile(0.99)
	for i := len(counts) - 1; i >= 0; i-- {
		if counts[i] > 0 {
			s.Max = edge(i)
			break
		}
	}
	return s
}
