package fault

import (
	"context"
	"fmt"

	"github.com/streamfault/streamfault/internal/spec"
)

// SwitchRoute moves a client to another route.
type SwitchRoute struct {
	// Client is the client whose network changes.
	Client string `yaml:"client" json:"client"`
	// Route is the route its later connections take.
	Route string `yaml:"route" json:"route"`
}

// Default leaves the options as they are.
func (*SwitchRoute) Default(*Scope) {}

// Validate reports an undefined route or client.
func (r *SwitchRoute) Validate(p spec.Problems, s *Scope) {
	validateRoute(p, s, r.Route)
	validateClient(p, s, r.Client)
}

// Target is the client.
func (r *SwitchRoute) Target() Target { return Target{Client: r.Client, Route: r.Route} }

// Lasting is false: the switch is instantaneous.
func (*SwitchRoute) Lasting() bool { return false }

// SwitchRouteFault is a client's network change (e.g. Wi-Fi to LTE): its later connections go
// through another route. The client's current connection is left alone: combine with a fault
// on the old route to model the old network dying.
type SwitchRouteFault struct {
	SwitchRoute `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with SwitchRoute's schema.
func (SwitchRouteFault) JSONSchemaAlias() any { return SwitchRoute{} }

// Apply tells the client its network changed.
func (r *SwitchRouteFault) Apply(_ context.Context, env Env, _ string) (Revert, error) {
	rt, err := routeOf(env, r.Route)
	if err != nil {
		return nil, err
	}
	c, err := env.Client(r.Client)
	if err != nil {
		return nil, err
	}
	if err := c.SwitchAddr(rt.Listen); err != nil {
		return nil, fmt.Errorf("client %q: %w", r.Client, err)
	}
	return nil, nil
}
