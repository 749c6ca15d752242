// Package bench measures the harness and the reference server against their goals: each
// benchmark returns Figures, each beside its Goal, so that a goal missed is visible in the
// output (and tests can read the goals as data). The command line only parses flags and
// prints (streamfault bench, make bench).
package bench

import (
	"fmt"
	"io"
	"runtime"
	"strings"
)

// Goal is what a figure must be: at most (or at least) Limit, in the figure's unit.
type Goal struct {
	// Limit is the bound.
	Limit float64
	// AtLeast makes Limit a floor (default: a ceiling).
	AtLeast bool
	// Why says where the goal comes from.
	Why string
}

// Met tells whether v meets the goal.
func (g Goal) Met(v float64) bool {
	if g.AtLeast {
		return v >= g.Limit
	}
	return v <= g.Limit
}

// String is the goal in words: "<= 40".
func (g Goal) String() string {
	op := "<="
	if g.AtLeast {
		op = ">="
	}
	return fmt.Sprintf("%s %s", op, trim(g.Limit))
}

// Figure is one measured value, with its goal when it has one.
type Figure struct {
	// Name says what was measured.
	Name string
	// Value is the measurement, in Unit.
	Value float64
	// Unit is the measurement's unit ("s", "MB", "ms", "CPU-s/GB", "").
	Unit string
	// Detail adds what else was measured with it.
	Detail string
	// Goal is what the value must be (nil: none, the figure is for information).
	Goal *Goal
}

// Met tells whether the figure meets its goal (true without one).
func (f Figure) Met() bool { return f.Goal == nil || f.Goal.Met(f.Value) }

// Mark is "met", "MISSED" or "" (no goal).
func (f Figure) Mark() string {
	switch {
	case f.Goal == nil:
		return ""
	case f.Met():
		return "met"
	}
	return "MISSED"
}

// Print writes the figures one per line under a title, each goal beside its value and
// marked met or MISSED, and returns how many goals were missed.
func Print(w io.Writer, title string, figs []Figure) int {
	fmt.Fprintf(w, "%s\n", title)
	missed := 0
	for _, f := range figs {
		line := fmt.Sprintf("  %-28s %10s %-9s", f.Name, trim(f.Value), f.Unit)
		if f.Goal != nil {
			line += fmt.Sprintf(" goal %-10s %-6s", f.Goal.String()+" "+f.Unit, f.Mark())
			if !f.Met() {
				missed++
			}
		}
		if f.Detail != "" {
			line += "  " + f.Detail
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	return missed
}

// Machine says what the figures were measured on: cores, the Go scheduler's share, load.
func Machine() string {
	return fmt.Sprintf("%d cores (GOMAXPROCS %d), load %s", runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAvg())
}

// trim formats a value with at most two decimals and none that are zero.
func trim(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
