package reports

import (
	"fmt"
	"strings"
)

// Comparison is a scenario set run against several subjects side by side: per scenario and
// subject, the verdicts and the recovery times.
type Comparison struct {
	// Subjects are the column heads (e.g. reference, nginx).
	Subjects []string
	// Rows are the scenarios, in order.
	Rows []CompareRow
}

// CompareRow is one scenario against each subject.
type CompareRow struct {
	// Scenario is the scenario's name.
	Scenario string
	// Cells hold, per subject, the verdicts and recovery times (or why it did not run).
	Cells []string
}

// CompareCell sums up one run for a comparison: every checker's verdict and the recovery
// times, or why there is no verdict.
func CompareCell(r Run) string {
	switch {
	case r.Err != nil:
		return "error: " + firstLine(r.Err.Error())
	case r.Result == nil:
		return "not run"
	case r.Result.Interrupted != "":
		return "interrupted"
	}
	var parts []string
	for _, v := range r.Result.Verdicts {
		parts = append(parts, fmt.Sprintf("%s=%s", v.Checker, v.Status))
	}
	if ds := Recoveries(r.Result); len(ds) > 0 {
		p50, _, mx := Percentiles(ds)
		parts = append(parts, fmt.Sprintf("recovery p50 %v max %v (%d)", p50.Round(1e6), mx.Round(1e6), len(ds)))
	}
	return strings.Join(parts, " ")
}

// Markdown is the comparison as a Markdown table.
func (c Comparison) Markdown() string {
	var b strings.Builder
	b.WriteString("| scenario | " + strings.Join(c.Subjects, " | ") + " |\n|---|")
	b.WriteString(strings.Repeat("---|", len(c.Subjects)) + "\n")
	for _, r := range c.Rows {
		cells := make([]string, len(r.Cells))
		for i, cell := range r.Cells {
			cells[i] = strings.ReplaceAll(cell, "|", "\\|")
		}
		b.WriteString("| " + r.Scenario + " | " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}
