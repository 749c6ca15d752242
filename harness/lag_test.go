package harness

import (
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/lagprobe"
)

// A harness whose goroutines waited more than a frame at p99, or that used every core for a
// quarter of the run or more, lacked CPU: the result carries a note (it is not changed). One within both
// bounds, or a history without a probe (an older report), has none.
func TestNotesSayTheHarnessLackedCPU(t *testing.T) {
	result := func(l lagprobe.Summary) *Result {
		return &Result{History: &history.History{Events: []history.Event{lagEvent(l)}}}
	}
	for _, l := range []lagprobe.Summary{{P99: LateHarness + time.Millisecond, Cores: 2}, {P99: time.Millisecond, Cores: 2, Span: 8 * time.Second, Saturated: 2 * time.Second}} {
		r := result(l)
		if !r.HarnessLate() || len(r.Notes()) != 1 || !strings.Contains(r.Notes()[0], "lacked CPU") || !strings.Contains(r.Notes()[0], l.String()) {
			t.Fatalf("%+v: %q", l, r.Notes())
		}
	}
	within := lagprobe.Summary{P99: LateHarness, Cores: 2, Span: 8 * time.Second, Saturated: 2*time.Second - time.Millisecond}
	for _, r := range []*Result{result(within), {History: &history.History{}}, {}} {
		if r.HarnessLate() || len(r.Notes()) != 0 {
			t.Fatalf("within bounds: %q", r.Notes())
		}
	}
}
