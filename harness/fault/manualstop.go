package fault

import (
	"context"
	"fmt"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/internal/spec"
)

// ManualStop stops a publisher by hand: it clears its state and must not restore.
type ManualStop struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with ClientRef's schema.
func (ManualStop) JSONSchemaAlias() any { return spec.ClientRef{} }

// Default leaves the options as they are.
func (*ManualStop) Default(*Scope) {}

// Validate reports an undefined client or one that cannot be stopped by hand.
func (m *ManualStop) Validate(p spec.Problems, s *Scope) {
	if !validateClient(p, s, m.Client) {
		return
	}
	if c := s.Client(m.Client); c != nil && !c.Traits().Stops {
		p.Add("client", "%q is a %s; only %s are stopped by hand", m.Client, role.Name(c), role.Describe(func(t role.Traits) bool { return t.Stops }))
	}
}

// Target is the client.
func (m *ManualStop) Target() Target { return Target{Client: m.Client} }

// Lasting is false: the stop is instantaneous.
func (*ManualStop) Lasting() bool { return false }

// Apply stops the client.
func (m *ManualStop) Apply(_ context.Context, env Env, _ string) (Revert, error) {
	c, err := env.Client(m.Client)
	if err != nil {
		return nil, err
	}
	s, ok := c.(fakeclient.Stopper)
	if !ok {
		return nil, fmt.Errorf("client %q cannot be stopped by hand (only publishers)", m.Client)
	}
	s.Stop()
	return nil, nil
}
