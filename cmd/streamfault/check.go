package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/reports"
)

// listCmd prints the scenarios with their labels and description.
func listCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"scenarios"}
	}
	all, ok := loadScenarios(args, stderr)
	for _, s := range all {
		fmt.Fprintf(stdout, "%-48s [%s]  %s\n", s.Name, strings.Join(s.Labels, ", "), strings.Join(strings.Fields(s.Description), " "))
	}
	if !ok {
		return 2
	}
	return 0
}

// checkCmd re-runs the checkers on the history saved in a JSON report, against the scenario
// named in the report (or --scenario), and prints the verdicts.
func checkCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("scenario", "", "scenario `FILE` (default: the file named in the report)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, "check: name one report.json\n"+usage)
		return 2
	}
	f, err := os.Open(pos[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer f.Close()
	rep, err := reports.ReadJSON(f)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	path := *file
	if path == "" {
		path = rep.File
	}
	s, err := scenario.Load(path)
	if err != nil {
		fmt.Fprintf(stderr, "check: scenario of the report: %v\n", err)
		return 2
	}
	failed := 0
	for _, v := range check.Run(rep.History, s) {
		fmt.Fprintln(stdout, v)
		must := slices.Contains(s.ExpectFailures, v.Checker)
		if (must && v.Status != check.Fail) || (!must && v.Status != check.Pass) {
			failed++
		}
	}
	if failed > 0 {
		return 1
	}
	return 0
}
