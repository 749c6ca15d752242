package fault

import "github.com/streamfault/streamfault/internal/spec"

// RouteRef names a route.
type RouteRef struct {
	// Route is the route's name.
	Route string `yaml:"route" json:"route"`
}

// Default leaves a route reference as it is.
func (*RouteRef) Default(*Scope) {}

// Validate reports an undefined route.
func (r *RouteRef) Validate(p spec.Problems, s *Scope) { validateRoute(p, s, r.Route) }

// Target is the route.
func (r *RouteRef) Target() Target { return Target{Route: r.Route} }
