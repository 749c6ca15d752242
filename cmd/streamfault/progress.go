package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/status"
)

// progress prints a heartbeat while scenarios run on real time: every period, one line per
// running scenario (how long it has run against its timeout, the faults done so far — a held
// fault once it has ended —, the clients that connected), so
// that a CI log never sits silent for the length of a scenario.
type progress struct {
	mu      sync.Mutex
	running map[string]*runState
}

// runState is what the heartbeat knows of one running scenario.
type runState struct {
	started time.Time
	timeout time.Duration
	faults  int
	clients map[string]bool // clients that have connected
}

func newProgress() *progress { return &progress{running: map[string]*runState{}} }

// start notes a run beginning and returns what its history's events go to.
func (p *progress) start(name string, timeout time.Duration, now time.Time) func(history.Event) {
	st := &runState{started: now, timeout: timeout, clients: map[string]bool{}}
	p.mu.Lock()
	p.running[name] = st
	p.mu.Unlock()
	return func(ev history.Event) {
		fault := ev.Kind == history.KindFaultStart
		connected := (ev.Kind == history.KindClientStatus && ev.Code == status.ConnectSuccess) ||
			(ev.Kind == history.KindTapConnect && ev.Message == "")
		if !fault && !connected {
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if fault {
			st.faults++
		} else {
			st.clients[ev.Source] = true
		}
	}
}

// end notes a run over.
func (p *progress) end(name string) {
	p.mu.Lock()
	delete(p.running, name)
	p.mu.Unlock()
}

// lines are the heartbeat at now, one per running scenario, by name.
func (p *progress) lines(now time.Time) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for name, st := range p.running {
		out = append(out, fmt.Sprintf("… %s: running %s of at most %s, %s done, %s connected", name,
			now.Sub(st.started).Round(time.Second), st.timeout, plural(st.faults, "fault"), plural(len(st.clients), "client")))
	}
	slices.Sort(out)
	return out
}

// loop prints the heartbeat to w every period until ctx ends.
func (p *progress) loop(ctx context.Context, w io.Writer, mu *sync.Mutex, period time.Duration) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			lines := p.lines(now)
			mu.Lock()
			for _, l := range lines {
				fmt.Fprintln(w, l)
			}
			mu.Unlock()
		}
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// ansi matches the terminal escape sequences of a colored message (Ginkgo's label-filter
// errors): streamfault's own output has none, and a pipe or a CI log must not get them.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// plain is s without terminal escape sequences.
func plain(s string) string { return ansi.ReplaceAllString(s, "") }
