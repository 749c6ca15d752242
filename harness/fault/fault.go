// Package fault holds the faults a scenario injects. Each is a value of the Fault interface,
// built from its YAML entry by an explicit mapping (no registry), and acts on the lab only
// through Toxiproxy's client package or the reference server's own controls.
package fault

import (
	"context"
	"fmt"
	"time"

	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/clock"
)

// Window is when a fault was in effect.
type Window struct {
	// Start is when the fault began to act.
	Start time.Time
	// End is when it stopped acting (equal to Start for an instantaneous fault).
	End time.Time
}

// Fault is one injectable fault.
type Fault interface {
	// Name labels the fault in the history.
	Name() string
	// Route is the route the fault acts on ("" when none).
	Route() string
	// Inject applies the fault to the lab and reports when it was in effect.
	Inject(ctx context.Context, l *lab.Lab, c clock.Clock) (Window, error)
}

// FromScenario builds the fault described by one YAML fault entry.
func FromScenario(f scenario.Fault) (Fault, error) {
	switch {
	case f.Drop != nil:
		return Drop{name: f.Name, route: f.Drop.Route}, nil
	}
	return nil, fmt.Errorf("fault %q: no fault kind given", f.Name)
}

// Drop ends every live connection of a route with a clean close (both peers see EOF) and
// accepts new connections again at once.
//
// Mechanism: the route's proxy is disabled and immediately re-enabled. Disabling a Toxiproxy
// proxy closes every link it holds (EOF on both sides within about 1 ms) and stops its
// listener; enabling it listens again on the same port. Toxics cannot do this: reset_peer added
// mid-session only acts on links created after it, timeout=0 blackholes instead of closing,
// and there is no API to target live connections one by one.
type Drop struct {
	name, route string
}

// Name is the fault's label.
func (d Drop) Name() string { return d.name }

// Route is the dropped route.
func (d Drop) Route() string { return d.route }

// Inject disables then re-enables the route's proxy.
func (d Drop) Inject(ctx context.Context, l *lab.Lab, c clock.Clock) (Window, error) {
	r, err := l.Route(d.route)
	if err != nil {
		return Window{}, fmt.Errorf("drop %q: %w", d.name, err)
	}
	if err := ctx.Err(); err != nil {
		return Window{}, fmt.Errorf("drop %q: %w", d.name, err)
	}
	c = clock.Or(c)
	w := Window{Start: c.Now()}
	if err := r.Proxy.Disable(); err != nil {
		return w, fmt.Errorf("drop %q: route %q: disable proxy: %w", d.name, d.route, err)
	}
	if err := r.Proxy.Enable(); err != nil {
		return w, fmt.Errorf("drop %q: route %q: re-enable proxy: %w", d.name, d.route, err)
	}
	w.End = c.Now()
	return w, nil
}
