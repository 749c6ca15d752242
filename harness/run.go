// Package harness runs a scenario: it builds the lab, starts the scripted clients, plays the
// fault timeline, records everything into one history, and applies the checkers.
package harness

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/procactor"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/clock"
)

// Options configures a run.
type Options struct {
	// ToxiproxyURL selects an external toxiproxy-server (from the command line or the
	// environment: it wins over the scenario's toxiproxy.url); empty leaves the choice to the
	// scenario, and without one there either, a Toxiproxy is embedded.
	ToxiproxyURL string
	// AllowRemote lets a Toxiproxy (or a server under test) be on a host other than loopback:
	// an explicit opt-in; without it such a scenario is refused before anything is contacted.
	AllowRemote bool
	// Clock is the run's single time source; default the real clock.
	Clock clock.Clock
}

// Result is what a run produced.
type Result struct {
	// Scenario is the scenario that ran.
	Scenario *scenario.Scenario
	// History is everything that happened.
	History *history.History
	// Verdicts are the checkers' results, in the order of the scenario's expect list.
	Verdicts []check.Verdict
	// Elapsed is the run's wall time, lab setup and teardown included.
	Elapsed time.Duration
	// Recoveries are the measured recovery times, per client.
	Recoveries map[string][]check.Recovery
	// Faults accounts for every fault of the scenario: when it fired, or that it never did.
	Faults []FaultRecord
	// Interrupted says why the run was cut short from outside (Ctrl-C, SIGTERM, a test
	// framework's interrupt); an interrupted run has no verdict. Empty for a run that ended
	// by itself (its scenario's timeout included).
	Interrupted string
}

// FaultRecord is what became of one fault of the scenario.
type FaultRecord struct {
	// Name is the fault's name.
	Name string `json:"name"`
	// Kind is its kind.
	Kind string `json:"kind"`
	// Trigger says when it was due to fire.
	Trigger string `json:"trigger"`
	// Optional faults may never fire.
	Optional bool `json:"optional,omitempty"`
	// Fired tells whether it fired; Start and End (0 when it lasted to the end) say when.
	Fired bool          `json:"fired"`
	Start time.Duration `json:"start,omitempty"`
	End   time.Duration `json:"end,omitempty"`
}

// Problems lists why the result does not meet the scenario's expectations: a checker that
// did not pass (except the controls named by expectFailures and expectUnknown, which must
// fail or say unknown), or a fault that never fired (unless optional). Empty means success.
// A nemesis scenario's problems end with the seed that replays its schedule.
func (r *Result) Problems() []string {
	if r.Interrupted != "" {
		return []string{"run interrupted (" + r.Interrupted + "): no verdict"}
	}
	out := r.Scenario.Controls().Problems(r.Verdicts)
	for _, f := range r.Faults {
		if !f.Fired && !f.Optional {
			out = append(out, fmt.Sprintf("fault %s never fired (%s); mark it optional: true if it may not", f.Name, f.Trigger))
		}
	}
	if n := r.Scenario.Nemesis; n != nil && len(out) > 0 {
		out = append(out, fmt.Sprintf("nemesis seed %d (set nemesis.seed to replay this schedule)", n.Seed))
	}
	return out
}

// Passed tells whether the result meets the scenario's expectations.
func (r *Result) Passed() bool { return len(r.Problems()) == 0 }

