package reports

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/internal/spec"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
)

func TestJSONRoundTripReChecks(t *testing.T) {
	policy := &fakeclient.Restore{Timeout: spec.Duration(time.Second), MaxTries: 1}
	s := &scenario.Scenario{Name: "x", Expect: []check.Expectation{check.New(&check.Reconnects{ClientRef: spec.ClientRef{Client: "v"}, Count: 0}),
		check.New(&check.RestorePolicy{ClientRef: spec.ClientRef{Client: "v"}, Policy: policy})},
		ExpectFailures: []string{check.NameRestorePolicy}}
	r := history.NewRecorder(nil, "x")
	r.Record(history.Event{Source: "v", Kind: history.KindClientPlay, Stream: "s", Transition: "reset"})
	r.Record(history.Event{Source: "v", Kind: history.KindClientPlay, Stream: "s", Transition: "resume"})
	r.Record(history.Event{Source: "v", Kind: history.KindClientAttempt, Strikes: 1})
	r.Record(history.Event{Source: "v", Kind: history.KindClientAttempt, Strikes: 2}) // past maxTries 1
	h := r.History()
	res := &harness.Result{Scenario: s, History: h, Verdicts: check.Run(h, s.Expect), Elapsed: time.Second}
	dir := t.TempDir()
	path, err := WriteJSONFile(dir, FromResult(res))
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
	if rep.Passed || len(rep.Problems) != 1 || res.Verdicts[1].Status != check.Fail {
		t.Fatalf("report: %+v", rep)
	}
	// The saved history and the saved, resolved expectations give the same verdicts offline,
	// with nothing but the report (the restore policy travels in it).
	again := check.Run(rep.History, rep.Expect)
	for i := range again {
		if again[i].Status != res.Verdicts[i].Status || again[i].Message != res.Verdicts[i].Message {
			t.Fatalf("re-check differs: %v vs %v", again[i], res.Verdicts[i])
		}
	}
	if got := rep.Controls.Problems(again); len(got) != 1 {
		t.Fatalf("the expectFailures rule on the report: %v", got)
	}
	// The run rebuilt from the report alone says what the run said (the suite's JUnit is made
	// from such reports, written by its parallel processes).
	back := rep.Result()
	if got, want := back.Problems(), res.Problems(); !slices.Equal(got, want) || back.Passed() || back.Scenario.Name != "x" {
		t.Fatalf("rebuilt problems %q, want %q", got, want)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestPercentiles(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var out []time.Duration
		for _, x := range v {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	p50, p95, mx := Percentiles(ms(300, 100, 200, 400, 1000))
	if p50 != 300*time.Millisecond || p95 != time.Second || mx != time.Second {
		t.Fatalf("got %v %v %v", p50, p95, mx)
	}
	p50, p95, mx = Percentiles(ms(250))
	if p50 != 250*time.Millisecond || p95 != p50 || mx != p50 {
		t.Fatalf("one sample: %v %v %v", p50, p95, mx)
	}
	if a, b, c := Percentiles(nil); a != 0 || b != 0 || c != 0 {
		t.Fatal("empty")
	}
}

// largestWrite remembers the largest single write it was given.
type largestWrite struct {
	n, max int
}

func (l *largestWrite) Write(p []byte) (int, error) {
	l.n += len(p)
	l.max = max(l.max, len(p))
	return len(p), nil
}

func TestJSONReportIsStreamed(t *testing.T) {
	r := history.NewRecorder(nil, "big")
	for range 20_000 {
		r.Record(history.Event{Source: "p", Kind: history.KindProcOutput, Code: "stderr", Message: strings.Repeat("m", 1000)})
	}
	res := &harness.Result{Scenario: &scenario.Scenario{Name: "big"}, History: r.History(), Elapsed: time.Second}
	var w largestWrite
	if err := WriteJSON(&w, FromResult(res)); err != nil {
		t.Fatal(err)
	}
	if w.n < 20<<20 || w.max > 64<<10 {
		t.Fatalf("wrote %d bytes, the largest write %d: the report should be streamed event by event", w.n, w.max)
	}
}
