package reports

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/toolcheck"
)

// readWithJunitparser is what junitparser (Debian's python3-junitparser, a JUnit reader many
// CI tools build on) reads in a JUnit file: per testsuite its properties, per testcase its
// result and its system-out.
const readWithJunitparser = `
import json, sys
from junitparser import JUnitXml
out = []
for suite in JUnitXml.fromfile(sys.argv[1]):
    props = {p.name: p.value for p in suite.properties()}
    for case in suite:
        res = [{"type": r._tag, "message": r.message} for r in case.result]
        out.append({"suite": suite.name, "case": case.name, "props": props, "result": res, "out": case.system_out or ""})
json.dump(out, sys.stdout)
`

type parsedCase struct {
	Suite, Case string
	Props       map[string]string
	Result      []struct{ Type, Message string }
	Out         string
}

// The JUnit files read by a third-party parser: the failure and what broke, the negative
// control's marker, and — in the cases layout — the timeline inside each testcase.
func TestJUnitReadByJunitparser(t *testing.T) {
	python := toolcheck.Python(t, "junitparser")
	failing := controlRun(t, "broken", nil)                            // statusReceived(w) fails: a failure
	control := controlRun(t, "control", []string{"statusReceived(w)"}) // the same failure, demanded: a pass
	runs := []Run{{Name: "broken", File: "broken.yaml", Result: failing, Elapsed: time.Second},
		{Name: "control", File: "control.yaml", Result: control, Elapsed: time.Second}}
	for _, layout := range Layouts {
		file := filepath.Join(t.TempDir(), layout+".xml")
		f, err := os.Create(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteJUnitLayout(f, layout, "scenarios", time.Now(), runs); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if layout == LayoutAnt {
			toolcheck.ValidJUnit(t, file)
		} else {
			toolcheck.ValidAgainst(t, toolcheck.JenkinsSchema, file)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		b, err := exec.CommandContext(ctx, python, "-c", readWithJunitparser, file).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("junitparser on the %s layout: %v\n%s", layout, err, b)
		}
		var cases []parsedCase
		if err := json.Unmarshal(b, &cases); err != nil {
			t.Fatalf("%s: %v: %s", layout, err, b)
		}
		if len(cases) != 2 || cases[0].Case != "broken" || cases[1].Case != "control" {
			t.Fatalf("%s: junitparser read %+v", layout, cases)
		}
		broken, ctl := cases[0], cases[1]
		if len(broken.Result) != 1 || broken.Result[0].Type != "failure" || !strings.Contains(broken.Result[0].Message, "statusReceived(w) fail") {
			t.Errorf("%s: the failing run reads as %+v", layout, broken.Result)
		}
		if len(ctl.Result) != 0 || ctl.Props["control.statusReceived.w"] != "negative control: passes because statusReceived failed as expected" {
			t.Errorf("%s: the control reads as %+v with properties %v", layout, ctl.Result, ctl.Props)
		}
		wantOut := layout == LayoutCases
		if got := strings.Contains(ctl.Out, "statusReceived(w): negative control") && strings.Contains(broken.Out, "client.status"); got != wantOut {
			t.Errorf("%s layout: timeline per testcase %v, want %v (broken %q, control %q)", layout, got, wantOut, broken.Out, ctl.Out)
		}
	}
}

// controlRun is a run where player v got Play.Start and player w nothing, expecting Play.Start
// for both; the controls name the verdicts that must fail.
func controlRun(t *testing.T, name string, failures []string) *harness.Result {
	t.Helper()
	r := history.NewRecorder(nil, name)
	r.Record(history.Event{Source: "v", Kind: history.KindClientStatus, Code: "NetStream.Play.Start", Conn: 1})
	h := r.History()
	s := &scenario.Scenario{Name: name, Expect: []check.Expectation{
		check.New(&check.StatusReceived{ClientRef: spec.ClientRef{Client: "v"}, Code: "NetStream.Play.Start"}),
		check.New(&check.StatusReceived{ClientRef: spec.ClientRef{Client: "w"}, Code: "NetStream.Play.Start"})},
		ExpectFailures: failures}
	return &harness.Result{Scenario: s, History: h, Verdicts: check.Run(h, s.Expect), Elapsed: time.Second}
}
