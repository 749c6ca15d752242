package fault

import (
	"context"

	"github.com/streamfault/streamfault/internal/spec"
)

// LimitDataToxic closes a connection after some bytes.
type LimitDataToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// Bytes is the number of bytes let through per connection.
	Bytes int64 `yaml:"bytes" json:"bytes"`
}

// Validate adds the byte count's rule to the toxic's.
func (t *LimitDataToxic) Validate(p spec.Problems, s *Scope) {
	t.ToxicCommon.Validate(p, s)
	if t.Bytes < 0 {
		p.Add("bytes", "must not be negative")
	}
}

// Apply adds a limit_data toxic.
func (t *LimitDataToxic) Apply(_ context.Context, env Env, fault string) (Revert, error) {
	return t.apply(env, fault, "limit_data", map[string]any{"bytes": t.Bytes})
}
