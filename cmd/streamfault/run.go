package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/reports"
)

// runOptions are the flags of `streamfault run`.
type runOptions struct {
	junit, jsonDir, labels string
	junitLayout            string
	htmlDir, outDir        string
	compare                *reports.Comparison // set by compare: the side-by-side table for the HTML index
	parallel, repeat       int
	seed                   uint64
	toxiproxyURL           string
	allowRemote            bool
	heartbeat              time.Duration
}

// bind declares the flags run and compare share.
func (o *runOptions) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.jsonDir, "json", "", "write one JSON report (history + verdicts) per run into `DIR`")
	fs.StringVar(&o.htmlDir, "html", "", "write the HTML timeline report into `DIR` (index.html + one page per run)")
	fs.StringVar(&o.outDir, "out", "", "give each run a folder under `DIR` for the files of the programs under test ({out}; default: out/ beside --json, else --html, else the system's temporary folder)")
	fs.StringVar(&o.labels, "label-filter", "", "run only scenarios whose labels match `EXPR` (Ginkgo's label-filter language)")
	fs.IntVar(&o.parallel, "p", 1, "run up to `N` scenarios at once")
	fs.DurationVar(&o.heartbeat, "heartbeat", 10*time.Second, "every `D` while scenarios run, print one progress line per running scenario on stderr (0: none)")
	fs.StringVar(&o.toxiproxyURL, "toxiproxy", os.Getenv("TOXIPROXY_URL"), "external toxiproxy-server `URL`; wins over a scenario's toxiproxy.url (default $TOXIPROXY_URL, else the scenario's, else embedded)")
	fs.BoolVar(&o.allowRemote, "allow-remote", os.Getenv("STREAMFAULT_ALLOW_REMOTE") == "1", "allow a Toxiproxy or server under test on a host other than loopback (default $STREAMFAULT_ALLOW_REMOTE=1)")
}

// programFiles is the folder under which each run keeps its programs' files ({out}).
func (o *runOptions) programFiles() string {
	switch {
	case o.outDir != "":
		return o.outDir
	case o.jsonDir != "":
		return filepath.Join(o.jsonDir, "out")
	case o.htmlDir != "":
		return filepath.Join(o.htmlDir, "out")
	}
	return ""
}

// parseInterleaved parses flags that may come before or after positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// loadScenarios loads the scenarios of paths as the suite does (scenario.LoadPaths: names
// unique across the set); every problem of every file is printed. ok is false when a path is
// missing or a scenario is refused.
func loadScenarios(paths []string, stderr io.Writer) ([]*scenario.Scenario, bool) {
	out, err := scenario.LoadPaths(paths...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return out, false
	}
	return out, true
}

// selectLabels keeps the scenarios whose labels match expr (Ginkgo's label-filter language;
// "" keeps all). It says on stderr, for cmd, why it selected nothing.
func selectLabels(cmd string, all []*scenario.Scenario, expr string, stderr io.Writer) ([]*scenario.Scenario, bool) {
	selected := all
	if expr != "" {
		filter, err := types.ParseLabelFilter(expr)
		if err != nil {
			fmt.Fprintf(stderr, "%s: --label-filter: %s\n", cmd, plain(err.Error()))
			return nil, false
		}
		selected = nil
		for _, s := range all {
			if filter(s.Labels) {
				selected = append(selected, s)
			}
		}
	}
	if len(selected) == 0 {
		fmt.Fprintf(stderr, "%s: no scenario selected\n", cmd)
		return nil, false
	}
	return selected, true
}

func runCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o runOptions
	fs.StringVar(&o.junit, "junit", "", "write a JUnit report to `FILE`")
	shard := fs.String("shard", os.Getenv(scenario.ShardEnv), "run only shard `K/N` of the selection: N parts balanced by the scenarios' estimated lengths, disjoint, together the whole, the same on every runner (default $"+scenario.ShardEnv+")")
	fs.StringVar(&o.junitLayout, "junit-layout", reports.LayoutAnt, "JUnit `LAYOUT`: ant (output on each testsuite, valid against the Ant JUnit schema) or cases (output inside each testcase, where GitLab, Jenkins and junitparser read it)")
	o.bind(fs)
	fs.IntVar(&o.repeat, "repeat", 1, "run each scenario `N` times (nemesis schedules get seeds seed, seed+1, …)")
	fs.Uint64Var(&o.seed, "seed", 0, "nemesis seeds: run i gets S+i (0: the scenario's own seed for one run, random seeds for repeats)")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(paths) == 0 {
		paths = []string{"scenarios"}
	}
	if o.parallel < 1 || o.repeat < 1 || o.repeat > 1000 {
		fmt.Fprintln(stderr, "run: -p must be >= 1 and --repeat in 1..1000")
		return 2
	}
	if !slices.Contains(reports.Layouts, o.junitLayout) {
		fmt.Fprintf(stderr, "run: --junit-layout %q: one of %s\n", o.junitLayout, strings.Join(reports.Layouts, ", "))
		return 2
	}
	all, ok := loadScenarios(paths, stderr)
	if !ok {
		return 2
	}
	selected, ok := selectLabels("run", all, o.labels, stderr)
	if !ok {
		return 2
	}
	sh, err := scenario.ParseShard(*shard)
	if err != nil {
		fmt.Fprintf(stderr, "run: --shard: %v\n", err)
		return 2
	}
	if sh.N > 1 {
		mine := sh.Select(selected)
		fmt.Fprintf(stderr, "shard %s: %d of the %d scenarios selected\n", sh, len(mine), len(selected))
		if len(mine) == 0 { // more shards than scenarios: nothing to run is no failure
			if o.jsonDir != "" { // an empty folder, for merge to read like the others
				if err := os.MkdirAll(o.jsonDir, 0o755); err != nil {
					fmt.Fprintln(stderr, "run:", err)
					return 1
				}
			}
			return 0
		}
		selected = mine
	}
	ctx, stop := interrupted(stderr)
	defer stop()
	started := time.Now()
	runs := execute(ctx, selected, o, stdout, stderr)
	writingReports.Store(true)
	code := finish(runs, o, started, stdout, stderr)
	writingReports.Store(false)
	return exitStatus(ctx.Err() != nil, runs, code)
}

// exitStatus is a command's exit status: exitInterrupted when a signal cut a run short (it was
// not judged), else code — a signal that came once every run was judged (while the reports
// were written) does not hide their verdicts.
func exitStatus(signalled bool, runs []reports.Run, code int) int {
	if signalled && anyInterrupted(runs) {
		return exitInterrupted
	}
	return code
}

// anyInterrupted tells whether some run was cut short (not judged).
func anyInterrupted(runs []reports.Run) bool {
	for _, r := range runs {
		if r.Result != nil && r.Result.Interrupted != "" {
			return true
		}
	}
	return false
}

// job is one (scenario, repeat) pair.
type job struct {
	s    *scenario.Scenario
	i    int
	name string
}

// execute runs every job, o.parallel at a time, printing a line as each ends.
func execute(ctx context.Context, selected []*scenario.Scenario, o runOptions, stdout, stderr io.Writer) []reports.Run {
	var jobs []job
	for _, s := range selected {
		for i := 0; i < o.repeat; i++ {
			name := s.Name
			if o.repeat > 1 {
				name = fmt.Sprintf("%s#%d", s.Name, i+1)
			}
			jobs = append(jobs, job{s: s, i: i, name: name})
		}
	}
	runs := make([]reports.Run, len(jobs))
	sem := make(chan struct{}, o.parallel)
	var mu sync.Mutex
	var wg sync.WaitGroup
	beat := newProgress()
	if o.heartbeat > 0 {
		bctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			beat.loop(bctx, stderr, &mu, o.heartbeat, isTerminal(stderr))
		}()
		defer func() { stop(); <-done }() // the live line is cleared before the summary
	}
	for k, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil { // interrupted: the runs not started are not judged either
			runs[k] = reports.Run{Name: j.name, File: j.s.Path,
				Result: &harness.Result{Scenario: j.s, History: &history.History{Scenario: j.s.Name}, Interrupted: context.Cause(ctx).Error() + " before it started"}}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s := withSeed(j.s, o.seed, j.i, o.repeat)
			t0 := time.Now()
			mu.Lock()
			beat.clear(stderr)
			fmt.Fprintf(stderr, "started %s\n", j.name)
			mu.Unlock()
			onEvent := beat.start(j.name, s.Timeout.D(), s.Length(), t0)
			res, err := harness.Run(ctx, s, harness.Options{ToxiproxyURL: o.toxiproxyURL, AllowRemote: o.allowRemote, OutDir: o.programFiles(), OnEvent: onEvent, Pacer: labPacer})
			beat.end(j.name)
			r := reports.Run{Name: j.name, File: s.Path, Result: res, Err: err, Elapsed: time.Since(t0), Started: t0}
			if s.Nemesis != nil {
				r.Seed = s.Nemesis.Seed
			}
			runs[k] = r
			mu.Lock()
			defer mu.Unlock()
			beat.clear(stderr)
			fmt.Fprintln(stdout, progressLine(r))
		}()
	}
	wg.Wait()
	return runs
}

