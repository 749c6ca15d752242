package main

import (
	"runtime/debug"
	"testing"
)

// TestLeanHeapOnlyForLabsAndOnlyUnlessGOGCIsSet: run, compare and bench get the lab's
// collector target and a pacer for it; other commands, and any command under a user's GOGC,
// keep theirs and get none.
func TestLeanHeapOnlyForLabsAndOnlyUnlessGOGCIsSet(t *testing.T) {
	const mine = 77
	prev := debug.SetGCPercent(mine)
	defer debug.SetGCPercent(prev)
	unset := func(string) string { return "" }
	userSet := func(k string) string {
		if k == "GOGC" {
			return "200"
		}
		return ""
	}
	for _, tc := range []struct {
		args   []string
		getenv func(string) string
		want   int
	}{
		{[]string{"run", "scenarios"}, unset, labGCPercent},
		{[]string{"compare", "x.yaml"}, unset, labGCPercent},
		{[]string{"bench", "players"}, unset, labGCPercent},
		{[]string{"run"}, userSet, mine},
		{[]string{"serve"}, unset, mine},
		{[]string{"validate", "x.yaml"}, unset, mine},
		{nil, unset, mine},
	} {
		debug.SetGCPercent(mine)
		p := leanHeap(tc.args, tc.getenv)
		if got := debug.SetGCPercent(mine); got != tc.want {
			t.Errorf("%v: collector target %d, want %d", tc.args, got, tc.want)
		}
		if (p != nil) != (tc.want == labGCPercent) {
			t.Errorf("%v: pacer %v", tc.args, p)
		}
		if p != nil {
			p.Stop()
		}
	}
}
