package scenario

import (
	"time"

	"github.com/streamfault/streamfault/fakeclient"
)

// Length estimates how long the scenario runs when all goes well: the longest of its clients'
// durations, its players' play scripts (each item's stream played through, after its time)
// and its timed faults' ends. Schedulers use it to start long scenarios first; it bounds
// nothing.
func (s *Scenario) Length() time.Duration {
	var longest time.Duration
	for _, c := range s.Clients {
		d := c.Duration.D()
		if c.Role == fakeclient.RolePlayer {
			var at time.Duration
			for _, it := range c.Play {
				at = max(at, it.At.D())
				if st, ok := s.Stream(it.Stream); ok {
					at += st.Duration.D() - it.Start.D()
				}
			}
			d = max(d, at+c.BufferTime.D())
		}
		if c.Role == fakeclient.RoleProcess && d == 0 && c.Stream != "" {
			if st, ok := s.Stream(c.Stream); ok {
				d = st.Duration.D()
			}
		}
		longest = max(longest, d)
	}
	for _, f := range s.Faults {
		if f.At != nil {
			longest = max(longest, f.At.D()+f.For.D())
		}
	}
	return min(longest, s.Timeout.D())
}
