// Package coregov runs a process on one core while it is lightly loaded and on all of them
// once it needs more. A Go program that idles between packets, as a relay does, spends about
// a quarter of its CPU at GOMAXPROCS 2 waking a spare thread that finds nothing to do
// (measured with `bench relay`: 0.74 of the CPU at GOMAXPROCS 1, both at once, 7 rounds).
package coregov

import (
	"context"
	"fmt"
	"runtime"
	"time"
)

// Policy is when the governor changes the number of cores the runtime uses (GOMAXPROCS).
type Policy struct {
	// Max is the cores used when busy (default runtime.NumCPU()).
	Max int
	// Every is how often the process's CPU use is read (default 250 ms).
	Every time.Duration
	// Up is the cores used over one look, on one core, that raise it to Max (default 0.5).
	Up float64
	// Down is the cores used under which, for Calm looks in a row, it returns to one core
	// (default 0.25).
	Down float64
	// Calm is how many quiet looks in a row return it to one core (default 8: 2 s).
	Calm int
}

// withDefaults fills the zero fields.
func (p Policy) withDefaults() Policy {
	if p.Max <= 0 {
		p.Max = runtime.NumCPU()
	}
	if p.Every <= 0 {
		p.Every = 250 * time.Millisecond
	}
	if p.Up <= 0 {
		p.Up = 0.5
	}
	if p.Down <= 0 {
		p.Down = 0.25
	}
	if p.Calm <= 0 {
		p.Calm = 8
	}
	return p
}

// Governor decides the cores from the process's CPU time, look by look.
type Governor struct {
	p        Policy
	cores    int
	calm     int
	lastCPU  time.Duration
	lastWall time.Time
}

// New is a governor on one core whose first look is at (cpu, now).
func New(p Policy, cpu time.Duration, now time.Time) *Governor {
	return &Governor{p: p.withDefaults(), cores: 1, lastCPU: cpu, lastWall: now}
}

// Cores is the number of cores the governor wants now.
func (g *Governor) Cores() int { return g.cores }

// Observe takes one look: the process's CPU time so far at now. It returns the cores wanted
// after it, the cores used since the last look, and whether the count changed.
func (g *Governor) Observe(cpu time.Duration, now time.Time) (cores int, used float64, changed bool) {
	wall := now.Sub(g.lastWall)
	if wall <= 0 {
		return g.cores, 0, false
	}
	used = float64(cpu-g.lastCPU) / float64(wall)
	g.lastCPU, g.lastWall = cpu, now
	switch {
	case g.cores < g.p.Max && used >= g.p.Up:
		g.cores, g.calm, changed = g.p.Max, 0, true
	case g.cores > 1 && used < g.p.Down:
		if g.calm++; g.calm >= g.p.Calm {
			g.cores, g.calm, changed = 1, 0, true
		}
	default:
		g.calm = 0
	}
	return g.cores, used, changed
}

// Run sets the runtime to one core and governs it by p until ctx ends, then gives back the
// count it found. cpu reads the process's CPU time (ok false: the system cannot say, and
// Run keeps every core); say, when not nil, gets a line at each change.
func Run(ctx context.Context, p Policy, cpu func() (time.Duration, bool), say func(string)) {
	start, ok := cpu()
	if !ok {
		return
	}
	g := New(p, start, time.Now())
	before := runtime.GOMAXPROCS(g.Cores())
	defer runtime.GOMAXPROCS(before)
	t := time.NewTicker(g.p.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			c, ok := cpu()
			if !ok {
				continue
			}
			cores, used, changed := g.Observe(c, now)
			if !changed {
				continue
			}
			runtime.GOMAXPROCS(cores)
			if say != nil {
				say(fmt.Sprintf("cores: %d (%.2f cores used over the last %v)", cores, used, g.p.Every))
			}
		}
	}
}
