package fault

import (
	"context"

	"github.com/streamfault/streamfault/harness/history"
)

// Drop ends every live connection of a route with a clean close (both peers see EOF) and
// accepts new connections again at once.
//
// Mechanism: the route's proxy is disabled and immediately re-enabled. Disabling a Toxiproxy
// proxy closes every link it holds (EOF on both sides within about 1 ms) and stops its
// listener; enabling it listens again on the same port. Toxics cannot do this: reset_peer added
// mid-session only acts on links created after it, timeout=0 blackholes instead of closing,
// and there is no API to target live connections one by one. A client that redials while the
// proxy is disabled is refused: about 1 ms with a few links, but Toxiproxy closes them one by
// one while everything they woke competes for the CPU — 0.35 s for 2,000 players (4,000
// sockets) on 2 cores, 1.7 s beside a CPU hog; the fault's start and end in the history bound it.
type Drop struct {
	RouteRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with RouteRef's schema.
func (Drop) JSONSchemaAlias() any { return RouteRef{} }

// Lasting is false: a drop is instantaneous.
// Effect: the fault ends every live connection it acts on.
func (*Drop) Effect() string { return history.FaultCloses }

func (*Drop) Lasting() bool { return false }

// Apply drops the route's connections.
func (d *Drop) Apply(_ context.Context, env Env, _ string) (Revert, error) {
	r, err := routeOf(env, d.Route)
	if err != nil {
		return nil, err
	}
	return nil, r.CloseLinks()
}
