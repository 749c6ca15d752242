package scenario

import (
	"time"
)

// Length estimates how long the scenario runs when all goes well: the longest of its clients'
// durations, its players' play scripts (each item's stream played through, after its time)
// and its timed faults' ends. Schedulers use it to start long scenarios first; it bounds
// nothing.
func (s *Scenario) Length() time.Duration {
	var longest time.Duration
	sc := s.roleScope()
	for _, c := range s.Clients {
		if c.Options != nil {
			longest = max(longest, c.Options.Length(sc))
		}
	}
	for _, f := range s.Faults {
		if f.At != nil {
			longest = max(longest, f.At.D()+f.For.D())
		}
	}
	return min(longest, s.Timeout.D())
}
