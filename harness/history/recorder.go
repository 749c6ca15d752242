package history

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/streamfault/streamfault/internal/clock"
)

// Recorder collects events from concurrent actors against one base time.
type Recorder struct {
	clk   clock.Clock
	start time.Time
	name  string

	mu sync.Mutex
	// events are kept in chunks of recordChunk: appending never copies what is recorded (a
	// 500-player run records 400,000 events; one growing slice stalled every actor on this
	// lock while it copied 100 MB).
	events    [][]Event
	n         int
	changed   chan struct{} // closed and replaced on a Record when waited is set
	waited    bool          // a Wait holds changed
	bounds    bounder
	observe   func(Event)        // set before the recording is shared
	open      map[runKey]openRun // per source and kind, the frame or sample run still open (runs.go)
	lends     int                // how many times events left the recorder by copy (Wait, Select, History)
	receivers map[string]bool    // the sources that receive (noteReceiver)
	waiters   int                // Waits under way
	grew      []int              // the runs extended while a Wait was under way, in order
	noRuns    bool               // every frame an event of its own
	finished  bool               // Finish let go of the recording: what comes later is dropped
}

// recordChunk is how many events a chunk of a Recorder holds.
const recordChunk = 4096

// at is the i-th recorded event (under mu).
func (r *Recorder) at(i int) Event { return r.events[i/recordChunk][i%recordChunk] }

// NewRecorder starts a recording for the named scenario now.
func NewRecorder(c clock.Clock, scenario string) *Recorder {
	c = clock.Or(c)
	return &Recorder{clk: c, start: c.Now(), name: scenario, changed: make(chan struct{})}
}

// Len returns how many events the recording holds (a run of frames or samples is one).
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// Start is the base time of the recording.
func (r *Recorder) Start() time.Time { return r.start }

// Record appends ev stamped now.
func (r *Recorder) Record(ev Event) { r.RecordAt(r.clk.Now(), ev) }

// RecordAt appends ev stamped at t (an actor's own timestamp of the event).
func (r *Recorder) RecordAt(t time.Time, ev Event) { r.Put(t, &ev) }

// Put is RecordAt for an event built in place, which it stamps (At, and Seq for a frame run);
// the history keeps its own copy. The actors record every frame through it: an event (half
// a kilobyte) passed by value down a player's calls took its goroutine's stack past 8 KB, to
// be grown to 16 KB and shrunk again at every collection (5 % of a 2,000-player run's CPU).
func (r *Recorder) Put(t time.Time, ev *Event) {
	r.mu.Lock()
	r.record(t, ev)
	r.mu.Unlock()
	if r.observe != nil {
		r.notify(ev)
	}
}

// notify hands ev to the observer. It is a call of its own so that the copy the observer
// takes lives in its frame, beside record's, not in the frame of every call on the way.
//
//go:noinline
func (r *Recorder) notify(ev *Event) { r.observe(*ev) }

// Observe has f called with every event recorded from now on, after it was recorded (f must be
// quick and safe for concurrent use). It is set before the recording is shared.
func (r *Recorder) Observe(f func(Event)) { r.observe = f }

// KeepEveryFrame has every frame recorded as an event of its own rather than in runs (see
// runs.go); it is set before the recording is shared.
func (r *Recorder) KeepEveryFrame() { r.noRuns = true }

// record appends ev stamped at t (under mu), or adds it to the frame run it continues, and
// leaves it as stamped (its Seq that of its run).
func (r *Recorder) record(t time.Time, ev *Event) {
	ev.At = t.Sub(r.start)
	if r.finished {
		return
	}
	runs := !r.noRuns && runKinds[ev.Kind]
	samples := !r.noRuns && ev.Kind == KindClientBuffer
	if i, ok := r.extendRun(ev, runs, samples); ok {
		ev.Seq = i
		r.wake()
		return
	}
	if !r.noRuns && !runExempt(ev) && len(r.open) > 0 {
		r.endRuns(ev) // something else happened: no run it may concern goes on past it
	}
	r.bounds.bound(ev)
	ev.Seq = r.n
	if r.n%recordChunk == 0 {
		r.events = append(r.events, make([]Event, 0, recordChunk))
	}
	last := len(r.events) - 1
	r.events[last] = append(r.events[last], *ev)
	if r.open == nil {
		r.open, r.receivers = map[runKey]openRun{}, map[string]bool{}
	}
	noteReceiver(ev, r.receivers)
	if runs || samples {
		r.open[runKey{ev.Source, ev.Kind}] = openRun{i: r.n}
	}
	r.n++
	r.wake()
}

