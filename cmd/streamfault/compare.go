package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/reports"
)

// compareCmd runs a scenario set against several subjects (the same YAML with the server
// swapped) and prints the side-by-side table: scenario × subject × verdicts × recovery.
// A scenario's expectFailures describe its own subject; the table shows the verdicts as they
// came. It exits 0 once the table is complete (a verdict is a finding here, not a failure),
// 1 when a run could not be made, 130 when interrupted.
func compareCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o runOptions
	subjects := fs.String("subjects", "reference,nginx", "the kinds of subject to compare, comma-separated (those a scenario's server swaps between: "+strings.Join(lab.SwappableKinds(), ", ")+")")
	o.bind(fs)
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	o.repeat = 1
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "compare: name the scenario files or directories to compare")
		return 2
	}
	if o.parallel < 1 {
		fmt.Fprintln(stderr, "compare: -p must be >= 1")
		return 2
	}
	kinds := strings.Split(*subjects, ",")
	for _, k := range kinds {
		if !slices.Contains(lab.SwappableKinds(), k) {
			fmt.Fprintf(stderr, "compare: --subjects: %q is not a subject to swap to (known: %s)\n", k, strings.Join(lab.SwappableKinds(), ", "))
			return 2
		}
	}
	all, ok := loadScenarios(paths, stderr)
	if !ok {
		return 2
	}
	if all, ok = selectLabels("compare", all, o.labels, stderr); !ok {
		return 2
	}
	cmp := &reports.Comparison{Subjects: kinds}
	cells := map[string]string{} // run name -> cell
	var runnable []*scenario.Scenario
	for _, s := range all {
		row := reports.CompareRow{Scenario: s.Name}
		for _, k := range kinds {
			swapped, err := s.WithSubject(k)
			if err != nil {
				cells[s.Name+"."+k] = "n/a: " + err.Error()
				continue
			}
			c := *swapped
			c.Name = s.Name + "." + k
			c.ExpectFailures, c.ExpectUnknown = nil, nil // the table shows the verdicts as they came
			runnable = append(runnable, &c)
		}
		cmp.Rows = append(cmp.Rows, row)
	}
	ctx, stop := interrupted(stderr)
	defer stop()
	started := time.Now()
	runs := execute(ctx, runnable, o, stdout, stderr)
	failed := 0
	for _, r := range runs {
		cells[r.Name] = reports.CompareCell(r)
		if r.Err != nil {
			failed++
		}
	}
	for i := range cmp.Rows {
		for _, k := range kinds {
			cmp.Rows[i].Cells = append(cmp.Rows[i].Cells, cells[cmp.Rows[i].Scenario+"."+k])
		}
	}
	o.compare = cmp
	finish(runs, runnable, o, started, io.Discard, stderr)
	fmt.Fprintln(stdout)
	fmt.Fprint(stdout, cmp.Markdown())
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case failed > 0:
		return 1
	}
	return 0
}
