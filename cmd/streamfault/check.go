package main

import (
	"flag"
	"fmt"
	"io"
	"os"
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

// checkCmd re-runs the checkers on the history saved in a JSON report, with the checkers and
// parameters saved beside it (or those of --scenario), and prints the verdicts.
func checkCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("scenario", "", "check against the expectations of scenario `FILE` instead of those saved in the report")
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
	expect, controls := rep.Expect, rep.Controls
	if *file != "" || len(expect) == 0 {
		path := *file
		if path == "" {
			path = rep.File
		}
		s, err := scenario.Load(path)
		if err != nil {
			fmt.Fprintf(stderr, "check: scenario of the report: %v\n", err)
			return 2
		}
		expect, controls = s.Expect, s.Controls()
	}
	verdicts := check.Run(rep.History, expect)
	for _, v := range verdicts {
		fmt.Fprintln(stdout, v)
	}
	if len(controls.Problems(verdicts)) > 0 {
		return 1
	}
	return 0
}
