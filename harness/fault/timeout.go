package fault

import (
	"context"

	"github.com/streamfault/streamfault/internal/spec"
)

// TimeoutToxic is the timeout or reset_peer toxic.
type TimeoutToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// Timeout is the idle time (timeout) or the delay before the reset (resetPeer); 0 means
	// never close (timeout: a blackhole) or at once (resetPeer).
	Timeout spec.Duration `yaml:"timeout" json:"timeout"`
}

// Validate adds the timeout's rule to the toxic's.
func (t *TimeoutToxic) Validate(p spec.Problems, s *Scope) {
	t.ToxicCommon.Validate(p, s)
	p.NonNegative("timeout", t.Timeout)
}

// Timeout stops data and closes the connection after an idle time (Toxiproxy timeout toxic).
type Timeout struct {
	TimeoutToxic `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with TimeoutToxic's schema.
func (Timeout) JSONSchemaAlias() any { return TimeoutToxic{} }

// Apply adds a timeout toxic.
func (t *Timeout) Apply(_ context.Context, env Env, fault string) (Revert, error) {
	return t.apply(env, fault, "timeout", map[string]any{"timeout": ms(t.Timeout)})
}
