package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/reports"
)

// savedReport writes a report of a run with client v whose expectations are expects, as
// a hand or another version may have left them.
func savedReport(t *testing.T, expects ...check.Checker) string {
	t.Helper()
	r := history.NewRecorder(nil, "x")
	r.Record(history.Event{Source: "v", Kind: history.KindLabClient, Route: "wifi", Message: "player"})
	r.Record(history.Event{Source: "v", Kind: history.KindClientStatus, Code: "NetStream.Play.Start", Conn: 1})
	s := &scenario.Scenario{Name: "x", Path: "x.yaml"}
	for _, c := range expects {
		s.Expect = append(s.Expect, check.New(c))
	}
	res := &harness.Result{Scenario: s, History: r.History(), Elapsed: time.Second}
	path, err := reports.WriteJSONFile(t.TempDir(), reports.FromResult(res))
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckValidatesSavedExpectations(t *testing.T) {
	bad := savedReport(t, &check.LiveResumes{ClientRef: spec.ClientRef{Client: "v"}, Within: spec.Duration(-5 * time.Second)},
		&check.StatusReceived{ClientRef: spec.ClientRef{Client: "w"}, Code: "NetStream.Play.Start"},
		&check.StallDetected{ClientRef: spec.ClientRef{Client: "v"}, Fault: "nope", Within: spec.Duration(time.Second)})
	var out, errb bytes.Buffer
	if code := checkCmd([]string{bad}, &out, &errb); code != 2 {
		t.Fatalf("exit %d for invalid saved expectations (stdout %q, stderr %q)", code, out.String(), errb.String())
	}
	for _, want := range []string{"expect[0].liveResumes.within: must be positive", `expect[1].statusReceived.client: "w" is not a defined client`, `expect[2].stallDetected.fault: "nope" is not the name of a fault`} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr %q: want %q", errb.String(), want)
		}
	}
	// Defaults left unresolved are resolved, as the loader does: the checker judges with them.
	ok := savedReport(t, &check.StatusReceived{ClientRef: spec.ClientRef{Client: "v"}, Code: "NetStream.Play.Start"},
		&check.LiveResumes{ClientRef: spec.ClientRef{Client: "v"}})
	out.Reset()
	errb.Reset()
	code := checkCmd([]string{ok}, &out, &errb)
	if !strings.Contains(out.String(), "statusReceived(v): pass") || !strings.Contains(out.String(), "liveResumes(v): fail") || code != 1 ||
		!strings.Contains(errb.String(), "1 verdict(s) not as the scenario expects") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

func TestASignalAfterJudgmentKeepsTheVerdicts(t *testing.T) {
	judged := []reports.Run{{Name: "a", Result: &harness.Result{}}}
	cut := []reports.Run{{Name: "a", Result: &harness.Result{Interrupted: "interrupted by SIGINT"}}}
	for _, c := range []struct {
		signalled bool
		runs      []reports.Run
		code      int
		want      int
	}{{true, judged, 1, 1}, {true, judged, 0, 0}, {true, cut, 1, exitInterrupted}, {false, judged, 1, 1}} {
		if got := exitStatus(c.signalled, c.runs, c.code); got != c.want {
			t.Errorf("signalled %v, interrupted %q, code %d: exit %d, want %d", c.signalled, c.runs[0].Result.Interrupted, c.code, got, c.want)
		}
	}
}
