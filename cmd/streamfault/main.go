// Command streamfault is the command-line entry point: run scenarios with progress, JUnit and
// JSON reports and repeat statistics; validate and list them; re-check a saved report; print
// the scenario JSON Schema.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/streamfault/streamfault/harness/scenario"
)

const usage = `usage:
  streamfault run [FILE|DIR...] [--junit FILE] [--json DIR] [--html DIR] [--label-filter EXPR] [-p N]
                  [--repeat N] [--seed S] [--toxiproxy URL] [--allow-remote] [--out DIR]
                  [--shard K/N]
                                     run scenarios (default: ./scenarios); a line per run,
                                     a summary, recovery p50/p95/max with --repeat; --shard:
                                     only part K of N (balanced, disjoint, the same everywhere)
  streamfault merge SHARD_DIR... [--junit FILE] [--json DIR] [--html DIR] [--junit-layout L]
                                     join the JSON reports of shard runs into one JUnit file,
                                     HTML index, summary and repeat table
  streamfault compare FILE|DIR... [--subjects reference,nginx] [--json DIR] [--html DIR]
                      [--label-filter EXPR] [-p N]
                                     the same scenarios against each subject (the server
                                     swapped): a Markdown table of verdicts and recovery
  streamfault validate FILE|DIR...   check scenario files; every problem with file:line:column
  streamfault list [FILE|DIR...]     scenarios with labels and description
  streamfault check REPORT.json [--scenario FILE]
                                     re-run the checkers on a saved report's history
  streamfault schema                 print the scenario JSON Schema
  streamfault version                this build's version and those of Go, Toxiproxy, go-rtmp
  streamfault serve [--addr A [--allow-remote]] [--stream NAME:DURATION]... [--fps N]
                    [--app NAME]... [--live NAME]... [--quirk Q]... [--max-send-ahead D]
                    [--tls [--tls-cert F --tls-key F | --tls-ca-out F]] [--cores auto|N]
                                     the reference server alone, printing rtmp:// (rtmps://) URLs
  streamfault bench players [FILE] | relay [--readers N]
                                     load and relay benchmarks (figures with the core count)
  streamfault conformance [--no-nginx] [--nginx BIN] [--nginx-module SO] [--keep DIR]
                                     real clients (ffprobe, ffmpeg, rtmpdump) against the
                                     reference server and nginx-rtmp: the matrix in Markdown

Every command prints its usage with -h or --help (exit 0).

exit status: compare: 0 the table is complete, 1 a run could not be made;
run/check/merge: 0 all passed, 1 some failed, 2 usage error, invalid scenario or
unreadable report,
130 interrupted (SIGINT/SIGTERM: no verdict; a second one quits at once);
validate: 0 valid, 1 invalid, 2 usage error; conformance: 0 the reference server's column
as expected, 1 not, 130 interrupted
`

