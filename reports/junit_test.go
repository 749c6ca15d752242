package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/spec"
)

// A passing run whose negative control failed as demanded: the JUnit says so in a property
// and at the head of the run's output, with the timeline, and stamps the run's own start.
func TestJUnitMarksControlsAndKeepsPassingTimelines(t *testing.T) {
	r := history.NewRecorder(nil, "c")
	r.Record(history.Event{Source: "v", Kind: history.KindClientStatus, Code: "NetStream.Play.Start", Conn: 1})
	h := r.History()
	s := &scenario.Scenario{Name: "c", Expect: []check.Expectation{
		check.New(&check.StatusReceived{ClientRef: spec.ClientRef{Client: "v"}, Code: "NetStream.Play.Start"}),
		check.New(&check.StatusReceived{ClientRef: spec.ClientRef{Client: "v"}, Code: "NetStream.Play.Failed"})},
		ExpectFailures: []string{"statusReceived(v)"}}
	// Both verdicts are statusReceived(v): the control names the one that fails.
	res := &harness.Result{Scenario: s, History: h, Verdicts: check.Run(h, s.Expect), Elapsed: time.Second}
	started := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	if err := WriteJUnit(&out, "scenarios", time.Time{}, []Run{{Name: "c", Result: res, Elapsed: time.Second, Started: started}}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Timestamp string `xml:"timestamp,attr"`
			Props     []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Out string `xml:"system-out"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	su := doc.Suites[0]
	if su.Timestamp != "2026-12-05T10:00:00" {
		t.Errorf("timestamp %s, want the run's own start", su.Timestamp)
	}
	found := false
	for _, p := range su.Props {
		if p.Name == "control.statusReceived.v" && p.Value == "negative control: passes because statusReceived failed as expected" {
			found = true
		}
	}
	if !found {
		t.Errorf("no negative-control property: %+v", su.Props)
	}
	if !strings.HasPrefix(su.Out, "statusReceived(v): negative control") || !strings.Contains(su.Out, "NetStream.Play.Start") {
		t.Errorf("system-out of a passing run: %q", su.Out)
	}
}
