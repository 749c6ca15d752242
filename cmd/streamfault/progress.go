package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
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
	shown   bool // a live line is on the terminal (cleared before other output)
}

// runState is what the heartbeat knows of one running scenario.
type runState struct {
	started time.Time
	timeout time.Duration
	length  time.Duration // its expected length (the longest client's script)
	faults  int
	clients map[string]bool // clients that have connected
}

func newProgress() *progress { return &progress{running: map[string]*runState{}} }

// start notes a run beginning and returns what its history's events go to.
func (p *progress) start(name string, timeout, length time.Duration, now time.Time) func(history.Event) {
	st := &runState{started: now, timeout: timeout, length: length, clients: map[string]bool{}}
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

// liveLine is the one line a terminal shows while scenarios run, at most width columns:
// each running scenario with its elapsed time against its expected length and its faults.
func (p *progress) liveLine(now time.Time, width int) string {
	p.mu.Lock()
	var parts []string
	for name, st := range p.running {
		parts = append(parts, fmt.Sprintf("%s %s/~%s %s", name, now.Sub(st.started).Round(time.Second), st.length.Round(time.Second), plural(st.faults, "fault")))
	}
	p.mu.Unlock()
	slices.Sort(parts)
	line := fmt.Sprintf("… %d running: %s", len(parts), strings.Join(parts, ", "))
	if r := []rune(line); len(r) > width {
		line = string(r[:width-1]) + "…"
	}
	return line
}

// loop prints the heartbeat to w every period until ctx ends; on a terminal (live) it redraws
// one status line every second instead, cleared before any other output (clear).
func (p *progress) loop(ctx context.Context, w io.Writer, mu *sync.Mutex, period time.Duration, live bool) {
	if live {
		period = time.Second
	}
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			mu.Lock()
			p.clear(w)
			mu.Unlock()
			return
		case now := <-tick.C:
			mu.Lock()
			if live {
				if len(p.running) > 0 || p.shown {
					fmt.Fprint(w, "\r\x1b[K"+p.liveLine(now, 100))
					p.shown = true
				}
			} else {
				for _, l := range p.lines(now) {
					fmt.Fprintln(w, l)
				}
			}
			mu.Unlock()
		}
	}
}

// clear erases the live line, if one is shown, so that other output starts on a clean line;
// the caller holds the output lock.
func (p *progress) clear(w io.Writer) {
	if p.shown {
		fmt.Fprint(w, "\r\x1b[K")
		p.shown = false
	}
}

// isTerminal tells whether w is a terminal that may get a live line: a character device, and
// NO_COLOR unset (no escape sequences asked for).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
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
