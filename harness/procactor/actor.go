package procactor

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/proc"
	"github.com/streamfault/streamfault/internal/tlsca"
	"github.com/streamfault/streamfault/internal/wiretap"
)

// Config is a process actor to run.
type Config struct {
	// Name is the client's name in the history.
	Name string
	// Spec is its program.
	Spec Spec
	// Stream is the stream put in {url} and {stream}.
	Stream string
	// App is the application put in {url}, {tcurl} and {app} when the spec names none.
	App string
	// Out is the client's folder for {out}, created when the program uses it.
	Out string
	// Marks are the stream times whose first crossing of the tap is recorded (tap.reached):
	// the triggers of faults fired by this client's stream time.
	Marks []time.Duration
	// Duration, when positive, is how long the program may run before the harness stops it.
	Duration time.Duration
	// Dir is the scenario file's folder ({dir}).
	Dir string
	// Upstream is the address of the client's route.
	Upstream string
	// CA, when set, is the run's certificate authority (the server speaks RTMPS): the tap
	// shows the program a certificate it signs and opens TLS to the route with UpstreamTLS.
	CA *tlsca.Authority
	// UpstreamTLS is how the tap connects to the route when CA is set.
	UpstreamTLS *tls.Config
	// TLSTerms are what the server's TLS offers besides its certificate: the tap offers the
	// program the same.
	TLSTerms tlsca.Terms
	// Clock is the run's clock.
	Clock clock.Clock
	// OnEvent receives every event, stamped with its time; safe for concurrent use.
	OnEvent func(time.Time, history.Event)
}

// Actor is a running process actor. It implements the harness' client interfaces: Run,
// SwitchAddr (a network change) and Stop (a manual stop).
type Actor struct {
	cfg    Config
	clk    clock.Clock
	tap    *wiretap.Tap
	cafile string // {cafile}: the CA's PEM file, removed with the tap

	stopOnce sync.Once
	stop     chan struct{}

	// How the harness stopped the program, for its exit's message: why, and whether it had to
	// be killed after its grace (set before the signal is sent).
	stopWhy atomic.Pointer[string]
	killed  atomic.Bool
}

// New prepares an actor; its tap listens at once, the program starts in Run.
func New(cfg Config) (*Actor, error) {
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(time.Time, history.Event) {}
	}
	a := &Actor{cfg: cfg, clk: clock.Or(cfg.Clock), stop: make(chan struct{})}
	marks := make([]float64, len(cfg.Marks))
	for i, m := range cfg.Marks {
		marks[i] = m.Seconds()
	}
	tc := wiretap.Config{Upstream: cfg.Upstream, Clock: a.clk, OnEvent: a.tapEvent, Marks: marks}
	switch {
	case cfg.CA != nil && cfg.Spec.TLS == TLSRelay:
		tc.Opaque = "TLS relayed unread (process.tls: relay): the program and the server speak TLS to each other"
		if err := a.writeCAFile(); err != nil {
			return nil, fmt.Errorf("client %q: %w", cfg.Name, err)
		}
	case cfg.CA != nil:
		t, err := a.terminateTLS()
		if err != nil {
			return nil, fmt.Errorf("client %q: %w", cfg.Name, err)
		}
		tc.TLS = t
	}
	tap, err := wiretap.Listen(tc)
	if err != nil {
		a.removeCAFile()
		return nil, fmt.Errorf("client %q: %w", cfg.Name, err)
	}
	a.tap = tap
	return a, nil
}

// Close releases the tap (and the CA file) of an actor that will not run (Run releases them
// itself).
func (a *Actor) Close() error {
	defer a.removeCAFile()
	return a.tap.Close()
}

// Addr is where the program connects: the wire tap in front of the route.
func (a *Actor) Addr() string { return a.tap.Addr() }

// Args is the command line with the placeholders replaced.
func (a *Actor) Args() []string {
	r := a.values().replacer()
	out := make([]string, len(a.cfg.Spec.Command))
	for i, v := range a.cfg.Spec.Command {
		out[i] = r.Replace(v)
	}
	return out
}

// values are what the placeholders stand for.
func (a *Actor) values() values {
	app := a.cfg.Spec.App
	if app == "" {
		app = a.cfg.App
	}
	return values{addr: a.tap.Addr(), app: app, stream: a.cfg.Stream, dir: a.cfg.Dir, client: a.cfg.Name, out: a.cfg.Out,
		tls: a.cfg.CA != nil, cafile: a.cafile}
}

func (a *Actor) record(e history.Event) {
	e.Source = a.cfg.Name
	a.cfg.OnEvent(a.clk.Now(), e)
}

