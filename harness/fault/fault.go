// Package fault holds the faults a scenario injects. Each is a value of the Fault interface,
// built from its YAML entry by an explicit mapping (no registry), and acts on the lab only
// through Toxiproxy's client package or the reference server's own controls.
package fault

import (
	"context"
	"errors"
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
	// End is when it stopped acting; zero when it lasts until the final heal.
	End time.Time
}

// Revert undoes a fault; nil means there is nothing to undo (an instantaneous fault).
type Revert func(ctx context.Context) error

// Fault is one injectable fault.
type Fault interface {
	// Name labels the fault in the history.
	Name() string
	// Target is the route or server the fault acts on.
	Target() string
	// Apply puts the fault in effect and returns how to undo it.
	Apply(ctx context.Context, l *lab.Lab) (Revert, error)
}

// DefaultResetHold is how long a reset fault keeps resetting connections when no `for` is given.
const DefaultResetHold = 200 * time.Millisecond

// Inject applies f. With hold > 0 it waits that long (cut short when ctx ends) and reverts;
// with hold == 0 a revertible fault stays until the lab is healed (Window.End zero). applied,
// when set, is called as soon as the fault is in effect (or failed to apply).
func Inject(ctx context.Context, l *lab.Lab, c clock.Clock, f Fault, hold time.Duration, applied func()) (Window, error) {
	c = clock.Or(c)
	w := Window{Start: c.Now()}
	revert, err := f.Apply(ctx, l)
	if applied != nil {
		applied()
	}
	if err != nil {
		return w, fmt.Errorf("fault %q on %s: %w", f.Name(), f.Target(), err)
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
	err = revert(rctx)
	w.End = c.Now()
	if err != nil {
		return w, fmt.Errorf("fault %q on %s: undo: %w", f.Name(), f.Target(), err)
	}
	return w, nil
}

// FromScenario builds the fault described by one YAML fault entry.
func FromScenario(f scenario.Fault) (Fault, error) {
	base := named{name: f.Name, target: f.Route()}
	switch {
	case f.Drop != nil:
		return drop{base}, nil
	case f.Reset != nil:
		return reset{base}, nil
	case f.Disable != nil:
		return disable{base}, nil
	case f.Enable != nil:
		return enable{base}, nil
	case f.Stall != nil:
		return toxic{named: base, tag: "stall", typ: "bandwidth", dirs: []string{scenario.Downstream, scenario.Upstream},
			toxicity: 1, attrs: map[string]any{"rate": 0}}, nil
	case f.Blackhole != nil:
		return toxic{named: base, tag: "blackhole", typ: "timeout", dirs: []string{scenario.Downstream, scenario.Upstream},
			toxicity: 1, attrs: map[string]any{"timeout": 0}}, nil
	case f.Flap != nil:
		return flap{named: base, every: f.Flap.Every.D(), times: f.Flap.Times}, nil
	case f.SwitchRoute != nil:
		return switchRoute{named: base, client: f.SwitchRoute.Client}, nil
	case f.Move != nil:
		return switchRoute{named: base, client: f.Move.Client, move: true}, nil
	case f.ManualStop != nil:
		return manualStop{named: named{name: f.Name, target: f.ManualStop.Client}}, nil
	case f.StallMedia != nil:
		return server{named: named{name: f.Name, target: f.StallMedia.Server}, action: "stallMedia"}, nil
	case f.Kill != nil:
		return server{named: named{name: f.Name, target: f.Kill.Server}, action: "kill"}, nil
	case f.Restart != nil:
		return server{named: named{name: f.Name, target: f.Restart.Server}, action: "restart"}, nil
	case f.Shutdown != nil:
		return server{named: named{name: f.Name, target: f.Shutdown.Server}, action: "shutdown"}, nil
	}
	if t := f.Toxic(); t != nil {
		return newToxic(base, f, t), nil
	}
	return nil, fmt.Errorf("fault %q: no fault kind given", f.Name)
}

func newToxic(base named, f scenario.Fault, t *scenario.ToxicCommon) toxic {
	dirs := []string{t.Direction}
	if t.Direction == scenario.Both {
		dirs = []string{scenario.Downstream, scenario.Upstream}
	}
	tx := toxic{named: base, dirs: dirs, toxicity: float32(*t.Toxicity)}
	ms := func(d scenario.Duration) int64 { return d.D().Milliseconds() }
	switch {
	case f.Latency != nil:
		tx.typ, tx.attrs = "latency", map[string]any{"latency": ms(f.Latency.Latency), "jitter": ms(f.Latency.Jitter)}
	case f.Bandwidth != nil:
		tx.typ, tx.attrs = "bandwidth", map[string]any{"rate": f.Bandwidth.Rate}
	case f.SlowClose != nil:
		tx.typ, tx.attrs = "slow_close", map[string]any{"delay": ms(f.SlowClose.Delay)}
	case f.Timeout != nil:
		tx.typ, tx.attrs = "timeout", map[string]any{"timeout": ms(f.Timeout.Timeout)}
	case f.ResetPeer != nil:
		tx.typ, tx.attrs = "reset_peer", map[string]any{"timeout": ms(f.ResetPeer.Timeout)}
	case f.LimitData != nil:
		tx.typ, tx.attrs = "limit_data", map[string]any{"bytes": f.LimitData.Bytes}
	case f.Slicer != nil:
		tx.typ, tx.attrs = "slicer", map[string]any{"average_size": f.Slicer.AverageSize,
			"size_variation": f.Slicer.SizeVariation, "delay": f.Slicer.Delay.D().Microseconds()}
	}
	tx.tag = tx.typ
	return tx
}

type named struct{ name, target string }

func (n named) Name() string   { return n.name }
func (n named) Target() string { return n.target }

// drop ends every live connection of a route with a clean close (both peers see EOF) and
// accepts new connections again at once.
//
// Mechanism: the route's proxy is disabled and immediately re-enabled. Disabling a Toxiproxy
// proxy closes every link it holds (EOF on both sides within about 1 ms) and stops its
// listener; enabling it listens again on the same port. Toxics cannot do this: reset_peer added
// mid-session only acts on links created after it, timeout=0 blackholes instead of closing,
// and there is no API to target live connections one by one. A client that redials within the
// ~1 ms the proxy is disabled is refused.
type drop struct{ named }

func (d drop) Apply(_ context.Context, l *lab.Lab) (Revert, error) {
	r, err := l.Route(d.target)
	if err != nil {
		return nil, err
	}
	if err := r.Proxy.Disable(); err != nil {
		return nil, fmt.Errorf("disable proxy: %w", err)
	}
	if err := r.Proxy.Enable(); err != nil {
		return nil, fmt.Errorf("re-enable proxy: %w", err)
	}
	return nil, nil
}

// reset ends every live connection of a route with a TCP reset (the peers see ECONNRESET).
//
// Mechanism: Toxiproxy sets SO_LINGER 0 only on links created while a reset_peer toxic
// exists, so the lab arms every route that has a reset fault with a reset_peer toxic of
// toxicity 0 before any client connects (lab.ResetToxic). The fault adds a second reset_peer
// toxic of toxicity 1: each link then closes with linger 0 on the next chunk of server data
// (within a frame on a streaming connection; an idle connection is reset when data next
// flows). It is removed after `for` (default DefaultResetHold); connections opened meanwhile
// are reset too. (Raising the arm's toxicity instead would be a data race inside Toxiproxy
// v2.12.0: an update rewrites a toxic that running links read without a lock.)
type reset struct{ named }

func (r reset) Apply(_ context.Context, l *lab.Lab) (Revert, error) {
	rt, err := l.Route(r.target)
	if err != nil {
		return nil, err
	}
	if !l.Armed(r.target) {
		return nil, fmt.Errorf("reset %s: route %q is not armed (the lab arms routes named by reset faults before clients connect)", r.name, r.target)
	}
	name := lab.ResetToxic + "-" + r.name
	if _, err := rt.Proxy.AddToxic(name, "reset_peer", "downstream", 1, map[string]any{"timeout": 0}); err != nil {
		return nil, fmt.Errorf("reset %s: %w", r.name, err)
	}
	return func(context.Context) error {
		if err := rt.Proxy.RemoveToxic(name); err != nil {
			return fmt.Errorf("reset %s: remove its toxic: %w", r.name, err)
		}
		return nil
	}, nil
}

// disable closes a route's live connections and refuses new ones until reverted.
type disable struct{ named }

func (d disable) Apply(_ context.Context, l *lab.Lab) (Revert, error) {
	r, err := l.Route(d.target)
	if err != nil {
		return nil, err
	}
	if err := r.Proxy.Disable(); err != nil {
		return nil, fmt.Errorf("disable proxy: %w", err)
	}
	return func(context.Context) error {
		if err := r.Proxy.Enable(); err != nil {
			return fmt.Errorf("enable proxy: %w", err)
		}
		return nil
	}, nil
}

// enable accepts connections on a route again.
type enable struct{ named }

func (e enable) Apply(_ context.Context, l *lab.Lab) (Revert, error) {
	r, err := l.Route(e.target)
	if err != nil {
		return nil, err
	}
	if err := r.Proxy.Enable(); err != nil {
		return nil, fmt.Errorf("enable proxy: %w", err)
	}
	return nil, nil
}

// toxic adds one Toxiproxy toxic per direction; reverting removes them.
type toxic struct {
	named
	tag, typ string
	dirs     []string
	toxicity float32
	attrs    map[string]any
}

func (t toxic) Apply(_ context.Context, l *lab.Lab) (Revert, error) {
	r, err := l.Route(t.target)
	if err != nil {
		return nil, err
	}
	var added []string
	// Removing a timeout toxic closes its connections anyway; removing it from live links can
	// strand a Toxiproxy link goroutine forever (seen: NoopToxic.Pipe blocked on a send), so
	// for timeout toxics the links are closed first by disabling the proxy.
	closeFirst := t.typ == "timeout"
	undo := func(context.Context) error {
		if closeFirst {
			if err := r.Proxy.Disable(); err != nil {
				return fmt.Errorf("disable proxy: %w", err)
			}
		}
		var errs []error
		for _, name := range added {
			if err := r.Proxy.RemoveToxic(name); err != nil {
				errs = append(errs, fmt.Errorf("remove toxic %s: %w", name, err))
			}
		}
		if closeFirst {
			if err := r.Proxy.Enable(); err != nil {
				errs = append(errs, fmt.Errorf("enable proxy: %w", err))
			}
		}
		return errors.Join(errs...)
	}
	for _, dir := range t.dirs {
		name := fmt.Sprintf("sf-%s-%s", t.name, dir)
		if _, err := r.Proxy.AddToxic(name, t.typ, dir, t.toxicity, t.attrs); err != nil {
			return nil, errors.Join(fmt.Errorf("add %s toxic (%s): %w", t.typ, dir, err), undo(context.Background()))
		}
		added = append(added, name)
	}
	return undo, nil
}

// flap drops a route every `every`, `times` times.
type flap struct {
	named
	every time.Duration
	times int
}

func (f flap) Apply(ctx context.Context, l *lab.Lab) (Revert, error) {
	d := drop{f.named}
	for i := 0; i < f.times; i++ {
		if i > 0 {
			if err := clock.Sleep(ctx, l.Clock(), f.every); err != nil {
				return nil, nil // the run ended; the flap stops
			}
		}
		if _, err := d.Apply(ctx, l); err != nil {
			return nil, fmt.Errorf("drop %d of %d: %w", i+1, f.times, err)
		}
	}
	return nil, nil
}

// switchRoute moves a client's later connections to another route (a network change). The
// client's current connection is left alone: combine with a fault on the old route to model the
// old network dying.
type switchRoute struct {
	named
	client string
	move   bool // a load-balance move: attach to the new route at once, then close the old connection
}

func (s switchRoute) Apply(_ context.Context, l *lab.Lab) (Revert, error) {
	r, err := l.Route(s.target)
	if err != nil {
		return nil, err
	}
	c, err := l.Client(s.client)
	if err != nil {
		return nil, err
	}
	switchTo := c.SwitchAddr
	if s.move {
		m, ok := c.(interface{ MoveTo(addr string) error })
		if !ok {
			return nil, fmt.Errorf("client %q cannot make a load-balance move (only VOD players)", s.client)
		}
		switchTo = m.MoveTo
	}
	if err := switchTo(r.Listen); err != nil {
		return nil, fmt.Errorf("client %q: %w", s.client, err)
	}
	return nil, nil
}

// manualStop stops a client by hand (a publisher: no restore may follow).
type manualStop struct{ named }

func (m manualStop) Apply(_ context.Context, l *lab.Lab) (Revert, error) {
	c, err := l.Client(m.target)
	if err != nil {
		return nil, err
	}
	s, ok := c.(interface{ Stop() })
	if !ok {
		return nil, fmt.Errorf("client %q cannot be stopped by hand (only publishers)", m.target)
	}
	s.Stop()
	return nil, nil
}

// server kills, restarts or shuts down a reference server; kill and shutdown are reverted by
// starting it again on the same address.
type server struct {
	named
	action string
}

func (s server) Apply(_ context.Context, l *lab.Lab) (Revert, error) {
	srv, err := l.Server(s.target)
	if err != nil {
		return nil, err
	}
	start := func(context.Context) error { return srv.Start() }
	switch s.action {
	case "stallMedia":
		srv.StallMedia(true)
		return func(context.Context) error { srv.StallMedia(false); return nil }, nil
	case "kill":
		return start, srv.Kill()
	case "shutdown":
		return start, srv.Close()
	default:
		return nil, srv.Restart()
	}
}
