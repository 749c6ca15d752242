package conformance

import (
	"fmt"
	"os"
	"strings"
)

// Markdown lays the cells out as a table: a line per row (program, operation), a column per
// subject, each cell its outcome and what was measured. Rows the reference server is known
// to fail say why underneath.
func Markdown(cells []Cell, subjects []string) string {
	var b strings.Builder
	b.WriteString("| program | operation |")
	for _, s := range subjects {
		b.WriteString(" " + s + " |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(subjects)) + "\n")
	var known []string
	for _, r := range rowsOf(cells) {
		fmt.Fprintf(&b, "| %s | %s |", r.Program, escape(r.Operation))
		for _, s := range subjects {
			b.WriteString(" ")
			if c, ok := find(cells, r, s); ok {
				b.WriteString(string(c.Status) + ": " + escape(c.Detail))
			}
			b.WriteString(" |")
		}
		b.WriteString("\n")
		if r.Known != "" {
			known = append(known, fmt.Sprintf("- %s %s: %s", r.Program, r.Operation, r.Known))
		}
	}
	if len(known) > 0 {
		b.WriteString("\nKnown differences of the reference server from what the client expects:\n" + strings.Join(known, "\n") + "\n")
	}
	return b.String()
}

// Problems lists what is wrong with the reference server's column: a failed cell, a known
// failure that now passes (the row's note is stale), and — when requireTools is set — a
// skipped cell.
func Problems(cells []Cell, requireTools bool) []string {
	var out []string
	for _, c := range cells {
		if c.Subject != ReferenceName {
			continue
		}
		name := c.Row.Program + " " + c.Row.Operation
		switch {
		case c.Status == Skip && requireTools:
			out = append(out, fmt.Sprintf("%s: skipped: %s", name, c.Detail))
		case c.Status == Fail && c.Row.Known == "":
			out = append(out, fmt.Sprintf("%s: %s", name, c.Detail))
		case c.Status == Pass && c.Row.Known != "":
			out = append(out, fmt.Sprintf("%s passes now (%s): drop its known difference", name, c.Detail))
		}
	}
	return out
}

// RequireTools tells whether STREAMFAULT_REQUIRE_TOOLS=1 asks for every program to be there.
func RequireTools() bool { return os.Getenv("STREAMFAULT_REQUIRE_TOOLS") == "1" }

func rowsOf(cells []Cell) []Row {
	var out []Row
	seen := map[string]bool{}
	for _, c := range cells {
		k := c.Row.Program + "\x00" + c.Row.Operation
		if !seen[k] {
			seen[k] = true
			out = append(out, c.Row)
		}
	}
	return out
}

func find(cells []Cell, r Row, subject string) (Cell, bool) {
	for _, c := range cells {
		if c.Subject == subject && c.Row.Program == r.Program && c.Row.Operation == r.Operation {
			return c, true
		}
	}
	return Cell{}, false
}

func escape(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "|", "\\|") }