// Run starts the program at its time and waits until it ends, its duration is over, it is
// stopped by hand, or ctx ends; in every case the program (and its process group) is gone
// and the tap closed when Run returns. A program that cannot be started is an error; how a
// started one ended is an event, for the checkers.
func (a *Actor) Run(ctx context.Context) error {
	defer a.Close()
	if at := a.cfg.Spec.At.D(); at > 0 {
		select {
		case <-a.clk.After(at):
		case <-ctx.Done():
			return nil
		case <-a.stop:
			return nil
		}
	}
	if a.cfg.Spec.Uses("{out}") {
		if a.cfg.Out == "" {
			return fmt.Errorf("client %q: the command uses {out}, but the run has no output folder", a.cfg.Name)
		}
		if err := os.MkdirAll(a.cfg.Out, 0o755); err != nil {
			return fmt.Errorf("client %q: {out}: %w", a.cfg.Name, err)
		}
	}
	args := a.Args()
	r := a.values().replacer()
	env := make([]string, 0, len(a.cfg.Spec.Env))
	for k, v := range a.cfg.Spec.Env {
		env = append(env, k+"="+r.Replace(v))
	}
	sort.Strings(env)
	onLine := proc.LineBudget(proc.HistoryLines, proc.HistoryLineSize, func(stream, text string) {
		a.record(history.Event{Kind: history.KindProcOutput, Code: stream, Message: text})
	})
	p, err := proc.New(proc.Spec{Args: args, Env: env, Dir: a.cfg.Spec.Dir, OnLine: onLine,
		OnExit: func(err error) { a.record(history.Event{Kind: history.KindProcExit, Message: a.exitMessage(err)}) }})
	if err != nil {
		return fmt.Errorf("client %q: %w", a.cfg.Name, err)
	}
	if err := p.Start(ctx); err != nil {
		return fmt.Errorf("client %q: %w", a.cfg.Name, err)
	}
	a.record(history.Event{Kind: history.KindProcStart, Message: fmt.Sprintf("pid %d: %s", p.PID(), strings.Join(args, " "))})
	var over <-chan time.Time
	if d := a.cfg.Duration; d > 0 {
		over = a.clk.After(d - a.cfg.Spec.At.D())
	}
	why := ""
	select {
	case <-p.Exited():
		return nil
	case <-a.stop:
		why = "manual stop"
	case <-over:
		why = "its duration is over"
	case <-ctx.Done():
		why = "the run ended"
	}
	if why != "manual stop" { // a manual stop was recorded when it was asked for
		a.record(history.Event{Kind: history.KindProcStop, Message: "SIGINT: " + why})
	}
	return a.terminate(p, why)
}

// terminate stops the program the harness decided to stop: SIGINT, then SIGKILL after its
// grace; both are remembered for its exit's message.
func (a *Actor) terminate(p *proc.Process, why string) error {
	a.stopWhy.Store(&why)
	if err := p.Signal(syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("client %q: stop: %w", a.cfg.Name, err)
	}
	select {
	case <-p.Exited():
		return nil
	case <-time.After(a.cfg.Spec.Grace.D()):
	}
	a.killed.Store(true)
	if err := p.Kill(); err != nil {
		return fmt.Errorf("client %q: %w", a.cfg.Name, err)
	}
	return nil
}

// exitMessage says how the program ended, in words: by itself, or stopped by the harness (why,
// and whether SIGINT sufficed).
func (a *Actor) exitMessage(err error) string {
	how := proc.ExitStatus(err)
	why := a.stopWhy.Load()
	switch {
	case why == nil:
		return how
	case a.killed.Load():
		return fmt.Sprintf("stopped by the harness (%s): SIGINT, then SIGKILL after %v, as it had not ended", *why, a.cfg.Spec.Grace.D())
	}
	return fmt.Sprintf("stopped by the harness (%s): SIGINT; it ended (%s)", *why, how)
}

// Stop is a manual stop: the program gets SIGINT (then SIGKILL after its grace).
func (a *Actor) Stop() {
	a.stopOnce.Do(func() {
		a.record(history.Event{Kind: history.KindProcStop, Message: "SIGINT: manual stop"})
		close(a.stop)
	})
}

// SwitchAddr is a network change: the program's connections end, later ones go to addr.
func (a *Actor) SwitchAddr(addr string) error {
	a.tap.Switch(addr)
	return nil
}

// tapEvent adapts what the wire tap saw into the history.
func (a *Actor) tapEvent(ev wiretap.Event) {
	e := history.Event{Source: a.cfg.Name, Conn: ev.Conn, App: ev.App, Stream: ev.Stream, Start: ev.Start, Offset: ev.Offset,
		Transition: ev.Transition, Media: ev.Media, Prev: ev.Prev, BytesIn: ev.Down, BytesOut: ev.Up, ClosedBy: ev.ClosedBy, Message: ev.Err}
	switch ev.Kind {
	case wiretap.KindConnect:
		e.Kind, e.Code, e.Latency = history.KindTapConnect, ev.TLS, ev.Handshake
	case wiretap.KindCommand:
		e.Kind, e.Command = history.KindTapCommand, ev.Name
	case wiretap.KindStatus:
		e.Kind, e.Code = history.KindTapStatus, ev.Code
	case wiretap.KindMedia:
		e.Kind, e.Message = history.KindTapMedia, ev.Dir
	case wiretap.KindBytes:
		e.Kind = history.KindTapBytes
	case wiretap.KindClose:
		e.Kind = history.KindTapClose
	case wiretap.KindJump:
		e.Kind, e.Code, e.Message = history.KindTapJump, ev.Code, strings.TrimSpace(ev.Dir+" "+ev.Name+" "+ev.Err)
	case wiretap.KindReached:
		e.Kind, e.Message = history.KindTapReached, ev.Dir
	case wiretap.KindUnparsed:
		e.Kind, e.Message = history.KindTapUnparsed, ev.Dir+": "+ev.Err
	default:
		return
	}
	a.cfg.OnEvent(ev.Time, e)
}
