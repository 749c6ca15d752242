package fault

import (
	"context"

	"github.com/streamfault/streamfault/internal/spec"
)

// LatencyToxic adds latency ± jitter to every chunk.
type LatencyToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// Latency is the added delay.
	Latency spec.Duration `yaml:"latency" json:"latency"`
	// Jitter is the random variation (±).
	Jitter spec.Duration `yaml:"jitter" json:"jitter,omitempty"`
}

// Validate adds the delays' rules to the toxic's.
func (t *LatencyToxic) Validate(p spec.Problems, s *Scope) {
	t.ToxicCommon.Validate(p, s)
	p.NonNegative("latency", t.Latency)
	p.NonNegative("jitter", t.Jitter)
}

// Apply adds a latency toxic.
func (t *LatencyToxic) Apply(_ context.Context, env Env, fault string) (Revert, error) {
	return t.apply(env, fault, "latency", map[string]any{"latency": ms(t.Latency), "jitter": ms(t.Jitter)})
}