func main() {
	labPacer = leanHeap(os.Args[1:], os.Getenv)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// interrupted is the context a command runs under: the first SIGINT or SIGTERM cancels it
// (its cause names the signal) and says so on stderr, so the command cleans up and reports
// the interruption; a second one exits at once with status 130.
func interrupted(stderr io.Writer) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			cancel(fmt.Errorf("interrupted by %s", signalName(sig)))
			fmt.Fprintf(stderr, "streamfault: %s: cleaning up (again to quit at once)\n", signalName(sig))
		case <-done:
			return
		}
		for {
			select {
			case sig := <-sigs:
				if writingReports.Load() {
					fmt.Fprintf(stderr, "streamfault: %s: the reports of the judged runs are being written; they will be complete in a moment\n", signalName(sig))
					continue
				}
				os.Exit(exitInterrupted)
			case <-done:
				return
			}
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

// writingReports is set while a command writes the reports of runs already judged: a second
// signal then waits for them rather than leaving them half-written.
var writingReports atomic.Bool

// exitInterrupted is the exit status of an interrupted command (128 + SIGINT).
const exitInterrupted = 130

func signalName(s os.Signal) string {
	if s == os.Interrupt {
		return "SIGINT"
	}
	if s == syscall.SIGTERM {
		return "SIGTERM"
	}
	return s.String()
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if wantsHelp(args[1:]) {
		fmt.Fprint(stdout, usageOf(args[0]))
		return 0
	}
	switch args[0] {
	case "version":
		fmt.Fprint(stdout, version())
		return 0
	case "run":
		return runCmd(args[1:], stdout, stderr)
	case "compare":
		return compareCmd(args[1:], stdout, stderr)
	case "merge":
		return mergeCmd(args[1:], stdout, stderr)
	case "serve":
		ctx, stop := interrupted(stderr)
		defer stop()
		return serveCmd(ctx, args[1:], stdout, stderr)
	case "bench":
		ctx, stop := interrupted(stderr)
		defer stop()
		return benchCmd(ctx, args[1:], stdout, stderr)
	case "conformance":
		ctx, stop := interrupted(stderr)
		defer stop()
		return conformanceCmd(ctx, args[1:], stdout, stderr)
	case "list":
		return listCmd(args[1:], stdout, stderr)
	case "check":
		return checkCmd(args[1:], stdout, stderr)
	case "validate":
		if len(args) == 1 {
			fmt.Fprint(stderr, "validate: name at least one file or directory\n"+usage)
			return 2
		}
		return validate(args[1:], stdout, stderr)
	case "schema":
		b, err := scenario.Schema()
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		_, _ = stdout.Write(b)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "unknown command %q\n%s", args[0], usage)
		return 2
	}
}

// validate loads every named file (and every *.yaml/*.yml of a named directory) as one set,
// as run and the suite do: every problem of every file, and names used twice.
func validate(paths []string, stdout, stderr io.Writer) int {
	files, err := scenario.Files(paths...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	bad := 0
	for _, l := range scenario.LoadFiles(files) {
		if l.Err != nil {
			bad++
			fmt.Fprintln(stderr, l.Err)
			continue
		}
		s := l.Scenario
		fmt.Fprintf(stdout, "ok      %s (%s: %d client(s), %d fault(s), %d checker(s))\n", l.File, s.Name, len(s.Clients), len(s.Faults), len(s.Expect))
	}
	fmt.Fprintf(stdout, "%d valid, %d invalid\n", len(files)-bad, bad)
	if bad > 0 {
		return 1
	}
	return 0
}

// wantsHelp tells whether a subcommand's arguments ask for its usage.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			return true
		case "--": // what follows is not ours
			return false
		}
	}
	return false
}

// usageOf is the part of the usage about one command (all of it for an unknown one), with the
// exit statuses.
func usageOf(cmd string) string {
	lines := strings.Split(usage, "\n")
	var out []string
	in := false
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "  streamfault "+cmd+" ") || l == "  streamfault "+cmd:
			in = true
		case strings.HasPrefix(l, "  streamfault ") || l == "" || !strings.HasPrefix(l, " "):
			in = false
		}
		if in {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return usage
	}
	tail := usage[strings.Index(usage, "exit status:"):]
	return "usage:\n" + strings.Join(out, "\n") + "\n\n" + tail
}

// version describes this build: the module's version (from its build information; "(devel)"
// when built from a checkout, with the commit when known), Go's, and the dependencies that
// shape its behaviour.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "streamfault: no build information\n"
	}
	var b strings.Builder
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			v += " " + s.Value
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += " (modified)"
		}
	}
	fmt.Fprintf(&b, "streamfault %s\n%s\n", v, bi.GoVersion)
	for _, d := range bi.Deps {
		switch d.Path {
		case "github.com/Shopify/toxiproxy/v2", "github.com/yutopp/go-rtmp", "github.com/onsi/ginkgo/v2":
			fmt.Fprintf(&b, "%s %s\n", d.Path, d.Version)
		}
	}
	return b.String()
}
