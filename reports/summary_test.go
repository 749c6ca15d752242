package reports

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
)

// TestSummaryNamesFewClientsAndSumsUpMany: up to summaryClients clients are listed one by one;
// more are one p50/p95/max entry, so a 500-player run stays one readable line.
func TestSummaryNamesFewClientsAndSumsUpMany(t *testing.T) {
	r := &harness.Result{Verdicts: []check.Verdict{{Checker: "reconnects", Status: check.Pass}}, Recoveries: map[string][]check.Recovery{}}
	for i := 1; i <= 2; i++ {
		r.Recoveries[fmt.Sprintf("p%d", i)] = []check.Recovery{{Took: time.Duration(i*100) * time.Millisecond}}
	}
	if got := Summary(r); got != "reconnects=pass recovery(p1)=100ms recovery(p2)=200ms" {
		t.Fatalf("few: %q", got)
	}
	for i := 3; i <= 100; i++ {
		r.Recoveries[fmt.Sprintf("p%d", i)] = []check.Recovery{{Took: time.Duration(i*100) * time.Millisecond}}
	}
	got := Summary(r)
	if got != "reconnects=pass recovery(100 clients)=p50 5000ms p95 9500ms max 10000ms" || strings.Contains(got, "recovery(p1)") {
		t.Fatalf("many: %q", got)
	}
}
