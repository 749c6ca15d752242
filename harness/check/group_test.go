package check

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestEveryCheckerJudgesAGroupMember: every checker's parameters can be copied for another
// client (a group member) without touching the original.
func TestEveryCheckerJudgesAGroupMember(t *testing.T) {
	for _, k := range Checkers {
		c := k.New()
		if _, server := c.(interface{ judgesServer() }); server {
			continue
		}
		m := forClient(c, "p7")
		if m.Subject() != "p7" || c.Subject() != "" {
			t.Errorf("%s: copy judges %q, original %q", k.Key, m.Subject(), c.Subject())
		}
	}
}

// TestGroupVerdict: one verdict for a group — pass when every member passes, fail naming the
// failing members, unknown when none fails and one is unknown; members travel in the JSON.
func TestGroupVerdict(t *testing.T) {
	b := &hb{}
	for _, c := range []string{"p1", "p2", "p3"} {
		statusAt(b, 0, c, "NetConnection.Connect.Success", 1, false)
		statusAt(b, 4000, c, "NetConnection.Connect.Closed", 1, false)
		statusAt(b, 4200, c, "NetConnection.Connect.Success", 2, false)
	}
	e := New(&ReconnectsAfterLoss{})
	e.Params.(*ReconnectsAfterLoss).Client = "p*"
	e.Members = []string{"p1", "p2", "p3"}
	v := Run(&b.h, []Expectation{e})[0]
	if v.Status != Pass || v.Subject != "p*" || !strings.HasPrefix(v.Message, "all 3 clients passed") {
		t.Fatalf("all correct: %v", v)
	}
	// p2's second connection is closed by itself with nothing seen on it: a double reconnect.
	statusAt(b, 4300, "p2", "NetConnection.Connect.Closed", 2, true)
	statusAt(b, 4400, "p2", "NetConnection.Connect.Success", 3, false)
	v = Run(&b.h, []Expectation{e})[0]
	if v.Status != Fail || !strings.HasPrefix(v.Message, "1 of 3 clients failed: p2: ") || len(v.Evidence) == 0 {
		t.Fatalf("one mutant: %v", v)
	}
	e.Members = []string{"p1", "p4"} // p4 never connected
	if v = Run(&b.h, []Expectation{e})[0]; v.Status != Unknown || !strings.Contains(v.Message, "1 of 2 clients unknown: p4") {
		t.Fatalf("one member never reconnected: %v", v)
	}
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back Expectation
	if err := json.Unmarshal(raw, &back); err != nil || strings.Join(back.Members, ",") != "p1,p4" || back.Params.Subject() != "p*" {
		t.Fatalf("JSON round trip %s: %+v %v", raw, back, err)
	}
}

// TestLargeGroupVerdictKeepsOrder: a group large enough to be judged on several cores names
// its failing and unknown members in the group's order, and its evidence is the same whatever
// the number of workers.
func TestLargeGroupVerdictKeepsOrder(t *testing.T) {
	b := &hb{}
	var members []string
	for i := 0; i < 300; i++ {
		c := fmt.Sprintf("p%d", i)
		members = append(members, c)
		if i%97 == 5 {
			continue // never connected: unknown
		}
		statusAt(b, 0, c, "NetConnection.Connect.Success", 1, false)
		statusAt(b, 4000, c, "NetConnection.Connect.Closed", 1, false)
		statusAt(b, 4200, c, "NetConnection.Connect.Success", 2, false)
		if i%50 == 7 { // a double reconnect
			statusAt(b, 4300, c, "NetConnection.Connect.Closed", 2, true)
			statusAt(b, 4400, c, "NetConnection.Connect.Success", 3, false)
		}
	}
	e := New(&ReconnectsAfterLoss{})
	e.Params.(*ReconnectsAfterLoss).Client = "p*"
	e.Members = members
	if groupWorkers(len(members)) < 2 && runtime.GOMAXPROCS(0) > 1 {
		t.Fatalf("%d members judged by one worker", len(members))
	}
	v := Run(&b.h, []Expectation{e})[0]
	want := "6 of 300 clients failed: p7: "
	if v.Status != Fail || !strings.HasPrefix(v.Message, want) || !strings.Contains(v.Message, "p57: ") || !strings.Contains(v.Message, "and 1 more") {
		t.Fatalf("verdict %v, want it to start %q and name p7, p57, … in order", v, want)
	}
	var seq []string
	for i, m := range members {
		mv := judge(&b.h, forClient(e.Params, m), e.Name)
		if mv.Status != Pass {
			seq = append(seq, fmt.Sprintf("%d:%s", i, mv.Message))
		}
	}
	var par []string
	for i, mv := range judgeMembers(&b.h, e) {
		if mv.Status != Pass {
			par = append(par, fmt.Sprintf("%d:%s", i, mv.Message))
		}
	}
	if strings.Join(seq, "\n") != strings.Join(par, "\n") || len(seq) != 10 { // 6 fail, 4 unknown
		t.Fatalf("judged one by one:\n%s\njudged at once:\n%s", strings.Join(seq, "\n"), strings.Join(par, "\n"))
	}
}
