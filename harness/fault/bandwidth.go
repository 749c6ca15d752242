package fault

import (
	"context"

	"github.com/streamfault/streamfault/internal/spec"
)

// BandwidthToxic limits throughput.
type BandwidthToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// Rate is the limit in KB/s (0 stalls the route).
	Rate int `yaml:"rate" json:"rate"`
}

// Validate adds the rate's rule to the toxic's.
func (t *BandwidthToxic) Validate(p spec.Problems, s *Scope) {
	t.ToxicCommon.Validate(p, s)
	if t.Rate < 0 {
		p.Add("rate", "must not be negative")
	}
}

// Apply adds a bandwidth toxic.
func (t *BandwidthToxic) Apply(_ context.Context, env Env, fault string) (Revert, error) {
	return t.apply(env, fault, "bandwidth", map[string]any{"rate": t.Rate})
}