// wake lets a Wait look again (under mu).
func (r *Recorder) wake() {
	if r.waited {
		close(r.changed)
		r.changed, r.waited = make(chan struct{}), false
	}
}

// Wait blocks until an event matching match has been recorded (including before the call)
// and returns the first such event, or returns ctx's error.
func (r *Recorder) Wait(ctx context.Context, match func(Event) bool) (Event, error) {
	r.mu.Lock()
	r.waiters++
	grown := len(r.grew)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		if r.waiters--; r.waiters == 0 {
			r.grew = nil
		}
		r.mu.Unlock()
	}()
	next := 0
	for {
		r.mu.Lock()
		for ; grown < len(r.grew); grown++ { // a run seen before grew since
			if i := r.grew[grown]; i < next {
				if ev := r.at(i); match(ev) {
					r.lends++
					r.mu.Unlock()
					return ev, nil
				}
			}
		}
		for ; next < r.n; next++ {
			if ev := r.at(next); match(ev) {
				r.lends++
				r.mu.Unlock()
				return ev, nil
			}
		}
		changed := r.changed
		r.waited = true
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return Event{}, ctx.Err()
		case <-changed:
		}
	}
}

// History returns a time-ordered copy of everything recorded so far.
func (r *Recorder) History() *History {
	r.mu.Lock()
	evs := gather(r.events, r.n)
	r.lends++
	r.mu.Unlock()
	return r.history(evs)
}

// Finish ends the recording: it returns the History and lets go of the recorded events, so
// that judging a large run does not hold them twice. Events recorded after it (a teardown's)
// are dropped, as they would be missing from the History anyway; a Wait finds nothing more.
// The events are copied out of the lock: nothing writes to them once the recording is
// finished (record drops what comes later).
func (r *Recorder) Finish() *History {
	r.mu.Lock()
	chunks, n := r.events, r.n
	r.lends++
	r.finished = true
	r.events, r.n, r.open, r.receivers, r.grew = nil, 0, nil, nil, nil
	r.mu.Unlock()
	return r.history(gather(chunks, n))
}

// history sorts evs by time, cuts runs where needed (splitRuns), and makes them a History.
func (r *Recorder) history(evs []Event) *History {
	sortEvents(evs)
	evs = splitRuns(evs)
	return &History{Version: Version, Scenario: r.name, Start: r.start, Events: evs}
}

// gather copies the n events of chunks into one slice, with room after them for the pieces
// splitRuns cuts runs into: appending them to a full slice copied every event once more (0.9 of
// the 1.5 CPU-s History took after 2,000 players; there were 14,000 pieces for 81,000 events).
// A large recording is copied by a worker a core: the copy's time is mostly the first touch
// of fresh pages (the one array is too large for the memory the actors let go of), and pages
// fault in side by side (2,000 players: 46 MB, 103-116 ms on one core).
func gather(chunks [][]Event, n int) []Event {
	evs := make([]Event, n, n+n/4+16)
	workers := min(runtime.GOMAXPROCS(0), len(chunks)/gatherChunks)
	if workers <= 1 {
		for i, c := range chunks {
			copy(evs[i*recordChunk:], c)
		}
		return evs
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(chunks); i += workers {
				copy(evs[i*recordChunk:], chunks[i])
			}
		})
	}
	wg.Wait()
	return evs
}

// gatherChunks is how many chunks a worker of gather copies at least (8 MB of events): below
// that, starting workers costs more than faulting the pages in on one core.
const gatherChunks = 4

// Select returns the recorded events for which keep is true, in the order recorded (not
// sorted by time, as History is), without copying the whole recording.
func (r *Recorder) Select(keep func(Event) bool) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lends++
	var out []Event
	for _, c := range r.events {
		for _, e := range c {
			if keep(e) {
				out = append(out, e)
			}
		}
	}
	return out
}
