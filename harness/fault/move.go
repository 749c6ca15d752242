package fault

import (
	"context"
	"fmt"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/internal/spec"
)

// Move is a load-balance move of a VOD player: it attaches a new connection through the route
// (typically to another server), closes the old one once attached, and resumes there.
type Move struct {
	SwitchRoute `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with SwitchRoute's schema.
func (Move) JSONSchemaAlias() any { return SwitchRoute{} }

// Validate adds that only VOD players move.
func (m *Move) Validate(p spec.Problems, s *Scope) {
	validateRoute(p, s, m.Route)
	if !validateClient(p, s, m.Client) {
		return
	}
	if c := s.Client(m.Client); c != nil && !c.Traits().Moves {
		p.Add("client", "%q is a %s; a load-balance move is for %s", m.Client, role.Name(c), role.Describe(func(t role.Traits) bool { return t.Moves }))
	}
}

// Apply asks the client to move.
func (m *Move) Apply(_ context.Context, env Env, _ string) (Revert, error) {
	rt, err := routeOf(env, m.Route)
	if err != nil {
		return nil, err
	}
	c, err := env.Client(m.Client)
	if err != nil {
		return nil, err
	}
	mv, ok := c.(fakeclient.Mover)
	if !ok {
		return nil, fmt.Errorf("client %q cannot make a load-balance move (only VOD players)", m.Client)
	}
	if err := mv.MoveTo(rt.Listen); err != nil {
		return nil, fmt.Errorf("client %q: %w", m.Client, err)
	}
	return nil, nil
}