// Run executes s. The returned error is about the harness itself (the lab could not be
// built, a fault could not be injected); what the actors did is judged by the verdicts. The
// lab, every client and every goroutine started here are gone when Run returns, whatever
// the path, including ctx being cancelled.
func Run(ctx context.Context, s *scenario.Scenario, opts Options) (res *Result, err error) {
	if missing := s.Missing(); len(missing) > 0 {
		return nil, fmt.Errorf("scenario %s needs %s, not found on this machine (make deps installs the bundled ones)", s.Name, strings.Join(missing, ", "))
	}
	clk := clock.Or(opts.Clock)
	began := clk.Now()
	outer := ctx // cancelled from outside: the run is interrupted, not judged
	ctx, cancel := context.WithTimeout(ctx, s.Timeout.D())
	defer cancel()
	rec := history.NewRecorder(clk, s.Name)
	rec.Record(history.Event{Source: "harness", Kind: history.KindRunStart, Message: s.Name})
	ids := newIdentities()

	if n := s.Nemesis; n != nil {
		rec.Record(history.Event{Source: "nemesis", Kind: history.KindFaultSchedule, Message: n.Describe(s.Faults)})
	}
	toxURL := opts.ToxiproxyURL
	if toxURL == "" && s.Toxiproxy != nil {
		toxURL = s.Toxiproxy.URL // the command line and the environment win over the file
	}
	l, err := lab.Start(ctx, lab.Options{Name: s.Name, Server: s.Server, Routes: s.Routes, ToxiproxyURL: toxURL, AllowRemote: opts.AllowRemote, Clock: clk,
		OnServerEvent: func(name string, ev fakeserver.Event) { rec.RecordAt(ev.Time, ids.serverEvent(name, ev)) },
		OnServerLine: func(name, stream, line string) {
			rec.Record(history.Event{Source: name, Kind: history.KindServerOutput, Code: stream, Message: line})
		}, Dir: scenarioDir(s.Path)})
	if err != nil {
		if outer.Err() != nil { // interrupted while the lab was being built
			why := context.Cause(outer).Error()
			rec.Record(history.Event{Source: "harness", Kind: history.KindRunEnd, Message: "interrupted: " + why})
			return &Result{Scenario: s, History: rec.History(), Interrupted: why}, nil
		}
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	defer func() {
		if cerr := l.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("scenario %s: teardown: %w", s.Name, cerr))
		}
		if res != nil {
			res.Elapsed = clk.Now().Sub(began)
		}
	}()
	evidence := ""
	if s.Server.Traits().AccessLog {
		evidence = history.AccessLog
	}
	for _, name := range s.Server.Names() {
		rec.Record(history.Event{Source: name, Kind: history.KindServer, Message: l.Kind(), Code: evidence})
	}
	for _, st := range s.Server.Streams {
		rec.Record(history.Event{Source: s.Server.Names()[0], Kind: history.KindStream, Stream: st.Name, Count: st.Frames(), FPS: st.FPS})
	}
	for _, r := range l.Routes() {
		rec.Record(history.Event{Source: "harness", Kind: history.KindRoute, Route: r.Name, Target: r.Server, Message: r.Listen + " -> " + r.Upstream})
	}

	for _, f := range s.Faults {
		if p, ok := f.Spec.(fault.Preparer); ok {
			if err := p.Prepare(l); err != nil {
				return nil, fmt.Errorf("scenario %s: fault %q: %w", s.Name, f.Name, err)
			}
		}
	}
	for _, c := range s.Clients {
		rec.Record(history.Event{Source: c.Name, Kind: history.KindLabClient, Route: c.Route, Message: c.Role})
	}
	players, err := buildActors(s, l, clk, rec)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	tl := newScheduler(s, fault.Env{Lab: l, Clients: players}, clk, rec)

	// Faults due at 0 s are in effect before any client starts.
	faultCtx, stopFaults := context.WithCancel(ctx)
	faultErr := make(chan error, 1)
	initial := make(chan struct{})
	go func() { faultErr <- tl.play(faultCtx, initial) }()
	select {
	case <-initial:
	case <-ctx.Done():
	}
	var actors sync.WaitGroup
	for name, p := range players {
		actors.Add(1)
		go func() {
			defer actors.Done()
			err := p.Run(ctx)
			msg := "ended normally"
			if err != nil {
				msg = err.Error()
			}
			rec.Record(history.Event{Source: name, Kind: history.KindActorEnd, Message: msg})
		}()
	}
	actors.Wait()
	stopFaults()
	ferr := <-faultErr
	if herr := l.Heal(); herr != nil {
		ferr = errors.Join(ferr, herr)
	}
	started := map[string]bool{}
	for _, e := range rec.Select(func(e history.Event) bool { return e.Kind == history.KindFaultStart }) {
		started[e.Fault] = true
	}
	for _, f := range s.Faults {
		if !started[f.Name] {
			rec.Record(history.Event{Source: f.Name, Kind: history.KindFaultUnfired, Fault: f.Name, Message: f.Trigger()})
		}
	}
	if outer.Err() != nil {
		why := context.Cause(outer).Error()
		rec.Record(history.Event{Source: "harness", Kind: history.KindRunEnd, Message: "interrupted: " + why})
		h := rec.History()
		// An interrupted run is not judged: its history is cut short, and a checker would
		// fail what never had a chance to happen (or a negative control pass).
		return &Result{Scenario: s, History: h, Faults: faultRecords(s, h), Interrupted: why}, nil
	}
	rec.Record(history.Event{Source: "harness", Kind: history.KindRunEnd})
	h := rec.History()
	res = &Result{Scenario: s, History: h, Verdicts: check.Run(h, s.Expect), Recoveries: map[string][]check.Recovery{},
		Faults: faultRecords(s, h)}
	for _, c := range s.Clients {
		if r := check.Recoveries(h, c.Name); len(r) > 0 {
			res.Recoveries[c.Name] = r
		}
	}
	if ferr != nil {
		return res, fmt.Errorf("scenario %s: %w", s.Name, ferr)
	}
	return res, nil
}

