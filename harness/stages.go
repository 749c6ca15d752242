package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/gcpace"
	"github.com/streamfault/streamfault/internal/hugeheap"
	"github.com/streamfault/streamfault/internal/lagprobe"
	"github.com/streamfault/streamfault/internal/proc"
	"github.com/streamfault/streamfault/internal/spec"
)

// Run executes s. The returned error is about the harness itself (the lab could not be
// built, a fault could not be injected); what the actors did is judged by the verdicts. The
// lab, every client and every goroutine started here are gone when Run returns, whatever
// the path, including ctx being cancelled.
func Run(ctx context.Context, s *scenario.Scenario, opts Options) (res *Result, err error) {
	if missing := s.Missing(); len(missing) > 0 {
		return nil, fmt.Errorf("scenario %s needs %s, not found on this machine (make deps installs the bundled ones)", s.Name, strings.Join(missing, ", "))
	}
	r := &run{s: s, clk: clock.Or(opts.Clock), outer: ctx, pacer: opts.Pacer}
	if opts.Pacer != nil {
		release, advised := expectHeap(opts.Pacer, len(s.Clients))
		defer release()
		r.hugeHeap = advised
	}
	r.began = r.clk.Now()
	r.out = runFolder(opts.OutDir, s.Name, r.began)
	ctx, cancel := context.WithTimeout(ctx, s.Timeout.D())
	defer cancel()
	if err := r.build(ctx, opts); err != nil {
		if r.outer.Err() != nil { // interrupted while the lab was being built
			return r.interrupted(), nil
		}
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	defer func() {
		if cerr := r.lab.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("scenario %s: teardown: %w", s.Name, cerr))
		}
		if res != nil {
			res.Elapsed = r.clk.Now().Sub(r.began)
		}
	}()
	ferr := r.play(ctx)
	if r.outer.Err() != nil {
		return r.interrupted(), nil
	}
	res = r.judge()
	if ferr != nil {
		return res, fmt.Errorf("scenario %s: %w", s.Name, ferr)
	}
	return res, nil
}

// expectHeap tells pacer the heap the run's clients will hold while the run lasts, and when
// the collector's goal for it is large, maps that much heap ahead in huge pages
// (hugeheap.Reserve, with the collector off meanwhile) and collects it at once; it returns the
// call that ends the expectation and the bytes advised.
func expectHeap(pacer *gcpace.Pacer, clients int) (release func(), advised int64) {
	expected := int64(clients) * heapPerClient
	release = pacer.Expect(expected)
	if goal := pacer.Goal(expected); goal >= hugeheap.MinReserve {
		pacer.Off(func() { advised = hugeheap.Reserve(goal) })
		// Freed and swept now: left to the next collection, one run in 12 (beside a CPU hog)
		// took 195,000 first touches instead of 58,000, as if the storm had grown the heap
		// elsewhere before the reserve was swept.
		pacer.Collect()
	}
	return release, advised
}

// heapPerClient is the heap a client of a lab is expected to hold while it plays, for
// Options.Pacer: a little under the 0.21 MB a player held after a collection in the steady
// play of 2,000 players through one drop (its Toxiproxy link's four 32 KB copy buffers and our
// own connection, player and events), so that the expectation does not raise the heap's peak
// (500 players peaked at 190–194 MB with it, 191 without). 100 KB left 35 collections of 53
// where this leaves 26.
const heapPerClient = 200 << 10

// run is one run of a scenario, stage by stage.
type run struct {
	s      *scenario.Scenario
	clk    clock.Clock
	outer  context.Context // cancelled from outside: the run is interrupted, not judged
	began  time.Time
	rec    *history.Recorder
	lab    *lab.Lab
	actors map[string]role.Actor
	out    string // the run's folder for the programs' own files ({out})
	pacer  *gcpace.Pacer
	// hugeHeap is the heap mapped ahead in huge pages for the run's clients (bytes).
	hugeHeap int64
}

