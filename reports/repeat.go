package reports

import (
	"sort"
	"time"

	"github.com/streamfault/streamfault/harness"
)

// Percentiles returns p50, p95 and max of ds (nearest rank); zeros when empty.
func Percentiles(ds []time.Duration) (p50, p95, maxv time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return rank(0.50), rank(0.95), s[len(s)-1]
}

// Recoveries flattens every client's recovery times of a result.
func Recoveries(r *harness.Result) []time.Duration {
	var out []time.Duration
	for _, rs := range r.Recoveries {
		for _, x := range rs {
			out = append(out, x.Took)
		}
	}
	return out
}
