package fault

import (
	"context"

	"github.com/streamfault/streamfault/internal/spec"
)

// SlowCloseToxic delays the close of a connection.
type SlowCloseToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// Delay is how long the close is held back.
	Delay spec.Duration `yaml:"delay" json:"delay"`
}

// Validate adds the delay's rule to the toxic's.
func (t *SlowCloseToxic) Validate(p spec.Problems, s *Scope) {
	t.ToxicCommon.Validate(p, s)
	p.NonNegative("delay", t.Delay)
}

// Apply adds a slow_close toxic.
func (t *SlowCloseToxic) Apply(_ context.Context, env Env, fault string) (Revert, error) {
	return t.apply(env, fault, "slow_close", map[string]any{"delay": ms(t.Delay)})
}