// build starts the lab, records what it is made of, and builds every client's actor (none
// runs yet). On error nothing is left (the lab is closed).
func (r *run) build(ctx context.Context, opts Options) error {
	s := r.s
	r.rec = history.NewRecorder(r.clk, s.Name)
	if opts.KeepEveryFrame {
		r.rec.KeepEveryFrame()
	}
	if opts.OnEvent != nil {
		r.rec.Observe(opts.OnEvent)
	}
	r.rec.Record(history.Event{Source: "harness", Kind: history.KindRunStart, Message: s.Name})
	if n := s.Nemesis; n != nil {
		r.rec.Record(history.Event{Source: "nemesis", Kind: history.KindFaultSchedule, Message: n.Describe(s.Faults)})
	}
	toxURL := opts.ToxiproxyURL
	if toxURL == "" && s.Toxiproxy != nil {
		toxURL = s.Toxiproxy.URL // the command line and the environment win over the file
	}
	// Programs a harness killed by SIGKILL left running (what its wrappers started) hold ports
	// and CPU: they are ended first, and said so.
	orphans, err := proc.SweepOrphans()
	for _, o := range orphans {
		r.rec.Record(history.Event{Source: "harness", Kind: history.KindLabOrphan, Message: o.String()})
	}
	if err != nil {
		r.rec.Record(history.Event{Source: "harness", Kind: history.KindLabOrphan, Message: err.Error()})
	}
	ids := newIdentities()
	var onDue func(fakeserver.FrameDue)
	if f := opts.OnFrameDue; f != nil {
		onDue = func(d fakeserver.FrameDue) {
			f(d.Declared.Client, d.Declared.Conn, d.StreamTime, d.Due.Sub(r.rec.Start()), d.Burst)
		}
	}
	l, err := lab.Start(ctx, lab.Options{OnFrameDue: onDue, Name: s.Name, Server: s.Server, Routes: s.Routes, ToxiproxyURL: toxURL, AllowRemote: opts.AllowRemote, Clock: r.clk,
		OnServerEvent: func(name string, ev fakeserver.Event) {
			var h history.Event // built in place and recorded by address: see serverEvent
			ids.serverEvent(&h, name, &ev)
			r.rec.Put(ev.Time, &h)
		},
		OnServerLine: func(name, stream, line string) {
			r.rec.Record(history.Event{Source: name, Kind: history.KindServerOutput, Code: stream, Message: line})
		},
		OnServerExit: func(name string, e lab.Exit) { r.rec.Record(serverExit(name, e)) },
		Dir:          scenarioDir(s.Path)})
	if err != nil {
		return err
	}
	r.lab = l
	r.recordLab()
	for _, f := range s.Faults {
		if p, ok := f.Spec.(fault.Preparer); ok {
			if err := p.Prepare(l); err != nil {
				return errors.Join(fmt.Errorf("fault %q: %w", f.Name, err), l.Close())
			}
		}
	}
	if r.actors, err = r.buildActors(); err != nil {
		return errors.Join(err, l.Close())
	}
	return nil
}

// recordLab puts the lab's servers, catalogue, routes and clients into the history, with the
// evidence each server and client gives.
func (r *run) recordLab() {
	s, l := r.s, r.lab
	var evidence []string
	if tr := s.Server.Traits(); tr.AccessLog {
		evidence = append(evidence, history.AccessLog)
	}
	if s.Server.Traits().Program {
		evidence = append(evidence, history.Exits)
	}
	for _, name := range s.Server.Names() {
		r.rec.Record(history.Event{Source: name, Kind: history.KindServer, Message: l.Kind(), Code: strings.Join(evidence, ",")})
	}
	for _, st := range s.Server.Streams {
		r.rec.Record(history.Event{Source: s.Server.Names()[0], Kind: history.KindStream, Stream: st.Name, Count: st.Frames(), FPS: st.FPS, GOP: st.Spec().GOP()})
	}
	for _, rt := range l.Routes() {
		r.rec.Record(history.Event{Source: "harness", Kind: history.KindRoute, Route: rt.Name, Target: rt.Server, Message: rt.Listen + " -> " + rt.Upstream})
	}
	for _, c := range s.Clients {
		code := ""
		if c.Traits().Tapped {
			code = history.WireTap
		}
		r.rec.Record(history.Event{Source: c.Name, Kind: history.KindLabClient, Route: c.Route, Message: c.Role, Code: code})
	}
}

