package harness

import (
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// A harness whose timers woke more than a frame late at p99 is noted (the result is not
// changed); one that kept up, or a history without a probe (an older report), is not.
func TestNotesSayTheHarnessFellBehind(t *testing.T) {
	lag := func(p99 time.Duration) *Result {
		return &Result{History: &history.History{Events: []history.Event{{Source: "harness", Kind: history.KindHarnessLag, Latency: p99, Message: "its timers woke late by p99 " + p99.String()}}}}
	}
	if r := lag(LateHarness + time.Millisecond); len(r.Notes()) != 1 || !strings.Contains(r.Notes()[0], "fell behind") || r.LateBy() != LateHarness+time.Millisecond {
		t.Fatalf("late: %q %v", r.Notes(), r.LateBy())
	}
	for _, r := range []*Result{lag(LateHarness), {History: &history.History{}}, {}} {
		if len(r.Notes()) != 0 || r.LateBy() != 0 {
			t.Fatalf("on time: %q %v", r.Notes(), r.LateBy())
		}
	}
}
