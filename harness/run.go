// Package harness runs a scenario: it builds the lab, starts the scripted clients, plays the
// fault timeline, records everything into one history, and applies the checkers.
package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/clock"
)

// Options configures a run.
type Options struct {
	// ToxiproxyURL selects an external toxiproxy-server when the scenario names none; empty
	// embeds one.
	ToxiproxyURL string
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
}

// Problems lists why the result does not meet the scenario's expectations: a checker that
// did not pass, or one named in expectFailures that did not fail. Empty means success.
// A nemesis scenario's problems end with the seed that replays its schedule.
func (r *Result) Problems() []string {
	out := Problems(r.Verdicts, r.Scenario.ExpectFailures)
	if n := r.Scenario.Nemesis; n != nil && len(out) > 0 {
		out = append(out, fmt.Sprintf("nemesis seed %d (set nemesis.seed to replay this schedule)", n.Seed))
	}
	return out
}

// Problems applies the expectations' rule to verdicts — every checker passes, except those
// named in expectFailures (negative controls), which must fail — and says what broke it.
// The suite, the CLI's run and its offline check share it.
func Problems(verdicts []check.Verdict, expectFailures []string) []string {
	var out []string
	for _, v := range verdicts {
		mustFail := slices.Contains(expectFailures, v.Checker)
		switch {
		case mustFail && v.Status != check.Fail:
			out = append(out, fmt.Sprintf("%s(%s) was expected to fail (negative control) but is %s: %s", v.Checker, v.Subject, v.Status, v.Message))
		case !mustFail && v.Status != check.Pass:
			msg := fmt.Sprintf("%s(%s) %s: %s", v.Checker, v.Subject, v.Status, v.Message)
			if len(v.Evidence) > 0 {
				msg += "\n    " + strings.Join(v.Evidence, "\n    ")
			}
			out = append(out, msg)
		}
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
	clk := clock.Or(opts.Clock)
	began := clk.Now()
	ctx, cancel := context.WithTimeout(ctx, s.Timeout.D())
	defer cancel()
	rec := history.NewRecorder(clk, s.Name)
	rec.Record(history.Event{Source: "harness", Kind: history.KindRunStart, Message: s.Name})

	if n := s.Nemesis; n != nil {
		rec.Record(history.Event{Source: "nemesis", Kind: history.KindFaultSchedule, Message: n.Describe(s.Faults)})
	}
	toxURL := opts.ToxiproxyURL
	if s.Toxiproxy != nil {
		toxURL = s.Toxiproxy.URL // the scenario's own setting wins
	}
	l, err := lab.Start(ctx, lab.Options{Name: s.Name, Server: s.Server, Routes: s.Routes, ToxiproxyURL: toxURL, Clock: clk,
		OnServerEvent: func(name string, ev fakeserver.Event) { rec.RecordAt(ev.Time, serverEvent(name, ev)) }})
	if err != nil {
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
	for _, st := range s.Server.Streams {
		rec.Record(history.Event{Source: s.Server.Names()[0], Kind: history.KindStream, Stream: st.Name, Count: st.Frames(), FPS: st.FPS})
	}
	for _, r := range l.Routes() {
		rec.Record(history.Event{Source: "harness", Kind: history.KindRoute, Route: r.Name, Message: r.Listen + " -> " + r.Upstream})
	}

	for _, f := range s.Faults {
		if p, ok := f.Spec.(fault.Preparer); ok {
			if err := p.Prepare(l); err != nil {
				return nil, fmt.Errorf("scenario %s: fault %q: %w", s.Name, f.Name, err)
			}
		}
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
	rec.Record(history.Event{Source: "harness", Kind: history.KindRunEnd})
	h := rec.History()
	res = &Result{Scenario: s, History: h, Verdicts: check.Run(h, s.Expect), Recoveries: map[string][]check.Recovery{}}
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
			return nil, fmt.Errorf("client %q: %w", c.Name, err)
		}
		name := c.Name
		a, err := c.New(route.Listen, clk, func(ev fakeclient.Event) { rec.RecordAt(ev.Time, clientEvent(name, ev)) })
		if err != nil {
			return nil, fmt.Errorf("client %q: %w", c.Name, err)
		}
		out[c.Name] = a
	}
	return out, nil
}

// clientEvent adapts a fakeclient event into the history.
func clientEvent(client string, ev fakeclient.Event) history.Event {
	h := history.Event{Source: client, Kind: "client." + ev.Kind, Code: ev.Code, Conn: ev.Conn, Stream: ev.Stream,
		BufferLength: ev.BufferLength, Playhead: ev.Playhead, BytesIn: ev.BytesIn, BytesOut: ev.BytesOut, Message: ev.Message,
		Kbps: ev.Kbps, Latency: ev.Latency, Strikes: ev.Strikes}
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

// serverEvent adapts a fakeserver access-log entry into the history.
func serverEvent(server string, ev fakeserver.Event) history.Event {
	h := history.Event{Source: server, Kind: "server." + ev.Kind, Session: ev.Session, Stream: ev.Stream,
		BytesIn: ev.BytesIn, BytesOut: ev.BytesOut, Message: ev.Reason}
	switch ev.Kind {
	case fakeserver.EventPlay:
		off, st := ev.SOffset, ev.StartTime
		h.Transition, h.Offset, h.StartTime, h.Playlist = ev.TransMode, &off, &st, ev.Playlist
		h.Frames = &history.Range{First: ev.StartFrame, Last: ev.StartFrame}
	case fakeserver.EventPlaylist:
		off := ev.SOffset
		h.Transition, h.Offset, h.Playlist = ev.TransMode, &off, ev.Playlist
		h.Message = strings.Join(ev.Playlist, ", ")
	case fakeserver.EventStop:
		h.Count = ev.Frames
	}
	return h
}
