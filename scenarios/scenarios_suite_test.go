// The scenario suite: one Ginkgo spec per YAML file in this folder. The files are read in
// TestScenarios before RunSpecs, in sorted order, so every parallel process builds the same
// tree. Each spec runs the scenario through harness.Run and asserts on its verdicts.
//
// Environment:
//
//	STREAMFAULT_REPORT_DIR  write <scenario>.json (history + verdicts) there
//	STREAMFAULT_JUNIT       write a JUnit file there with one testcase per scenario
//	TOXIPROXY_URL           use an external toxiproxy-server instead of the embedded one
//	STREAMFAULT_NO_EXPECTED_FAILURES=1
//	                        ignore expectFailures, to see a negative control's own failure
//	STREAMFAULT_BIN         the streamfault program scenarios run as a server ({streamfault});
//	                        default: built once for the suite
//	STREAMFAULT_SHARD=K/N   run only shard K of N (balanced by estimated length, disjoint,
//	                        together the whole suite; as `streamfault run --shard`)
package scenarios_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"
	"go.uber.org/goleak"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/leakcheck"
	"github.com/streamfault/streamfault/internal/proc"
	"github.com/streamfault/streamfault/reports"
)

// specGrace is added to a scenario's own timeout before Ginkgo interrupts the spec, so the
// harness' timeout (which still produces verdicts and a report) fires first.
const specGrace = 30 * time.Second

var loaded []*scenario.Scenario

// ginkgoOwn is the goroutine Ginkgo's output interceptor starts in parallel processes, at times
// during a spec; it is not the scenario's.
var ginkgoOwn = goleak.IgnoreAnyFunction("github.com/onsi/ginkgo/v2/internal.(*genericOutputInterceptor).ResumeIntercepting.func1.1")

func TestScenarios(t *testing.T) {
	RegisterFailHandler(Fail)
	var err error
	loaded, err = scenario.LoadPaths(".")
	if err != nil {
		t.Fatalf("scenarios:\n%v", err)
	}
	if len(loaded) == 0 {
		t.Fatal("scenarios: no *.yaml file found")
	}
	sh, err := scenario.ParseShard(os.Getenv(scenario.ShardEnv))
	if err != nil {
		t.Fatalf("%s: %v", scenario.ShardEnv, err)
	}
	loaded = sh.Select(loaded)
	RunSpecs(t, "Scenarios")
}

// The streamfault program, built once for the suite (process 1) and shared with every
// parallel process: scenarios run it as a server program ({streamfault} in a command).
var _ = SynchronizedBeforeSuite(func() []byte {
	if p := os.Getenv(proc.SelfEnv); p != "" {
		return []byte(p)
	}
	dir, err := os.MkdirTemp("", "streamfault-suite-bin-")
	Expect(err).NotTo(HaveOccurred())
	bin := filepath.Join(dir, "streamfault")
	args := []string{"build", "-o", bin}
	if raceEnabled { // the test build's packages are race-built already: reuse them
		args = append(args, "-race")
	}
	out, err := exec.Command("go", append(args, "../cmd/streamfault")...).CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "go build streamfault: %s", out)
	return []byte(bin)
}, func(bin []byte) {
	Expect(os.Setenv(proc.SelfEnv, string(bin))).To(Succeed())
})

var _ = SynchronizedAfterSuite(func() {}, func() {
	if bin := os.Getenv(proc.SelfEnv); strings.Contains(bin, "streamfault-suite-bin-") {
		_ = os.RemoveAll(filepath.Dir(bin))
	}
})

var _ = Describe("Scenario", func() {
	ignoreExpected := os.Getenv("STREAMFAULT_NO_EXPECTED_FAILURES") != ""
	for _, s := range loaded {
		if ignoreExpected {
			c := *s
			c.ExpectFailures, c.ExpectUnknown = nil, nil
			s = &c
		}
		// Longest first: with many processes the suite's wall time is that of its tail.
		It(s.Name, Label(s.Labels...), SpecTimeout(s.Timeout.D()+specGrace), SpecPriority(int(s.Length().Seconds())), func(ctx SpecContext) {
			if missing := s.Missing(); len(missing) > 0 {
				msg := fmt.Sprintf("%s needs %s (make deps installs it)", s.Name, strings.Join(missing, ", "))
				if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") == "1" {
					Fail(msg + "; STREAMFAULT_REQUIRE_TOOLS=1 requires every program")
				}
				Skip(msg)
			}
			leaks := goleak.IgnoreCurrent()
			res, err := harness.Run(ctx, s, harness.Options{ToxiproxyURL: os.Getenv("TOXIPROXY_URL"),
				AllowRemote: os.Getenv("STREAMFAULT_ALLOW_REMOTE") == "1", OutDir: programFiles()})
			if res != nil && res.Interrupted != "" {
				// Ginkgo interrupted the spec (Ctrl-C, a timeout): nothing is judged; Ginkgo
				// reports the spec as interrupted, not as failed by a checker.
				AddReportEntry("summary", "interrupted: "+res.Interrupted, ReportEntryVisibilityNever)
				writeReport(reports.Run{Name: s.Name, File: s.Path, Result: res, Err: err, Started: CurrentSpecReport().StartTime})
				return
			}
			recordResult(s, res, err)
			Expect(err).NotTo(HaveOccurred(), "harness error in %s", s.Path)
			if problems := res.Problems(); len(problems) > 0 {
				Fail(fmt.Sprintf("%s (%s):\n  %s", s.Name, s.Path, strings.Join(append(problems, res.Notes()...), "\n  ")))
			}
			// Up to 10 s for goroutines of just-closed sockets to end; a real leak still fails.
			Expect(leakcheck.Find(10*time.Second, leaks, ginkgoOwn)).To(Succeed(), "goroutines left behind by %s", s.Name)
		})
	}
})