// withSeed gives repeat i of a nemesis scenario its own seed and schedule: base+i with
// --seed, a fresh random seed per repeat without it (a single run keeps the scenario's seed).
func withSeed(s *scenario.Scenario, base uint64, i, repeat int) *scenario.Scenario {
	if s.Nemesis == nil || (base == 0 && repeat == 1) {
		return s
	}
	seed := base + uint64(i)
	if base == 0 {
		seed = rand.Uint64() | 1
	}
	c := *s
	n, faults := s.Nemesis.Reseed(s.Faults, seed)
	c.Nemesis, c.Faults = &n, faults
	return &c
}

func progressLine(r reports.Run) string {
	status, detail := "PASS", ""
	switch {
	case r.Result != nil && r.Result.Interrupted != "":
		status, detail = "INTR", r.Result.Problems()[0]
		if r.Err != nil {
			detail += "; " + r.Err.Error()
		}
	case r.Err != nil:
		status, detail = "ERROR", r.Err.Error()
	case !r.Result.Passed():
		status = "FAIL"
		detail = strings.SplitN(r.Result.Problems()[0], "\n", 2)[0]
		if r.Result.HarnessLate() {
			detail += " (the harness lacked CPU: see the report's notes)"
		}
	default:
		detail = reports.Summary(r.Result)
	}
	line := fmt.Sprintf("%-5s %-48s %6.1fs", status, r.Name, r.Elapsed.Seconds())
	if r.Seed != 0 {
		line += fmt.Sprintf("  seed=%d", r.Seed)
	}
	if detail != "" {
		line += "  " + detail
	}
	return line
}

// finish writes the reports, prints the summary and repeat statistics, and picks the exit
// status: 0 all passed, 1 some failed.
func finish(runs []reports.Run, o runOptions, started time.Time, stdout, stderr io.Writer) int {
	var werr []error
	if o.jsonDir != "" {
		for _, r := range runs {
			if _, err := reports.WriteJSONFile(o.jsonDir, reports.FromRun(r)); err != nil {
				werr = append(werr, err)
			}
		}
	}
	if o.junit != "" {
		werr = append(werr, reports.WriteJUnitFile(o.junit, o.junitLayout, "scenarios", started, runs))
	}
	repeat := reports.RepeatRows(runs)
	if o.htmlDir != "" {
		werr = append(werr, reports.WriteHTML(o.htmlDir, runs, repeat, o.compare))
	}
	passed, interrupted := 0, 0
	for _, r := range runs {
		switch {
		case r.Err == nil && r.Result.Interrupted != "":
			interrupted++
		case r.Err == nil && r.Result.Passed():
			passed++
		}
	}
	if interrupted > 0 {
		fmt.Fprintf(stdout, "\n%d passed, %d failed, %d interrupted (not judged)\n", passed, len(runs)-passed-interrupted, interrupted)
	} else {
		fmt.Fprintf(stdout, "\n%d passed, %d failed\n", passed, len(runs)-passed)
	}
	if len(repeat) > 0 {
		fmt.Fprintf(stdout, "\n%-48s %5s %9s %9s %9s\n", "recovery (fault to first frame or republish)", "n", "p50", "p95", "max")
		for _, r := range repeat {
			if r.N == 0 { // no fault cost a session: nothing to measure
				fmt.Fprintf(stdout, "%-48s %5d %9s %9s %9s\n", r.Scenario, 0, "-", "-", "-")
				continue
			}
			fmt.Fprintf(stdout, "%-48s %5d %8dms %8dms %8dms\n", r.Scenario, r.N, r.P50.Milliseconds(), r.P95.Milliseconds(), r.Max.Milliseconds())
		}
	}
	if err := errors.Join(werr...); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if passed != len(runs) {
		return 1
	}
	return 0
}
