package reports

import (
	"sort"
	"time"

	"github.com/streamfault/streamfault/harness"
)

// Percentiles returns p50, p95 and max of ds (nearest rank); zeros when empty.
func Percentiles(ds []time.Duration) (p50, p95, maxv time.Duration) {
	q := Quantiles(ds, 0.50, 0.95, 1)
	return q[0], q[1], q[2]
}

// Quantiles returns the p-quantiles of ds for each p in 0..1 (nearest rank; 1 is the max);
// zeros when ds is empty.
func Quantiles(ds []time.Duration, ps ...float64) []time.Duration {
	out := make([]time.Duration, len(ps))
	if len(ds) == 0 {
		return out
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	for k, p := range ps {
		i := int(p*float64(len(s))+0.999999) - 1
		out[k] = s[min(max(i, 0), len(s)-1)]
	}
	return out
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