// programFiles is the folder under which each run keeps its programs' files ({out}): out/
// beside the JSON reports when they are written, else the system's temporary folder.
func programFiles() string {
	if dir := os.Getenv("STREAMFAULT_REPORT_DIR"); dir != "" {
		return filepath.Join(dir, "out")
	}
	return ""
}

// recordResult attaches the verdicts to the spec's report and writes the JSON report (also
// of a run a harness error left without a result: a merge of shards keeps it); what process
// clients printed, and how they ended, goes to the spec's output (JUnit system-out).
func recordResult(s *scenario.Scenario, res *harness.Result, err error) {
	run := reports.Run{Name: s.Name, File: s.Path, Result: res, Err: err, Started: CurrentSpecReport().StartTime}
	if res == nil {
		writeReport(run)
		return
	}
	for _, e := range res.History.Events {
		switch e.Kind {
		case history.KindProcStart, history.KindProcExit, history.KindProcStop:
			GinkgoWriter.Printf("%8.3fs %s %s: %s\n", e.At.Seconds(), e.Source, e.Kind, e.Message)
		case history.KindProcOutput:
			GinkgoWriter.Printf("%8.3fs %s %s: %s\n", e.At.Seconds(), e.Source, e.Code, e.Message)
		}
	}
	for _, v := range res.Verdicts {
		AddReportEntry("verdict "+v.Checker, v.String(), ReportEntryVisibilityFailureOrVerbose)
	}
	for client, rs := range res.Recoveries {
		for _, r := range rs {
			AddReportEntry("recovery "+client, fmt.Sprintf("%s: %s %v after %s", client, r.Until, r.Took, r.Fault), ReportEntryVisibilityFailureOrVerbose)
		}
	}
	AddReportEntry("summary", reports.Summary(res), ReportEntryVisibilityNever)
	writeReport(run)
}

// writeReport writes the run's JSON report into STREAMFAULT_REPORT_DIR when it is set.
func writeReport(run reports.Run) {
	if dir := os.Getenv("STREAMFAULT_REPORT_DIR"); dir != "" {
		path, err := reports.WriteJSONFile(dir, reports.FromRun(run))
		Expect(err).NotTo(HaveOccurred())
		AddReportEntry("report", path, ReportEntryVisibilityNever)
	}
}

// Once every process is done: the JUnit file and one line per scenario.
var _ = ReportAfterSuite("summary", func(r Report) {
	if path := os.Getenv("STREAMFAULT_JUNIT"); path != "" {
		Expect(writeJUnit(r, path)).To(Succeed())
	}
	specs := r.SpecReports.WithLeafNodeType(types.NodeTypeIt)
	sort.Slice(specs, func(i, j int) bool { return specs[i].LeafNodeText < specs[j].LeafNodeText })
	for _, sp := range specs {
		summary := ""
		for _, e := range sp.ReportEntries {
			if e.Name == "summary" {
				summary = e.StringRepresentation()
			}
		}
		fmt.Printf("%-7s %-50s %6.1fs  %s\n", strings.ToUpper(sp.State.String()), sp.LeafNodeText, sp.RunTime.Seconds(), summary)
		if sp.Failed() { // the verdict's evidence next to the line, so a log tail shows why
			lines := strings.Split(strings.TrimSpace(sp.Failure.Message), "\n")
			if len(lines) > 12 {
				lines = append(lines[:12], fmt.Sprintf("… %d more lines in the JUnit report", len(lines)-12))
			}
			fmt.Printf("          %s\n", strings.Join(lines, "\n          "))
		}
	}
})
