package check_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/reports"
)

// TestRunsCorpus: every JSON report in $STREAMFAULT_RUNS_CORPUS (a make run's out/, recorded
// with every frame an event) judged again from its history recorded as runs gives the same
// verdicts, word for word.
func TestRunsCorpus(t *testing.T) {
	dir := os.Getenv("STREAMFAULT_RUNS_CORPUS")
	if dir == "" {
		t.Skip("STREAMFAULT_RUNS_CORPUS names a folder of JSON reports")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	events, runs := 0, 0
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := reports.ReadJSON(r)
		r.Close()
		if err != nil || rep.History == nil {
			continue
		}
		every := check.Run(rep.History, rep.Expect)
		h := history.Compact(rep.History)
		events, runs = events+len(rep.History.Events), runs+len(h.Events)
		asRuns := check.Run(h, rep.Expect)
		for i := range every {
			if every[i].String() != asRuns[i].String() {
				t.Errorf("%s: every frame: %s\n  as runs:     %s", filepath.Base(f), every[i], asRuns[i])
			}
		}
	}
	t.Logf("%d reports, %d events as recorded, %d with frames as runs", len(files), events, runs)
}
