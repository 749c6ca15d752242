package scenario

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ShardEnv names the environment variable that selects a shard of the scenario suite
// ("K/N"), as run's --shard does for the CLI.
const ShardEnv = "STREAMFAULT_SHARD"

// Shard is the K-th of N parts of a selection of scenarios (1 ≤ K ≤ N).
type Shard struct{ K, N int }

// ParseShard reads "K/N"; "" is the whole selection (1/1).
func ParseShard(s string) (Shard, error) {
	if strings.TrimSpace(s) == "" {
		return Shard{K: 1, N: 1}, nil
	}
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(strings.TrimSpace(k))
	ni, err2 := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 1 || ki > ni || ni > 1000 {
		return Shard{}, fmt.Errorf("shard %q: want K/N with 1 ≤ K ≤ N ≤ 1000, such as 2/4", s)
	}
	return Shard{K: ki, N: ni}, nil
}

// String is "K/N".
func (sh Shard) String() string { return fmt.Sprintf("%d/%d", sh.K, sh.N) }

// Select is the shard's part of scenarios: the N parts are balanced by the scenarios'
// estimated lengths (longest first, each to the part with the least so far; ties by name,
// then the lowest part), disjoint, and together the whole selection, whatever its order —
// every runner computes the same split from the same selection.
func (sh Shard) Select(scenarios []*Scenario) []*Scenario {
	if sh.N <= 1 {
		return scenarios
	}
	order := make([]*Scenario, len(scenarios))
	copy(order, scenarios)
	sort.SliceStable(order, func(i, j int) bool {
		li, lj := weight(order[i]), weight(order[j])
		if li != lj {
			return li > lj
		}
		return order[i].Name < order[j].Name
	})
	load := make([]time.Duration, sh.N)
	mine := map[*Scenario]bool{}
	for _, s := range order {
		part := 0
		for p := range load {
			if load[p] < load[part] {
				part = p
			}
		}
		load[part] += weight(s)
		if part == sh.K-1 {
			mine[s] = true
		}
	}
	var out []*Scenario
	for _, s := range scenarios { // in the selection's own order
		if mine[s] {
			out = append(out, s)
		}
	}
	return out
}

// weight is a scenario's estimated length, at least a second (setting up a lab costs).
func weight(s *Scenario) time.Duration { return max(s.Length(), time.Second) }
