package role

import (
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/internal/spec"
)

// Publisher is role: publisher — a scripted live publisher.
type Publisher struct {
	fakeclient.PublisherOptions `yaml:",inline" json:",inline"`
}

// Traits: live, and stopped by hand.
func (*Publisher) Traits() Traits { return Traits{Live: true, Stops: true} }

// Validate checks the options.
func (p *Publisher) Validate(pr spec.Problems, _ Scope) { p.PublisherOptions.Validate(pr) }

// Length is its duration.
func (p *Publisher) Length(Scope) time.Duration { return p.Duration.D() }

// Actor builds the publisher.
func (p *Publisher) Actor(env Env) (Actor, error) { return p.New(env.scripted(p.Traits())) }
