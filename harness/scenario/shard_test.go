package scenario

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseShard(t *testing.T) {
	for in, want := range map[string]string{"": "1/1", "2/4": "2/4", " 3 / 3 ": "3/3"} {
		sh, err := ParseShard(in)
		if err != nil || sh.String() != want {
			t.Errorf("%q: %v %v, want %s", in, sh, err, want)
		}
	}
	for _, bad := range []string{"0/3", "4/3", "1", "a/b", "1/0", "-1/2", "1/1001"} {
		if _, err := ParseShard(bad); err == nil || !strings.Contains(err.Error(), "1 ≤ K ≤ N") {
			t.Errorf("%q: %v, want refused", bad, err)
		}
	}
}

// The bundled scenarios split into N shards: disjoint, together the whole, the same whatever
// the input order, each within the longest scenario of the ideal share.
func TestShardsPartitionTheSelection(t *testing.T) {
	all, err := LoadPaths("../../scenarios")
	if err != nil {
		t.Fatal(err)
	}
	var total, longest time.Duration
	for _, s := range all {
		total += weight(s)
		longest = max(longest, weight(s))
	}
	reversed := make([]*Scenario, len(all))
	for i, s := range all {
		reversed[len(all)-1-i] = s
	}
	for _, n := range []int{1, 2, 3, 7, len(all) + 2} {
		seen := map[string]int{}
		for k := 1; k <= n; k++ {
			sh := Shard{K: k, N: n}
			part, again := sh.Select(all), sh.Select(reversed)
			if names(part) != names(sortedLike(again, all)) {
				t.Fatalf("%s differs with the input's order", sh)
			}
			var sum time.Duration
			for _, s := range part {
				seen[s.Name]++
				sum += weight(s)
			}
			if sum > total/time.Duration(n)+longest {
				t.Errorf("%s holds %v of %v: more than a share plus the longest scenario", sh, sum, total)
			}
		}
		if len(seen) != len(all) {
			t.Errorf("%d shards cover %d of %d scenarios", n, len(seen), len(all))
		}
		for name, c := range seen {
			if c != 1 {
				t.Errorf("%d shards: %s in %d of them", n, name, c)
			}
		}
	}
}

func names(ss []*Scenario) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintln(&b, s.Name)
	}
	return b.String()
}

// sortedLike orders part as order has them.
func sortedLike(part, order []*Scenario) []*Scenario {
	in := map[*Scenario]bool{}
	for _, s := range part {
		in[s] = true
	}
	var out []*Scenario
	for _, s := range order {
		if in[s] {
			out = append(out, s)
		}
	}
	return out
}
