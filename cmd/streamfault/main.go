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
	"sync/atomic"
	"syscall"

	"github.com/streamfault/streamfault/harness/scenario"
)

const usage = `usage:
  streamfault run [FILE|DIR...] [--junit FILE] [--json DIR] [--html DIR] [--label-filter EXPR] [-p N]
                  [--repeat N] [--seed S] [--toxiproxy URL] [--allow-remote]
                                     run scenarios (default: ./scenarios); a line per run,
                                     a summary, recovery p50/p95/max with --repeat
  streamfault compare FILE|DIR... [--subjects reference,nginx] [--json DIR] [--html DIR]
                      [--label-filter EXPR] [-p N]
                                     the same scenarios against each subject (the server
                                     swapped): a Markdown table of verdicts and recovery
  streamfault validate FILE|DIR...   check scenario files; every problem with file:line:column
  streamfault list [FILE|DIR...]     scenarios with labels and description
  streamfault check REPORT.json [--scenario FILE]
                                     re-run the checkers on a saved report's history
  streamfault schema                 print the scenario JSON Schema
  streamfault serve [--addr A [--allow-remote]] [--stream NAME:DURATION]... [--fps N]
                    [--app NAME]... [--live NAME]...
                                     the reference server alone, printing rtmp:// URLs
  streamfault bench players [FILE] | relay [--readers N]
                                     load and relay benchmarks (figures with the core count)
  streamfault conformance [--no-nginx] [--nginx BIN] [--nginx-module SO] [--keep DIR]
                                     real clients (ffprobe, ffmpeg, rtmpdump) against the
                                     reference server and nginx-rtmp: the matrix in Markdown

exit status: compare: 0 the table is complete, 1 a run could not be made;
run/check: 0 all passed, 1 some failed, 2 usage error or invalid scenario,
130 interrupted (SIGINT/SIGTERM: no verdict; a second one quits at once);
validate: 0 valid, 1 invalid, 2 usage error; conformance: 0 the reference server's column
as expected, 1 not, 130 interrupted
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

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
	switch args[0] {
	case "run":
		return runCmd(args[1:], stdout, stderr)
	case "compare":
		return compareCmd(args[1:], stdout, stderr)
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