// buildActors builds every scripted client on the address of its route.
func buildActors(s *scenario.Scenario, l *lab.Lab, clk clock.Clock, rec *history.Recorder) (map[string]fakeclient.Client, error) {
	out := map[string]fakeclient.Client{}
	for _, c := range s.Clients {
		route, err := l.Route(c.Route)
		if err != nil {
			closeActors(out)
			return nil, fmt.Errorf("client %q: %w", c.Name, err)
		}
		name := c.Name
		if c.Role == fakeclient.RoleProcess {
			a, err := procactor.New(procactor.Config{Name: name, Spec: *c.Process, Stream: c.Stream, Duration: c.Duration.D(),
				Dir: scenarioDir(s.Path), Upstream: route.Listen, Clock: clk, OnEvent: rec.RecordAt})
			if err != nil {
				closeActors(out)
				return nil, err
			}
			out[name] = a
			continue
		}
		sp := c.Spec
		if sp.File != "" && !filepath.IsAbs(sp.File) {
			sp.File = filepath.Join(scenarioDir(s.Path), sp.File)
		}
		a, err := sp.New(name, route.Listen, l.App(c.Live()), clk, func(ev fakeclient.Event) { rec.RecordAt(ev.Time, clientEvent(name, ev)) })
		if err != nil {
			closeActors(out)
			return nil, fmt.Errorf("client %q: %w", c.Name, err)
		}
		out[c.Name] = a
	}
	return out, nil
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
func closeActors(actors map[string]fakeclient.Client) {
	for _, a := range actors {
		if c, ok := a.(interface{ Close() error }); ok {
			_ = c.Close()
		}
	}
}

// clientEvent adapts a fakeclient event into the history.
func clientEvent(client string, ev fakeclient.Event) history.Event {
	h := history.Event{Source: client, Kind: history.ClientPrefix + ev.Kind, Code: ev.Code, Conn: ev.Conn, Stream: ev.Stream,
		BufferLength: ev.BufferLength, Playhead: ev.Playhead, BytesIn: ev.BytesIn, BytesOut: ev.BytesOut, Message: ev.Message,
		Kbps: ev.Kbps, Latency: ev.Latency, Strikes: ev.Strikes, SelfClosed: ev.SelfClosed}
	switch ev.Kind {
	case fakeclient.EventReceived, fakeclient.EventDropped, fakeclient.EventRendered, fakeclient.EventSent:
		t := ev.StreamTime.Seconds()
		h.Frames, h.StartTime = &history.Range{First: ev.First, Last: ev.Last}, &t
	case fakeclient.EventPlayRequest:
		off := ev.Offset
		h.Transition, h.Offset, h.OldStream, h.Playlist = ev.Transition, &off, ev.OldStream, ev.Playlist
	}
	return h
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
