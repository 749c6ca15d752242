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
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/rtmpconn"
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
func (r *Result) Problems() []string {
	var out []string
	for _, v := range r.Verdicts {
		mustFail := slices.Contains(r.Scenario.ExpectFailures, v.Checker)
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
		rec.Record(history.Event{Source: "nemesis", Kind: history.KindFaultSchedule, Message: describeNemesis(s)})
	}
	toxURL := opts.ToxiproxyURL
	if s.Toxiproxy != nil {
		toxURL = s.Toxiproxy.URL // the scenario's own setting wins
	}
	l, err := lab.Start(ctx, s, lab.Options{ToxiproxyURL: toxURL, Clock: clk, ResetRoutes: resetRoutes(s),
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
		rec.Record(history.Event{Source: s.Server.Names()[0], Kind: history.KindStream, Stream: st.Name,
			Count: int(st.Duration.D() * time.Duration(st.FPS) / time.Second), FPS: st.FPS})
	}
	for _, r := range l.Routes() {
		rec.Record(history.Event{Source: "harness", Kind: history.KindRoute, Route: r.Name, Message: r.Listen + " -> " + r.Upstream})
	}

	players, err := buildActors(s, l, clk, rec)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	for name, p := range players {
		l.AddClient(name, p)
	}
	tl, err := newTimeline(s, l, clk, rec)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}

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
	res = &Result{Scenario: s, History: h, Verdicts: check.Run(h, s), Recoveries: map[string][]check.Recovery{}}
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

// actor is a scripted client: a VOD player, a live publisher or a live viewer.
type actor interface {
	lab.Switcher
	Run(ctx context.Context) error
}

func buildActors(s *scenario.Scenario, l *lab.Lab, clk clock.Clock, rec *history.Recorder) (map[string]actor, error) {
	out := map[string]actor{}
	for _, c := range s.Clients {
		route, err := l.Route(c.Route)
		if err != nil {
			return nil, fmt.Errorf("client %q: %w", c.Name, err)
		}
		name := c.Name
		onEvent := func(ev fakeclient.Event) { rec.RecordAt(ev.Time, clientEvent(name, ev)) }
		if c.Role != "player" {
			a, err := buildLive(c, route.Listen, clk, onEvent)
			if err != nil {
				return nil, fmt.Errorf("client %q: %w", c.Name, err)
			}
			out[c.Name] = a
			continue
		}
		cfg := fakeclient.PlayerConfig{
			Addr:       route.Listen,
			BufferTime: c.BufferTime.D(),
			Mutant:     c.Mutant,
			Clock:      clk,
		}
		for _, it := range c.Play {
			cfg.Script = append(cfg.Script, fakeclient.PlayStep{At: it.At.D(), Stream: it.Stream, OldStream: it.OldStream,
				Transition: it.Transition, Start: it.Start.D(), Len: it.Len.D()})
		}
		if r := c.Reconnect; r != nil {
			cfg.Reconnect = fakeclient.ReconnectPolicy{Enabled: true, MaxTries: r.MaxTries, Delay: r.Delay.D()}
		}
		if m := c.StallMonitor; m != nil {
			cfg.StallMonitor = fakeclient.StallMonitor{Interval: m.Interval.D(), Ticks: m.Ticks}
		}
		cfg.Conn.HandshakeTimeout = c.ConnectTimeout.D()
		cfg.BandwidthCheck = c.BandwidthCheck
		cfg.OnEvent = onEvent
		p, err := fakeclient.NewPlayer(cfg)
		if err != nil {
			return nil, fmt.Errorf("client %q: %w", c.Name, err)
		}
		out[c.Name] = p
	}
	return out, nil
}

// buildLive builds a publisher or a viewer.
func buildLive(c scenario.Client, addr string, clk clock.Clock, onEvent func(fakeclient.Event)) (actor, error) {
	var restore fakeclient.RestorePolicy
	if r := c.Restore; r != nil {
		restore = fakeclient.RestorePolicy{Timeout: r.Timeout.D(), MaxTries: r.MaxTries}
		if b := r.Backoff; b != nil {
			restore.Backoff = &fakeclient.Backoff{Factor: b.Factor, Max: b.Max.D(), Jitter: b.Jitter}
		}
	} else {
		restore.Off = true // no restore policy: the first failure ends the client
	}
	conn := rtmpconn.Options{HandshakeTimeout: c.ConnectTimeout.D()}
	if c.Role == "viewer" {
		return fakeclient.NewViewer(fakeclient.ViewerConfig{Addr: addr, Stream: c.Stream, Restore: restore,
			Duration: c.Duration.D(), Clock: clk, OnEvent: onEvent, Conn: conn})
	}
	cfg := fakeclient.PublisherConfig{Addr: addr, Stream: c.Stream, FPS: c.FPS, Bitrate: c.Bitrate * 1000, Codecs: c.Codecs,
		Restore: restore, Duration: c.Duration.D(), SendBuffer: c.SendBuffer, Mutant: c.Mutant, Clock: clk, OnEvent: onEvent, Conn: conn}
	if b := c.BitrateCheck; b != nil {
		cfg.BitrateCheck = fakeclient.BitrateCheck{Interval: b.Interval.D(), MaxTries: b.MaxTries, CodecChange: b.CodecChange}
	}
	if p := c.Pings; p != nil {
		cfg.Pings = fakeclient.PingProbe{ReceiveProbes: p.ReceiveProbes, ProbesInterval: p.ProbesInterval.D()}
	}
	return fakeclient.NewPublisher(cfg)
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