// runFolder is the run's folder for the programs' own files: base (default the system's
// temporary folder, under streamfault-out) / scenario-date-time, unique per run started.
func runFolder(base, scenario string, began time.Time) string {
	if base == "" {
		base = filepath.Join(os.TempDir(), "streamfault-out")
	}
	return filepath.Join(base, scenario+"-"+began.UTC().Format("20060102-150405.000000"))
}

// marks are the stream times at which faults wait for client (its atStreamTime triggers).
func (r *run) marks(client string) []time.Duration {
	var out []time.Duration
	for _, f := range r.s.Faults {
		if a := f.AtStreamTime; a != nil && a.Client == client {
			out = append(out, a.Time.D())
		}
	}
	return out
}

// buildActors builds every client's actor on the address of its route.
func (r *run) buildActors() (map[string]role.Actor, error) {
	out := map[string]role.Actor{}
	vod, live := r.lab.App(false), r.lab.App(true)
	catalogue := spec.Names{}
	for _, st := range r.s.Server.Streams {
		catalogue[st.Name] = true
	}
	for _, c := range r.s.Clients {
		route, err := r.lab.Route(c.Route)
		if err == nil && c.Options == nil {
			err = fmt.Errorf("role %q is not known", c.Role)
		}
		var a role.Actor
		if err == nil {
			a, err = c.Options.Actor(role.Env{Name: c.Name, Addr: route.Listen, VODApp: vod, LiveApp: live, Clock: r.clk, TLS: r.lab.ClientTLS(), CA: r.lab.CA(), TLSTerms: r.lab.TLSTerms(),
				Dir: scenarioDir(r.s.Path), Catalogue: catalogue, Out: filepath.Join(r.out, c.Name), Marks: r.marks(c.Name),
				History: r.rec})
		}
		if err != nil {
			closeActors(out)
			return nil, fmt.Errorf("client %q: %w", c.Name, err)
		}
		out[c.Name] = a
	}
	return out, nil
}

// play plays the fault timeline and runs every actor until all have ended, then heals the
// lab; it returns the timeline's error (a fault that could not be injected).
func (r *run) play(ctx context.Context) error {
	tl := newScheduler(r.s, fault.Env{Lab: r.lab, Clients: r.actors}, r.clk, r.rec)
	// Faults due at 0 s are in effect before any client starts.
	faultCtx, stopFaults := context.WithCancel(ctx)
	faultErr := make(chan error, 1)
	initial := make(chan struct{})
	go func() { faultErr <- tl.play(faultCtx, initial) }()
	select {
	case <-initial:
	case <-ctx.Done():
	}
	lag := lagprobe.Start()
	var actors sync.WaitGroup
	for name, a := range r.actors {
		actors.Add(1)
		go func() {
			defer actors.Done()
			err := a.Run(ctx)
			msg := history.EndedNormally
			if err != nil {
				msg = err.Error()
			}
			r.rec.Record(history.Event{Source: name, Kind: history.KindActorEnd, Message: msg})
		}()
	}
	actors.Wait()
	r.rec.Record(lagEvent(lag.Stop()))
	stopFaults()
	ferr := <-faultErr
	if herr := r.lab.Heal(); herr != nil {
		ferr = errors.Join(ferr, herr)
	}
	started := map[string]bool{}
	for _, e := range r.rec.Select(func(e history.Event) bool { return e.Kind == history.KindFaultStart }) {
		started[e.Fault] = true
	}
	for _, f := range r.s.Faults {
		if !started[f.Name] {
			r.rec.Record(history.Event{Source: f.Name, Kind: history.KindFaultUnfired, Fault: f.Name, Message: f.Trigger()})
		}
	}
	return ferr
}

