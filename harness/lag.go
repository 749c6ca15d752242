package harness

import (
	"fmt"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/lagprobe"
)

// LateHarness is how long the harness's goroutines may wait to run at p99 before a run's
// result says the harness lacked CPU: one frame at 25 fps, past which its clients fall
// behind real time.
const LateHarness = 40 * time.Millisecond

// SaturatedShare is the share of a run for which the harness may use every core it may use
// before the run's result says it lacked CPU (work then queues in sockets and proxies, unseen
// by the goroutines' wait). 500 players on 2 cores saturate them for 1.5 of 16 s (their
// connects, the reconnect storm) and their frames stay within a frame; 2,000 saturate them
// for 22 of 35 s and their frames are seconds late.
const SaturatedShare = 0.25

// lateCode marks a harness.lag event whose figures pass either bound.
const lateCode = "late"

// lagEvent is the harness.lag event of what the probe measured.
func lagEvent(l lagprobe.Summary) history.Event {
	e := history.Event{Source: "harness", Kind: history.KindHarnessLag, Latency: l.P99, Count: int(min(l.Waits, 1<<31-1)), Message: l.String()}
	if l.P99 > LateHarness || l.Span > 0 && float64(l.Saturated) >= SaturatedShare*float64(l.Span) {
		e.Code = lateCode
	}
	return e
}

// Notes are what a reader of the result should know that does not change it: that the
// harness itself lacked CPU (the machine was too small or too busy for the run), so that a
// verdict about timing may be the harness's as much as the server's.
func (r *Result) Notes() []string {
	if !r.HarnessLate() {
		return nil
	}
	e, _ := r.lag()
	return []string{fmt.Sprintf("the harness lacked CPU: %s (bounds: a wait of %v at p99, all cores for %.0f %% of the run) — its own clients may have fallen behind real time; a verdict about timing may reflect the harness rather than the server",
		e.Message, LateHarness, SaturatedShare*100)}
}

// HarnessLate tells whether the harness lacked CPU during the run (its harness.lag event
// says so).
func (r *Result) HarnessLate() bool {
	e, ok := r.lag()
	return ok && e.Code == lateCode
}

// lag is the run's harness.lag event, if it has one.
func (r *Result) lag() (history.Event, bool) {
	if r.History == nil {
		return history.Event{}, false
	}
	for _, e := range r.History.Kind(history.KindHarnessLag) {
		return e, true
	}
	return history.Event{}, false
}
