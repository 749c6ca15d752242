// Package lagprobe measures how late this process wakes from its timers. When the machine is
// too busy for the harness, its own clients fall behind real time, and what they record then
// (a stall, a late frame, a slow reconnect) says more about the harness than about the server
// under test: a run states how late its probe woke, so that a reader can tell.
package lagprobe

import (
	"fmt"
	"time"
)

// buckets are the histogram's 1 ms buckets; a wake later than that counts in the last, and
// its quantiles are then the worst wake.
const buckets = 1000

// Summary is what a probe measured.
type Summary struct {
	// Every is the probe's interval.
	Every time.Duration
	// Wakes counts the timer wakes measured.
	Wakes int
	// P50, P99 and Max are how late the wakes were (a quantile is the upper edge of its
	// 1 ms bucket, at most Max).
	P50, P99, Max time.Duration
}

// String is the summary in words.
func (s Summary) String() string {
	return fmt.Sprintf("its timers woke late by p50 %v, p99 %v, max %v (%d wakes, one every %v)",
		s.P50, s.P99, s.Max.Round(time.Millisecond), s.Wakes, s.Every)
}

// Probe wakes every interval and notes how late it woke.
type Probe struct {
	every time.Duration
	stop  chan struct{}
	done  chan Summary
}

// Start starts a probe that wakes every interval (memory is fixed: a histogram).
func Start(every time.Duration) *Probe {
	p := &Probe{every: every, stop: make(chan struct{}), done: make(chan Summary, 1)}
	go p.run()
	return p
}

// Stop ends the probe and returns what it measured.
func (p *Probe) Stop() Summary {
	close(p.stop)
	return <-p.done
}

func (p *Probe) run() {
	var h histogram
	t := time.NewTimer(p.every)
	defer t.Stop()
	due := time.Now().Add(p.every)
	for {
		select {
		case <-p.stop:
			p.done <- h.summary(p.every)
			return
		case <-t.C:
			now := time.Now()
			h.add(now.Sub(due))
			due = now.Add(p.every)
			t.Reset(p.every)
		}
	}
}

// histogram counts wakes by lateness in 1 ms buckets.
type histogram struct {
	counts [buckets]int
	n      int
	max    time.Duration
}

func (h *histogram) add(late time.Duration) {
	late = max(late, 0)
	h.counts[min(int(late/time.Millisecond), buckets-1)]++
	h.n++
	h.max = max(h.max, late)
}

func (h *histogram) summary(every time.Duration) Summary {
	return Summary{Every: every, Wakes: h.n, P50: h.quantile(0.50), P99: h.quantile(0.99), Max: h.max}
}

// quantile is the upper edge of the bucket holding the q-quantile, at most the worst wake.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int(q*float64(h.n) + 0.999999)
	seen := 0
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			if i == buckets-1 {
				return h.max
			}
			return min(time.Duration(i+1)*time.Millisecond, h.max)
		}
	}
	return h.max
}
