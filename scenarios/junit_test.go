package scenarios_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/streamfault/streamfault/reports"
)

// writeJUnit writes the suite's JUnit file. With STREAMFAULT_REPORT_DIR set (as `make run`
// does) it is the CLI's layout, through the project's own writer: one testsuite per scenario
// that ran, named by the scenario (no labels), with its properties, verdicts, failure and
// timeline, built from the JSON reports the parallel processes wrote — the same document
// `streamfault run --junit` writes, valid against the Ant JUnit schema. Specs that did not run
// (filtered out by labels, or skipped for a missing program) are not testcases. Without
// report files, Ginkgo's own generator is used.
func writeJUnit(r ginkgo.Report, path string) error {
	if os.Getenv("STREAMFAULT_REPORT_DIR") == "" {
		return reporters.GenerateJUnitReportWithConfig(r, path, reporters.JunitReportConfig{
			OmitSuiteSetupNodes: true, OmitLeafNodeType: true})
	}
	specs := r.SpecReports.WithLeafNodeType(types.NodeTypeIt)
	sort.Slice(specs, func(i, j int) bool { return specs[i].LeafNodeText < specs[j].LeafNodeText })
	var runs []reports.Run
	for _, sp := range specs {
		if sp.State == types.SpecStateSkipped || sp.State == types.SpecStatePending {
			continue
		}
		runs = append(runs, junitRun(sp))
	}
	layout := os.Getenv("STREAMFAULT_JUNIT_LAYOUT")
	if layout == "" {
		layout = reports.LayoutAnt
	}
	if !slices.Contains(reports.Layouts, layout) {
		return fmt.Errorf("STREAMFAULT_JUNIT_LAYOUT=%q: not a layout (%s)", layout, strings.Join(reports.Layouts, ", "))
	}
	return reports.WriteJUnitFile(path, layout, "scenarios", r.StartTime, runs)
}

// junitRun is one spec as a run: its scenario's JSON report rebuilt, or — when the spec
// produced none (a harness error) — the spec's failure as the run's error. A spec that failed
// although its run passed (goroutines left behind) carries that failure as an error too.
func junitRun(sp types.SpecReport) reports.Run {
	run := reports.Run{Name: sp.LeafNodeText, File: sp.LeafNodeText + ".yaml", Elapsed: sp.RunTime, Started: sp.StartTime}
	for _, e := range sp.ReportEntries {
		if e.Name != "report" {
			continue
		}
		f, err := os.Open(e.StringRepresentation())
		if err != nil {
			run.Err = fmt.Errorf("the scenario's report: %w", err)
			return run
		}
		rep, err := reports.ReadJSON(f)
		f.Close()
		if err != nil {
			run.Err = fmt.Errorf("the scenario's report: %w", err)
			return run
		}
		r := rep.AsRun()
		run.Result, run.File, run.Seed, run.Err = r.Result, r.File, r.Seed, r.Err
	}
	failed := sp.State != types.SpecStatePassed
	switch {
	case run.Result == nil && failed:
		run.Err = errors.New(strings.TrimSpace(sp.State.String() + ": " + sp.Failure.Message))
	case run.Result == nil:
		run.Err = errors.New("passed without a report (STREAMFAULT_REPORT_DIR was not writable?)")
	case failed && run.Result.Passed() && run.Result.Interrupted == "":
		run.Err = errors.New(strings.TrimSpace(sp.State.String() + ": " + sp.Failure.Message))
	}
	return run
}
