package fault

import (
	"context"
)

// Enable accepts connections on a route again.
type Enable struct {
	RouteRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with RouteRef's schema.
func (Enable) JSONSchemaAlias() any { return RouteRef{} }

// Lasting is false: enabling is instantaneous.
func (*Enable) Lasting() bool { return false }

// Apply enables the route's proxy.
func (e *Enable) Apply(_ context.Context, env Env, _ string) (Revert, error) {
	r, err := routeOf(env, e.Route)
	if err != nil {
		return nil, err
	}
	return nil, r.Enable()
}
