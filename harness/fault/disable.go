package fault

import (
	"context"

	"github.com/streamfault/streamfault/harness/history"
)

// Disable closes a route's live connections and refuses new ones until reverted.
type Disable struct {
	RouteRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with RouteRef's schema.
func (Disable) JSONSchemaAlias() any { return RouteRef{} }

// Lasting is true: the route stays disabled until enabled again.
// Effect: the fault ends every live connection it acts on.
func (*Disable) Effect() string { return history.FaultCloses }

func (*Disable) Lasting() bool { return true }

// Apply disables the route's proxy.
func (d *Disable) Apply(_ context.Context, env Env, _ string) (Revert, error) {
	r, err := routeOf(env, d.Route)
	if err != nil {
		return nil, err
	}
	if err := r.Disable(); err != nil {
		return nil, err
	}
	return func(context.Context) error { return r.Enable() }, nil
}
