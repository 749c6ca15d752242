package role

import (
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/internal/spec"
)

// Player is role: player — a scripted VOD player.
type Player struct {
	fakeclient.PlayerOptions `yaml:",inline" json:",inline"`
}

// Traits: a VOD player that moves (load balancing).
func (*Player) Traits() Traits { return Traits{Moves: true} }

// Validate checks the options against the catalogue.
func (p *Player) Validate(pr spec.Problems, sc Scope) { p.PlayerOptions.Validate(pr, sc.Streams) }

// Length is the play script played through: each item's stream from its start, after its
// time, and the buffer.
func (p *Player) Length(sc Scope) time.Duration {
	var at time.Duration
	for _, it := range p.Play {
		at = max(at, it.At.D())
		if st, ok := sc.Stream(it.Stream); ok {
			at += st.Duration.D() - it.Start.D()
		}
	}
	return at + p.BufferTime.D()
}

// Actor builds the player.
func (p *Player) Actor(env Env) (Actor, error) { return p.New(env.scripted(p.Traits())) }
