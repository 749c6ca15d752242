package bench

import "runtime/metrics"

// gcPercent is the collector's target in force (GOGC), from the runtime's metrics.
func gcPercent() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return -1
	}
	return int(s[0].Value.Uint64())
}
