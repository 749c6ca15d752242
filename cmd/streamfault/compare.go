package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/spec"
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
	subjects := fs.String("subjects", "reference,nginx", "the subjects to compare, comma-separated: kinds ("+strings.Join(lab.KindKeys(), ", ")+"), own (each scenario's server as written) or names given by --subject or --subjects-file")
	var named subjectFlags
	fs.Var(&named, "subject", "a named subject `NAME=SERVER`: a kind, or a server block in YAML, e.g. mine='{process: {command: [my-server, \"{port}\"]}}' or prod='{external: {address: 127.0.0.1:1935}}' (repeatable)")
	file := fs.String("subjects-file", "", "named subjects in a YAML `FILE`: NAME: server block (as --subject)")
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
	if *file != "" {
		if err := named.readFile(*file); err != nil {
			fmt.Fprintln(stderr, "compare:", err)
			return 2
		}
	}
	list := strings.Split(*subjects, ",")
	if !flagSet(fs, "subjects") && len(named) > 0 { // the reference server beside the named ones
		list = []string{lab.KindReference}
		for _, n := range named {
			list = append(list, n.name)
		}
	}
	kinds, err := named.pick(list)
	if err != nil {
		fmt.Fprintln(stderr, "compare: --subjects:", err)
		return 2
	}
	all, ok := loadScenarios(paths, stderr)
	if !ok {
		return 2
	}
	if all, ok = selectLabels("compare", all, o.labels, stderr); !ok {
		return 2
	}
	cmp, runnable, cells := plan(all, kinds)
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
			cmp.Rows[i].Cells = append(cmp.Rows[i].Cells, cells[cmp.Rows[i].Scenario+"."+k.name])
		}
	}
	o.compare = cmp
	writingReports.Store(true)
	finish(runs, o, started, io.Discard, stderr)
	writingReports.Store(false)
	fmt.Fprintln(stdout)
	fmt.Fprint(stdout, cmp.Markdown())
	switch {
	case exitStatus(ctx.Err() != nil, runs, 0) == exitInterrupted:
		return exitInterrupted
	case failed > 0:
		return 1
	}
	return 0
}

// ownSubject names, in --subjects, each scenario's own server as its file gives it.
const ownSubject = "own"

// namedSubject is a subject of a comparison: its column name and its kind with options (nil:
// the scenario's own server).
type namedSubject struct {
	name string
	kind lab.Kind
}

// subjectFlags collects --subject NAME=SERVER flags (and a subjects file's entries).
type subjectFlags []namedSubject

func (s *subjectFlags) String() string { return fmt.Sprint(len(*s)) }

func (s *subjectFlags) Set(v string) error {
	name, text, ok := strings.Cut(v, "=")
	if !ok || !spec.SafeName(name) {
		return fmt.Errorf("want NAME=SERVER with a NAME of letters, digits, '.', '_' and '-', got %q", v)
	}
	k, err := lab.ParseSubject(text)
	if err != nil {
		return fmt.Errorf("subject %s: %w", name, err)
	}
	*s = append(*s, namedSubject{name: name, kind: k})
	return nil
}

// readFile adds the subjects of a YAML file: NAME: server block (or a kind's key).
func (s *subjectFlags) readFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var m yaml.MapSlice
	if err := yaml.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("%s: %s", path, yaml.FormatError(err, false, false))
	}
	for _, item := range m {
		text, err := yaml.Marshal(item.Value)
		if err != nil {
			return fmt.Errorf("%s: %v: %w", path, item.Key, err)
		}
		if str, ok := item.Value.(string); ok {
			text = []byte(str)
		}
		if err := s.Set(fmt.Sprintf("%v=%s", item.Key, text)); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// pick resolves the subjects of --subjects: a name given by --subject or the file, else a
// kind with its default options.
func (s subjectFlags) pick(names []string) ([]namedSubject, error) {
	var out []namedSubject
	for _, n := range names {
		n = strings.TrimSpace(n)
		i := slices.IndexFunc(s, func(ns namedSubject) bool { return ns.name == n })
		switch {
		case i >= 0:
			out = append(out, s[i])
			continue
		case n == ownSubject:
			out = append(out, namedSubject{name: n})
			continue
		}
		k, err := lab.ParseSubject(n)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a named subject nor a kind (%s)", n, strings.Join(lab.KindKeys(), ", "))
		}
		out = append(out, namedSubject{name: n, kind: k})
	}
	return out, nil
}

// flagSet tells whether the command line set flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// plan makes a comparison's table and its runs: every scenario once per subject (its server
// swapped), and for a scenario a subject cannot take the cell that says why.
func plan(all []*scenario.Scenario, kinds []namedSubject) (*reports.Comparison, []*scenario.Scenario, map[string]string) {
	var names []string
	for _, k := range kinds {
		names = append(names, k.name)
	}
	cmp := &reports.Comparison{Subjects: names}
	cells := map[string]string{} // run name -> cell
	var runnable []*scenario.Scenario
	for _, s := range all {
		for _, k := range kinds {
			swapped, err := s, error(nil)
			if k.kind != nil { // nil: the scenario's own server
				swapped, err = s.WithServerKind(k.name, k.kind)
			}
			if err != nil {
				cells[s.Name+"."+k.name] = "n/a: " + err.Error()
				continue
			}
			c := *swapped
			c.Name = s.Name + "." + k.name
			c.ExpectFailures, c.ExpectUnknown = nil, nil // the table shows the verdicts as they came
			runnable = append(runnable, &c)
		}
		cmp.Rows = append(cmp.Rows, reports.CompareRow{Scenario: s.Name})
	}
	return cmp, runnable, cells
}
