package fault

import "context"

// Stall pauses a route in both directions without losing a byte (a bandwidth toxic of rate 0
// each way); reverting resumes it.
type Stall struct {
	RouteRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with RouteRef's schema.
func (Stall) JSONSchemaAlias() any { return RouteRef{} }

// Lasting is true: the route stays stalled until resumed.
func (*Stall) Lasting() bool { return true }

// Apply adds the rate-0 toxics.
func (s *Stall) Apply(_ context.Context, env Env, fault string) (Revert, error) {
	return addToxics(env, s.Route, fault, "bandwidth", []string{Downstream, Upstream}, 1, map[string]any{"rate": 0})
}
