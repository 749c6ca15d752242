package fault

import (
	"context"
	"errors"
	"fmt"

	"github.com/streamfault/streamfault/internal/spec"
)

// Directions of a toxic.
const (
	Upstream   = "upstream"   // client to server
	Downstream = "downstream" // server to client
	Both       = "both"
)

// Directions are the values ToxicCommon.Direction accepts.
var Directions = []string{Upstream, Downstream, Both}

// ToxicCommon holds what every toxic has.
type ToxicCommon struct {
	// Route is the route the toxic is added to.
	Route string `yaml:"route" json:"route"`
	// Direction is upstream (client to server), downstream (server to client, the default) or both.
	Direction string `yaml:"direction" json:"direction,omitempty"`
	// Toxicity is the share of connections affected, 0..1 (default 1).
	Toxicity *float64 `yaml:"toxicity" json:"toxicity,omitempty"`
}

// Default fills the direction (downstream) and the toxicity (1).
func (t *ToxicCommon) Default(*Scope) {
	if t.Direction == "" {
		t.Direction = Downstream
	}
	if t.Toxicity == nil {
		one := 1.0
		t.Toxicity = &one
	}
}

// Validate reports an undefined route, a bad direction or toxicity.
func (t *ToxicCommon) Validate(p spec.Problems, s *Scope) {
	validateRoute(p, s, t.Route)
	if t.Direction != Upstream && t.Direction != Downstream && t.Direction != Both {
		p.Add("direction", "%q is not a direction (upstream, downstream or both)", t.Direction)
	}
	if *t.Toxicity < 0 || *t.Toxicity > 1 {
		p.Add("toxicity", "%g is outside 0..1", *t.Toxicity)
	}
}

// Target is the route.
func (t *ToxicCommon) Target() Target { return Target{Route: t.Route} }

// Lasting is true: a toxic stays until removed.
func (*ToxicCommon) Lasting() bool { return true }

// apply adds the toxic typ with attrs in the configured direction(s).
func (t *ToxicCommon) apply(env Env, fault, typ string, attrs map[string]any) (Revert, error) {
	dirs := []string{t.Direction}
	if t.Direction == Both {
		dirs = []string{Downstream, Upstream}
	}
	return addToxics(env, t.Route, fault, typ, dirs, float32(*t.Toxicity), attrs)
}

// addToxics adds one Toxiproxy toxic per direction; the returned undo removes them.
func addToxics(env Env, routeName, fault, typ string, dirs []string, toxicity float32, attrs map[string]any) (Revert, error) {
	r, err := routeOf(env, routeName)
	if err != nil {
		return nil, err
	}
	var added []string
	// Removing a timeout toxic closes its connections anyway; removing it from live links can
	// strand a Toxiproxy link goroutine forever (seen: NoopToxic.Pipe blocked on a send), so
	// for timeout toxics the links are closed first.
	undo := func(context.Context) error {
		if typ == "timeout" {
			return r.RemoveClosing(added)
		}
		return r.RemoveToxics(added)
	}
	for _, dir := range dirs {
		name := fmt.Sprintf("sf-%s-%s", fault, dir)
		if err := r.AddToxic(name, typ, dir, toxicity, attrs); err != nil {
			return nil, errors.Join(fmt.Errorf("add %s toxic (%s): %w", typ, dir, err), undo(context.Background()))
		}
		added = append(added, name)
	}
	return undo, nil
}

// ms is a duration option in milliseconds, as Toxiproxy takes it.
func ms(d spec.Duration) int64 { return d.D().Milliseconds() }
