package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
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

// A run whose harness lacked CPU says so in its summary, its JSON notes and its JUnit
// properties; one whose harness kept up says nothing in the summary.
func TestHarnessLagIsReported(t *testing.T) {
	late := &history.History{Events: []history.Event{{Source: "harness", Kind: history.KindHarnessLag, Latency: 120 * time.Millisecond, Count: 900, Code: "late", Message: "its goroutines waited to run p99 120ms"}}}
	r := &harness.Result{Scenario: &scenario.Scenario{Name: "s"}, Verdicts: []check.Verdict{{Checker: "reconnects", Status: check.Pass}}, History: late}
	if got := Summary(r); got != "reconnects=pass harness-late" {
		t.Fatalf("late: %q", got)
	}
	if rep := FromResult(r); len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "waited to run p99 120ms") || !rep.Passed {
		t.Fatalf("notes %q (passed %v): a note does not change the result", rep.Notes, rep.Passed)
	}
	found := false
	for _, p := range figures(r) {
		found = found || p.Name == "harness.lag" && strings.Contains(p.Value, "120ms")
	}
	if !found {
		t.Fatalf("no harness.lag property in %+v", figures(r))
	}
	dir := t.TempDir()
	if err := WriteHTML(dir, []Run{{Name: "s", File: "s.yaml", Result: r}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "s.html"))
	if err != nil || !strings.Contains(string(page), "<h2>Note</h2>") || !strings.Contains(string(page), "lacked CPU") {
		t.Fatalf("the run's page does not carry the note (%v)", err)
	}
	r.History = &history.History{Events: []history.Event{{Source: "harness", Kind: history.KindHarnessLag, Latency: 5 * time.Millisecond, Count: 900}}}
	if got := Summary(r); got != "reconnects=pass" || len(FromResult(r).Notes) != 0 {
		t.Fatalf("on time: %q", got)
	}
}
