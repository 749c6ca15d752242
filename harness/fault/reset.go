package fault

import (
	"context"
	"fmt"
	"time"

	"github.com/streamfault/streamfault/harness/lab"
)

// DefaultResetHold is how long a reset fault keeps resetting connections when no `for` is given.
const DefaultResetHold = 200 * time.Millisecond

// Reset ends every live connection of a route with a TCP reset (the peers see ECONNRESET).
//
// Mechanism: Toxiproxy sets SO_LINGER 0 only on links created while a reset_peer toxic
// exists, so the lab arms every route that has a reset fault with a reset_peer toxic of
// toxicity 0 before any client connects (Prepare, lab.ResetToxic). The fault adds a second
// reset_peer toxic of toxicity 1: each link then closes with linger 0 on the next chunk of
// server data (within a frame on a streaming connection; an idle connection is reset when data
// next flows). It is removed after `for` (default DefaultResetHold); connections opened
// meanwhile are reset too. (Raising the arm's toxicity instead would be a data race inside
// Toxiproxy v2.12.0: an update rewrites a toxic that running links read without a lock.)
type Reset struct {
	RouteRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with RouteRef's schema.
func (Reset) JSONSchemaAlias() any { return RouteRef{} }

// Lasting is false: a reset acts for its hold and is then removed.
func (*Reset) Lasting() bool { return false }

// DefaultHold is how long the reset toxic stays without a `for`.
func (*Reset) DefaultHold() time.Duration { return DefaultResetHold }

// Prepare arms the route before any client connects.
func (r *Reset) Prepare(l *lab.Lab) error { return l.Arm(r.Route) }

// Apply adds the reset toxic.
func (r *Reset) Apply(_ context.Context, env Env, fault string) (Revert, error) {
	rt, err := routeOf(env, r.Route)
	if err != nil {
		return nil, err
	}
	if !env.Lab.Armed(r.Route) {
		return nil, fmt.Errorf("reset %s: route %q is not armed (the lab arms routes named by reset faults before clients connect)", fault, r.Route)
	}
	name := lab.ResetToxic + "-" + fault
	if _, err := rt.Proxy.AddToxic(name, "reset_peer", "downstream", 1, map[string]any{"timeout": 0}); err != nil {
		return nil, fmt.Errorf("reset %s: %w", fault, err)
	}
	return func(context.Context) error {
		if err := rt.Proxy.RemoveToxic(name); err != nil {
			return fmt.Errorf("reset %s: remove its toxic: %w", fault, err)
		}
		return nil
	}, nil
}
