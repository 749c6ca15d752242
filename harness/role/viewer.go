package role

import (
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/internal/spec"
)

// Viewer is role: viewer — a scripted live viewer.
type Viewer struct {
	fakeclient.ViewerOptions `yaml:",inline" json:",inline"`
}

// Traits: live.
func (*Viewer) Traits() Traits { return Traits{Live: true} }

// Validate checks the options.
func (v *Viewer) Validate(p spec.Problems, _ Scope) { v.ViewerOptions.Validate(p) }

// Length is its duration.
func (v *Viewer) Length(Scope) time.Duration { return v.Duration.D() }

// Actor builds the viewer.
func (v *Viewer) Actor(env Env) (Actor, error) { return v.New(env.scripted(v.Traits())) }
