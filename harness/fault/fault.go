// Package fault holds the faults a scenario injects. A fault entry (Fault) names when it
// fires (its trigger), how long it lasts, and exactly one kind. Each kind lives in its own
// file — its YAML options, their defaults and validation, and how it acts on the lab — and
// is listed in the explicit table Kinds (no registry). Faults act only through Toxiproxy's
// client package, the reference server's own controls, or a client capability (fakeclient's
// Mover and Stopper).
package fault

import (
	"context"
	"fmt"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/spec"
)

// Window is when a fault was in effect.
type Window struct {
	// Start is when the fault began to act.
	Start time.Time
	// End is when it stopped acting — when its undoing began: the network is changed then,
	// whatever the Toxiproxy call costs to return; zero when it lasts until the final heal.
	End time.Time
	// Undone is when the undoing returned (Toxiproxy may hold the call for seconds: a toxic
	// removed under links whose clients have gone waits for them), kept out of the window.
	Undone time.Time
}

// Revert undoes a fault; nil means there is nothing to undo (an instantaneous fault).
type Revert func(ctx context.Context) error

// Env is what faults act on: the lab and the running clients.
type Env struct {
	// Lab holds the routes and the servers.
	Lab *lab.Lab
	// Clients are the running scripted clients by name.
	Clients map[string]fakeclient.Client
}

// Client returns the running client called name.
func (e Env) Client(name string) (fakeclient.Client, error) {
	c, ok := e.Clients[name]
	if !ok {
		return nil, fmt.Errorf("no client %q", name)
	}
	return c, nil
}

// Target is what a fault acts on: a route, a server, or a client (with the route a network
// change or a move sends it to).
type Target struct {
	// Route is the route the fault acts on, or the one a client is sent to.
	Route string
	// Server is the server the fault acts on.
	Server string
	// Client is the client the fault acts on.
	Client string
}

// String names the target: the client, else the server, else the route.
func (t Target) String() string {
	switch {
	case t.Client != "":
		return t.Client
	case t.Server != "":
		return t.Server
	}
	return t.Route
}

// Spec is one fault kind's options as the scenario gives them; it also applies the fault.
type Spec interface {
	// Default fills the options left out.
	Default(s *Scope)
	// Validate reports what is wrong into p (the kind's own path, e.g. faults[3].drop).
	Validate(p spec.Problems, s *Scope)
	// Target is what the fault acts on.
	Target() Target
	// Lasting tells whether the fault stays in effect until it is undone (with no `for`, until
	// the final heal); instantaneous faults (a drop, a restart) do not.
	Lasting() bool
	// Apply puts the fault, called name in the history, in effect and returns how to undo it
	// (nil: nothing to undo).
	Apply(ctx context.Context, env Env, name string) (Revert, error)
}

// Affecter is a Spec whose effect on the connections it acts on the checkers must know
// (history.FaultCloses, history.FaultClosesAtEnd), recorded in the Code of its fault.start.
type Affecter interface {
	// Effect is what the fault does to the connections it acts on.
	Effect() string
}

// Holder is a Spec that holds itself for a while when its entry gives no `for`.
type Holder interface {
	// DefaultHold is how long the fault stays in effect without a `for`.
	DefaultHold() time.Duration
}

// Preparer is a Spec that must prepare the lab before any client connects.
type Preparer interface {
	// Prepare readies the lab for the fault.
	Prepare(l *lab.Lab) error
}

// Scope is what a fault's validation may look up in its scenario.
type Scope struct {
	// Timeout is the scenario's timeout.
	Timeout spec.Duration
	// Routes, Servers and Clients are the names the scenario defines.
	Routes, Servers, Clients spec.Names
	// Groups are the scenario's groups of clients (an entry with a count), by name, with
	// their members.
	Groups map[string][]string
	// FirstServer is the server a fault acts on when it names none.
	FirstServer string
	// Client returns a client's role options (nil when undefined).
	Client func(name string) role.Options
	// Stream returns a catalogue entry.
	Stream func(name string) (lab.Stream, bool)
	// ServerKind is the kind of the scenario's servers (lab.KindReference, …) and ServerTraits
	// what it allows.
	ServerKind   string
	ServerTraits lab.Traits
}

// Inject applies the entry's fault on env. With hold > 0 it waits that long (cut short when ctx
// ends) and reverts; with hold == 0 a revertible fault stays until the lab is healed
// (Window.End zero). applied, when set, is called as soon as the fault is in effect (or
// failed to apply).
func Inject(ctx context.Context, env Env, c clock.Clock, f *Fault, hold time.Duration, applied func()) (Window, error) {
	c = clock.Or(c)
	w := Window{Start: c.Now()}
	revert, err := f.Spec.Apply(ctx, env, f.Name)
	if applied != nil {
		applied()
	}
	if err != nil {
		return w, fmt.Errorf("fault %q on %s: %w", f.Name, f.Spec.Target(), err)
	}
	if revert == nil {
		w.End = c.Now()
		return w, nil
	}
	if hold <= 0 {
		return w, nil
	}
	_ = clock.Sleep(ctx, c, hold)
	// Undo even when the run is ending, bounded on its own.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	w.End = c.Now()
	err = revert(rctx)
	w.Undone = c.Now()
	if err != nil {
		return w, fmt.Errorf("fault %q on %s: undo: %w", f.Name, f.Spec.Target(), err)
	}
	return w, nil
}

// Hold is how long the entry's fault is held before it is undone: its `for`, or its kind's
// default hold, or 0 (until the final heal).
func (f *Fault) Hold() time.Duration {
	if f.For > 0 {
		return f.For.D()
	}
	if h, ok := f.Spec.(Holder); ok {
		return h.DefaultHold()
	}
	return 0
}

// route is the lab route called name.
func routeOf(env Env, name string) (*lab.Path, error) { return env.Lab.Route(name) }
