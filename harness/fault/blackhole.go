package fault

import (
	"context"

	"github.com/streamfault/streamfault/harness/history"
)

// Blackhole makes a route's bytes vanish while sockets stay open (a timeout toxic of 0 each
// way); undoing it closes them.
type Blackhole struct {
	RouteRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with RouteRef's schema.
func (Blackhole) JSONSchemaAlias() any { return RouteRef{} }

// Effect: the fault leaves the connections it acts on open; undoing it closes them.
func (*Blackhole) Effect() string { return history.FaultClosesAtEnd }

// Lasting is true: the route stays dark until undone.
func (*Blackhole) Lasting() bool { return true }

// Apply adds the timeout-0 toxics.
func (b *Blackhole) Apply(_ context.Context, env Env, fault string) (Revert, error) {
	return addToxics(env, b.Route, fault, "timeout", []string{Downstream, Upstream}, 1, map[string]any{"timeout": 0})
}
