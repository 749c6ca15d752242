package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/spec"
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

// validateSaved validates a report's saved expectations as the loader validates a scenario's
// (defaults resolved, then every parameter checked), against the clients, servers and faults
// its history names: a report edited by hand, or written by another version, gets located
// problems, never a checker judging with zero values.
func validateSaved(rep *reports.Report) []string {
	sc := &check.Scope{Clients: spec.Names{}, Servers: spec.Names{}, Faults: spec.Names{}, Client: func(string) role.Options { return nil }}
	if rep.History == nil {
		return []string{"the report holds no history"}
	}
	for _, e := range rep.History.Events {
		switch e.Kind {
		case history.KindLabClient:
			sc.Clients[e.Source] = true
		case history.KindServer:
			sc.Servers[e.Source] = true
			if sc.FirstServer == "" {
				sc.FirstServer = e.Source
			}
		case history.KindFaultStart, history.KindFaultUnfired:
			sc.Faults[e.Fault] = true
		}
	}
	for i, e := range rep.Expect {
		if e.Params == nil {
			return []string{fmt.Sprintf("expect[%d]: names no checker", i)}
		}
	}
	check.Default(rep.Expect, sc)
	p := spec.NewProblems()
	check.Validate(rep.Expect, sc, p)
	var out []string
	for _, pr := range p.List() {
		out = append(out, strings.TrimPrefix(pr.Field+": ", ": ")+pr.Message)
	}
	return out
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
	} else if problems := validateSaved(rep); len(problems) > 0 {
		for _, pr := range problems {
			fmt.Fprintf(stderr, "check: %s: %s\n", pos[0], pr)
		}
		return 2
	}
	verdicts := check.Run(rep.History, expect)
	for _, v := range verdicts {
		fmt.Fprintln(stdout, v)
	}
	if problems := controls.Problems(verdicts); len(problems) > 0 {
		fmt.Fprintf(stderr, "check: %d verdict(s) not as the scenario expects:\n", len(problems))
		for _, pr := range problems {
			fmt.Fprintln(stderr, "  "+pr)
		}
		return 1
	}
	return 0
}
