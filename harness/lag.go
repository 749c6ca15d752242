package harness

import (
	"fmt"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// lagEvery is how often the harness probes its own timers during a run.
const lagEvery = 10 * time.Millisecond

// LateHarness is how late the harness's own timers may wake at p99 before a run's result
// says so: one frame at 25 fps, past which its clients fall behind real time.
const LateHarness = 40 * time.Millisecond

// Notes are what a reader of the result should know that does not change it: that the
// harness itself fell behind real time (the machine was too busy for the run), so that a
// verdict about timing may be the harness's as much as the server's.
func (r *Result) Notes() []string {
	e, late := r.lag()
	if !late {
		return nil
	}
	return []string{fmt.Sprintf("the harness itself fell behind: %s, more than %v at p99 — this machine was too busy for the run; a verdict about timing may reflect the harness rather than the server",
		e.Message, LateHarness)}
}

// LateBy is the p99 of how late the harness's timers woke when that exceeded LateHarness,
// else 0.
func (r *Result) LateBy() time.Duration {
	if e, late := r.lag(); late {
		return e.Latency
	}
	return 0
}

// lag is the run's harness.lag event, and whether it says the harness was late.
func (r *Result) lag() (history.Event, bool) {
	if r.History == nil {
		return history.Event{}, false
	}
	for _, e := range r.History.Kind(history.KindHarnessLag) {
		return e, e.Latency > LateHarness
	}
	return history.Event{}, false
}