// judge ends the history and applies the checkers.
func (r *run) judge() *Result {
	r.rec.Record(history.Event{Source: "harness", Kind: history.KindRunEnd})
	if r.rec.Len() >= collectBeforeJudging {
		// The actors have let go of their connections, buffers and Toxiproxy's links, but the
		// heap's goal was set while they lived: without a collection now, taking the history
		// (every event copied into one array) maps new memory rather than reusing theirs.
		if r.pacer != nil {
			r.pacer.Collect() // and the goal for what is left is set before the history is taken
		} else {
			runtime.GC()
		}
	}
	h := r.rec.Finish()
	res := &Result{Scenario: r.s, History: h, Verdicts: check.Run(h, r.s.Expect), Recoveries: map[string][]check.Recovery{}, HugeHeap: r.hugeHeap,
		Faults: faultRecords(r.s, h)}
	for _, c := range r.s.Clients {
		if rc := check.Recoveries(h, c.Name); len(rc) > 0 {
			res.Recoveries[c.Name] = rc
		}
	}
	return res
}

// collectBeforeJudging is the size of a recording (in events) from which a run collects its
// garbage before it takes the history: 2,000 players (81,000 events) then peaked at 735–741 MB
// against 732–791 MB, for a collection of 70–80 ms.
const collectBeforeJudging = 10000

// interrupted ends the history of a run cut short from outside: it is not judged (its
// history is cut short, and a checker would fail what never had a chance to happen, or a
// negative control pass).
func (r *run) interrupted() *Result {
	why := context.Cause(r.outer).Error()
	r.rec.Record(history.Event{Source: "harness", Kind: history.KindRunEnd, Message: "interrupted: " + why})
	h := r.rec.Finish()
	res := &Result{Scenario: r.s, History: h, Interrupted: why}
	if r.lab != nil {
		res.Faults = faultRecords(r.s, h)
	}
	return res
}

// scenarioDir is the absolute folder of a scenario file ("" for one built in memory).
func scenarioDir(path string) string {
	if path == "" {
		return ""
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return filepath.Dir(path)
	}
	return abs
}

// closeActors releases what built actors hold before they run (a process actor's tap).
func closeActors(actors map[string]role.Actor) {
	for _, a := range actors {
		if c, ok := a.(interface{ Close() error }); ok {
			_ = c.Close()
		}
	}
}

// faultRecords accounts for every fault of s from the history: when it fired and ended, or
// that it never fired.
func faultRecords(s *scenario.Scenario, h *history.History) []FaultRecord {
	var out []FaultRecord
	for _, f := range s.Faults {
		r := FaultRecord{Name: f.Name, Kind: f.Kind, Trigger: f.Trigger(), Optional: f.Optional}
		for _, e := range h.Of(f.Name, history.KindFaultStart, history.KindFaultEnd) {
			if e.Kind == history.KindFaultStart && !r.Fired {
				r.Fired, r.Start = true, e.At
			} else if e.Kind == history.KindFaultEnd && r.End == 0 {
				r.End = e.At
			}
		}
		out = append(out, r)
	}
	return out
}

// serverExit is a server program's exit as the history records it.
func serverExit(name string, e lab.Exit) history.Event {
	code := history.ExitUnplanned
	switch {
	case e.Planned:
		code = history.ExitPlanned
	case e.Allowed:
		code = history.ExitAllowed
	}
	msg := e.How
	if len(e.Tail) > 0 {
		msg += "; last output: " + strings.Join(e.Tail, " | ")
	}
	return history.Event{Source: name, Kind: history.KindServerExit, Code: code, Message: msg}
}
