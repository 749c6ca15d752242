package fault

import (
	"context"
	"fmt"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/lab"
)

// DefaultResetHold is how long a reset fault keeps resetting connections when no `for` is given.
const DefaultResetHold = 200 * time.Millisecond

// Reset ends every live connection of a route with a TCP reset (the peers see ECONNRESET).
//
// Mechanism: Toxiproxy sets SO_LINGER 0 only on links created while a reset_peer toxic
// exists, so the lab arms every route that has a reset fault with a reset_peer toxic of
// toxicity 0 in each direction before any client connects (Prepare, lab.ResetToxic). The fault
// adds timeout toxics of 1 ms in both directions: each link closes 1 ms later, with linger 0,
// whether data flows or not. (A reset_peer toxic closes a link on its next chunk only: a
// server that writes twice a second let a 200 ms reset pass without a chunk, and the
// connection survived.) It is removed after `for` (default DefaultResetHold); connections
// opened meanwhile are reset too. (Raising the arm's toxicity instead would be a data race
// inside Toxiproxy v2.12.0: an update rewrites a toxic that running links read without a lock.)
type Reset struct {
	RouteRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with RouteRef's schema.
func (Reset) JSONSchemaAlias() any { return RouteRef{} }

// Lasting is false: a reset acts for its hold and is then removed.
// Effect: the fault ends every live connection it acts on.
func (*Reset) Effect() string { return history.FaultCloses }

func (*Reset) Lasting() bool { return false }

// DefaultHold is how long the reset toxic stays without a `for`.
func (*Reset) DefaultHold() time.Duration { return DefaultResetHold }

// Prepare arms the route before any client connects.
func (r *Reset) Prepare(l *lab.Lab) error { return l.Arm(r.Route) }

// Apply adds the reset's timeout toxics, through addToxics: its undo closes the route's links
// before it removes them (a timeout toxic removed from a live link can strand a Toxiproxy
// goroutine), which a link opened in the last millisecond of the hold would otherwise risk.
func (r *Reset) Apply(_ context.Context, env Env, fault string) (Revert, error) {
	if _, err := routeOf(env, r.Route); err != nil {
		return nil, err
	}
	if !env.Lab.Armed(r.Route) {
		return nil, fmt.Errorf("reset %s: route %q is not armed (the lab arms routes named by reset faults before clients connect)", fault, r.Route)
	}
	undo, err := addToxics(env, r.Route, fault, "timeout", []string{Downstream, Upstream}, 1, map[string]any{"timeout": 1})
	if err != nil {
		return nil, fmt.Errorf("reset %s: %w", fault, err)
	}
	return undo, nil
}
