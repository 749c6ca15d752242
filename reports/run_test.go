package reports

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
)

// readBack writes a run's report into dir and reads it back as a run.
func readBack(t *testing.T, dir string, r Run) (string, Run) {
	t.Helper()
	path, err := WriteJSONFile(dir, FromRun(r))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	return path, rep.AsRun()
}

// TestRunsRoundTripThroughTheirReports: what a merge of shards rebuilds from the JSON reports
// is the run the CLI held — its repeat name, start, wall time, client names (the JUnit's
// per-client figures), verdict — and a run a harness error left without a result is kept,
// as an error, not dropped.
func TestRunsRoundTripThroughTheirReports(t *testing.T) {
	dir := t.TempDir()
	started := time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC)
	s := &scenario.Scenario{Name: "x", Path: "scenarios/x.yaml", Clients: []scenario.Client{{Name: "a"}, {Name: "b"}}}
	rec := history.NewRecorder(nil, "x")
	rec.Record(history.Event{Source: "a", Kind: history.KindClientPlay, Stream: "s", Transition: "reset"})
	h := rec.History()
	res := &harness.Result{Scenario: s, History: h, Verdicts: []check.Verdict{{Checker: "reconnects", Status: check.Fail, Message: "none"}},
		Recoveries: map[string][]check.Recovery{"a": {{Took: 250 * time.Millisecond}}}, Elapsed: time.Second}
	path, got := readBack(t, dir, Run{Name: "x#2", File: s.Path, Result: res, Elapsed: 1500 * time.Millisecond, Started: started})
	if filepath.Base(path) != "x-2.json" {
		t.Errorf("a repeat's report is %s, want x-2.json", filepath.Base(path))
	}
	if got.Name != "x#2" || got.File != s.Path || !got.Started.Equal(started) || got.Elapsed != 1500*time.Millisecond || got.Err != nil {
		t.Fatalf("run read back: %+v", got)
	}
	if got.Result.Scenario.Name != "x" || len(got.Result.Scenario.Clients) != 2 || got.Result.Scenario.Clients[1].Name != "b" {
		t.Fatalf("scenario read back: %+v", got.Result.Scenario)
	}
	if got.Result.Passed() || len(got.Result.History.Events) != 1 || got.Result.Recoveries["a"][0].Took != 250*time.Millisecond {
		t.Fatalf("result read back: passed %v, %d events, %v", got.Result.Passed(), len(got.Result.History.Events), got.Result.Recoveries)
	}

	_, lost := readBack(t, dir, Run{Name: "y#1", File: "scenarios/y.yaml", Err: errors.New("lab: toxiproxy unreachable"), Started: started})
	if lost.Err == nil || lost.Err.Error() != "lab: toxiproxy unreachable" || lost.Result != nil || lost.Name != "y#1" {
		t.Fatalf("a run without a result: %+v", lost)
	}
	if rows := RepeatRows([]Run{got, lost}); len(rows) != 1 || rows[0].Scenario != "x" || rows[0].N != 1 {
		t.Fatalf("repeat rows: %+v", rows)
	}
	if rows := RepeatRows([]Run{{Name: "x", Result: res}}); rows != nil {
		t.Fatalf("no scenario was repeated, yet rows %+v", rows)
	}
}
