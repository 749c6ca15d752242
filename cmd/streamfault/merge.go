package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/streamfault/streamfault/reports"
)

// mergeUsage says what merge does.
const mergeUsage = `usage: streamfault merge [--junit FILE] [--junit-layout LAYOUT] [--html DIR] [--json DIR] SHARD_DIR...
  joins the JSON reports of N shard runs (run --shard K/N --json DIR, or the suite's
  STREAMFAULT_REPORT_DIR) into one JUnit file, one HTML index, one folder of JSON reports and
  one summary, the repeat statistics recomputed over every shard. Exit 0 when every run
  passed, 1 when one failed or was interrupted, 2 when a folder or a report cannot be read
  or two shards hold the same run (then nothing is written).
`

func mergeCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, mergeUsage) }
	var o runOptions
	fs.StringVar(&o.junit, "junit", "", "write the merged JUnit report to `FILE`")
	fs.StringVar(&o.junitLayout, "junit-layout", reports.LayoutAnt, "JUnit `LAYOUT`: ant or cases (as run's)")
	fs.StringVar(&o.htmlDir, "html", "", "write the merged HTML report into `DIR`")
	fs.StringVar(&o.jsonDir, "json", "", "write every shard's JSON reports into `DIR`")
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(dirs) == 0 {
		fmt.Fprint(stderr, mergeUsage)
		return 2
	}
	if !slices.Contains(reports.Layouts, o.junitLayout) {
		fmt.Fprintf(stderr, "merge: --junit-layout %q: one of %s\n", o.junitLayout, strings.Join(reports.Layouts, ", "))
		return 2
	}
	runs, err := readShards(dirs, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "merge:", err)
		return 2
	}
	if len(runs) == 0 {
		fmt.Fprintf(stderr, "merge: no report in %s\n", strings.Join(dirs, ", "))
		return 2
	}
	var started time.Time
	for _, r := range runs {
		if !r.Started.IsZero() && (started.IsZero() || r.Started.Before(started)) {
			started = r.Started
		}
		fmt.Fprintln(stdout, progressLine(r))
	}
	if started.IsZero() {
		started = time.Now()
	}
	fmt.Fprintf(stderr, "merged %d runs from %d shards\n", len(runs), len(dirs))
	return finish(runs, o, started, stdout, stderr)
}

// readShards reads every JSON report directly in each folder (not below it: out/ holds the
// programs' files), refusing a file that is not a report and a run found in two folders;
// runs come back in the order of their scenario files, repeats in their order.
func readShards(dirs []string, stderr io.Writer) ([]reports.Run, error) {
	var runs []reports.Run
	where := map[string]string{}
	var errs []error
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("shard %s: %w", dir, err))
			continue
		}
		n := 0
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			path := filepath.Join(dir, e.Name())
			r, err := readRun(path)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if prev, dup := where[r.Name]; dup {
				errs = append(errs, fmt.Errorf("run %s is in %s and in %s: shards overlap, or one folder was given twice", r.Name, prev, path))
				continue
			}
			where[r.Name] = path
			runs = append(runs, r)
			n++
		}
		if n == 0 {
			fmt.Fprintf(stderr, "merge: shard %s holds no report (a shard with nothing to run)\n", dir)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(runs, func(a, b reports.Run) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		an, ai := repeatOf(a.Name)
		bn, bi := repeatOf(b.Name)
		if c := strings.Compare(an, bn); c != 0 {
			return c
		}
		return ai - bi
	})
	return runs, nil
}

// readRun reads one shard's JSON report as a run.
func readRun(path string) (reports.Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return reports.Run{}, err
	}
	defer f.Close()
	rep, err := reports.ReadJSON(f)
	if err != nil {
		return reports.Run{}, fmt.Errorf("%s: not a streamfault report: %w", path, err)
	}
	if rep.Scenario == "" {
		return reports.Run{}, fmt.Errorf("%s: not a streamfault report: no scenario", path)
	}
	return rep.AsRun(), nil
}

// repeatOf splits a run name into its scenario's and its repeat number ("x#2": x, 2; "x": x, 0).
func repeatOf(name string) (string, int) {
	base, n, ok := strings.Cut(name, "#")
	if !ok {
		return name, 0
	}
	i, err := strconv.Atoi(n)
	if err != nil {
		return name, 0
	}
	return base, i
}
