// Package gcpace sets the collector's target (GOGC) from the heap that the running labs will
// hold, not only from the heap live now. While a lab's clients connect its heap grows from
// nothing, and a target of a fixed percent of what is live ran a collection for every 30 % of
// growth: 30 of a 2,000-player run's 53 collections came in its first 3 s, the connect storm,
// each scanning up to 20,000 goroutine stacks, against 4 in the 10 s of steady play after the
// second storm (GODEBUG=gctrace=1).
package gcpace

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Pacer keeps the collector's goal, while the heap live now is below the heap expected
// (Expect), at the goal percent would give were the expected heap live, as the percent of
// what is live that gives it. Once the live heap reaches what was expected, the target is
// percent itself: the peak is not raised.
type Pacer struct {
	mu       sync.Mutex
	percent  int
	expected int64
	set      func(int) int // debug.SetGCPercent
	scanned  func() int64  // what the target is a percent of: the live heap, stacks and globals
	started  bool
	stopped  bool
	applied  int // the target last set: set again only when it changes
}

// maxFactor bounds how many times percent the target may be raised to.
const maxFactor = 20

// New returns a pacer for percent that applies its target with set and reads the collector's
// base with scanned; it does nothing until Start.
func New(percent int, set func(int) int, scanned func() int64) *Pacer {
	return &Pacer{percent: percent, set: set, scanned: scanned}
}

// Runtime returns a pacer for percent of the process's own collector.
func Runtime(percent int) *Pacer { return New(percent, debug.SetGCPercent, scannedHeap) }

// Start applies the target now and again after every collection, until Stop.
func (p *Pacer) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		return
	}
	p.started = true
	p.tuneLocked()
	p.arm()
}

// Stop ends the pacing and sets the target back to percent.
func (p *Pacer) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.started || p.stopped {
		return
	}
	p.stopped = true
	p.set(p.percent)
	p.applied = p.percent
}

// Expect adds bytes to the heap expected live (a lab about to start its clients) and returns
// the call that takes them off again (the lab gone). Either applies the new target at once.
func (p *Pacer) Expect(bytes int64) (release func()) {
	p.add(bytes)
	var once sync.Once
	return func() { once.Do(func() { p.add(-bytes) }) }
}

// Collect runs a collection and applies the target for what it left live at once, not when
// the collection's cleanup runs: a large allocation right after it (a history taken) would
// otherwise start another collection under the target set for the heap before it.
func (p *Pacer) Collect() {
	runtime.GC()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started && !p.stopped {
		p.tuneLocked()
	}
}

// Goal is the heap the collector lets grow to while bytes are live: bytes and percent of
// them.
func (p *Pacer) Goal(bytes int64) int64 {
	return bytes + bytes*int64(max(p.percent, 0))/100
}

// Off runs f with the collector off, then sets the target back. Turning it off waits for a
// collection under way to end, and none starts while f runs: f may allocate a large heap and
// let go of it (hugeheap.Reserve) without paying for a collection under way by marking, or
// starting one that keeps what it allocated live. f must not call the pacer (Off holds its
// lock).
func (p *Pacer) Off(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.set(-1)
	defer p.set(old)
	f()
}

// add changes the expected heap by bytes and applies the target.
func (p *Pacer) add(bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expected += bytes
	if p.started && !p.stopped {
		p.tuneLocked()
	}
}

// tuneLocked applies the target for the base the last collection measured (under mu).
func (p *Pacer) tuneLocked() {
	want := Target(p.percent, p.scanned(), p.expected)
	if want != p.applied {
		p.set(want)
		p.applied = want
	}
}

// Target is the percent of base (the live heap, stacks and globals) that sets the same goal
// as percent of expected would (expected and percent of it), at most maxFactor times percent,
// and percent itself once base reaches expected. A goal of what is live plus percent of
// expected, as before, ran a collection for every 30 % of expected that a connect storm
// allocated: 6 in the first 2 s of 2,000 players, 2 with this goal (GODEBUG=gctrace=1).
func Target(percent int, base, expected int64) int {
	if percent <= 0 || expected <= base {
		return percent
	}
	if base <= 0 {
		return percent * maxFactor
	}
	raised := ((100+int64(percent))*expected+base-1)/base - 100
	return int(min(raised, int64(percent)*maxFactor))
}

// arm has the next collection call tune (under mu): a cleanup of an object nothing holds runs
// once a collection has found it unreachable.
func (p *Pacer) arm() {
	runtime.AddCleanup(new(sentinel), (*Pacer).collected, p)
}

// sentinel is the object whose end marks a collection; it holds a pointer so that it is not
// packed with other small objects (whose cleanups may then never run).
type sentinel struct{ next *sentinel }

// collected applies the target after a collection, and waits for the next one.
func (p *Pacer) collected() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	p.tuneLocked()
	p.arm()
}

// scannedHeap is what the runtime's target is a percent of: the heap marked live by the last
// collection, the stacks and the globals it scanned.
func scannedHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}
	metrics.Read(s)
	var n int64
	for _, v := range s {
		if v.Value.Kind() == metrics.KindUint64 {
			n += int64(v.Value.Uint64())
		}
	}
	return n
}
