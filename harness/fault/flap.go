package fault

import (
	"context"
	"fmt"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/spec"
)

// Flap drops a route repeatedly.
type Flap struct {
	// Route is the route to drop.
	Route string `yaml:"route" json:"route"`
	// Every is the time between drops.
	Every spec.Duration `yaml:"every" json:"every"`
	// Times is the number of drops.
	Times int `yaml:"times" json:"times"`
}

// maxFlaps bounds a flap.
const maxFlaps = 1000

// Default leaves a flap as it is.
func (*Flap) Default(*Scope) {}

// Validate reports an undefined route, a period that is not positive or a count out of range.
func (f *Flap) Validate(p spec.Problems, s *Scope) {
	validateRoute(p, s, f.Route)
	if f.Every <= 0 {
		p.Add("every", "must be positive")
	}
	if f.Times < 1 || f.Times > maxFlaps {
		p.Add("times", "%d is outside 1..%d", f.Times, maxFlaps)
	}
}

// Target is the route.
func (f *Flap) Target() Target { return Target{Route: f.Route} }

// Lasting is false: a flap is over after its last drop.
// Effect: the fault ends every live connection it acts on.
func (*Flap) Effect() string { return history.FaultCloses }

func (*Flap) Lasting() bool { return false }

// Apply drops the route every `every`, `times` times (the window spans them all).
func (f *Flap) Apply(ctx context.Context, env Env, name string) (Revert, error) {
	d := Drop{RouteRef: RouteRef{Route: f.Route}}
	for i := 0; i < f.Times; i++ {
		if i > 0 {
			if err := clock.Sleep(ctx, env.Lab.Clock(), f.Every.D()); err != nil {
				return nil, nil // the run ended; the flap stops
			}
		}
		if _, err := d.Apply(ctx, env, name); err != nil {
			return nil, fmt.Errorf("drop %d of %d: %w", i+1, f.Times, err)
		}
	}
	return nil, nil
}
