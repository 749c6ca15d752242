package fault

import (
	"context"

	"github.com/streamfault/streamfault/internal/spec"
)

// SlicerToxic slices data into smaller bits with a delay between them.
type SlicerToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// AverageSize is the mean slice size in bytes.
	AverageSize int `yaml:"averageSize" json:"averageSize"`
	// SizeVariation is the random variation of the size in bytes.
	SizeVariation int `yaml:"sizeVariation" json:"sizeVariation,omitempty"`
	// Delay is the wait between slices.
	Delay spec.Duration `yaml:"delay" json:"delay,omitempty"`
}

// Validate adds the slice sizes' rules to the toxic's.
func (t *SlicerToxic) Validate(p spec.Problems, s *Scope) {
	t.ToxicCommon.Validate(p, s)
	if t.AverageSize < 1 {
		p.Add("averageSize", "must be at least 1")
	}
	if t.SizeVariation < 0 || t.SizeVariation >= t.AverageSize {
		p.Add("sizeVariation", "must be in 0..averageSize-1")
	}
	p.NonNegative("delay", t.Delay)
}

// Apply adds a slicer toxic.
func (t *SlicerToxic) Apply(_ context.Context, env Env, fault string) (Revert, error) {
	return t.apply(env, fault, "slicer", map[string]any{"average_size": t.AverageSize,
		"size_variation": t.SizeVariation, "delay": t.Delay.D().Microseconds()})
}
