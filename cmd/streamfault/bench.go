package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/streamfault/streamfault/harness/bench"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/scenario"
)

// benchUsage lists the benchmarks.
const benchUsage = `usage:
  streamfault bench players [FILE] [--hog] [--cpuprofile F] [--memprofile F] [--midprofile F]
        one load scenario (default scenarios/bench/players-500.yaml): run time against the
        stream's length, CPU, peak memory, how late frames arrived; --hog: beside a CPU hog
        (one spinning process, started and ended by the benchmark)
  streamfault bench relay [--readers N] [--rounds N] [--no-nginx]
        the live relay's CPU per GB delivered, the reference server (streamfault serve, a
        process of its own) beside nginx-rtmp, both relaying at the same time, measured
        from /proc over --rounds runs (default 3); and the latency the reference relay's
        window adds (in process)
`

// benchCmd runs a benchmark and prints its figures beside their goals, with the machine's
// cores and load. Exit 1 when a goal is missed or the run failed.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, benchUsage)
		return 2
	}
	switch args[0] {
	case "players":
		return benchPlayers(ctx, args[1:], stdout, stderr)
	case "relay":
		return benchRelay(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "bench: unknown benchmark %q\n%s", args[0], benchUsage)
		return 2
	}
}

func benchPlayers(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench players", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var prof bench.Profiles
	fs.StringVar(&prof.CPU, "cpuprofile", "", "write a CPU profile of the run to `FILE`")
	fs.StringVar(&prof.Heap, "memprofile", "", "write a heap profile at the end of the run to `FILE`")
	fs.StringVar(&prof.HeapMid, "midprofile", "", "write a heap profile halfway through the stream, every player playing, to `FILE`")
	hog := fs.Bool("hog", false, "run beside a CPU hog: one spinning process, ended with the run")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) > 1 {
		fmt.Fprint(stderr, benchUsage)
		return 2
	}
	file := "scenarios/bench/players-500.yaml"
	if len(pos) == 1 {
		file = pos[0]
	}
	s, err := scenario.Load(file)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	fmt.Fprintf(stderr, "bench players: %s: %d clients on %s\n", file, len(s.Clients), bench.Machine())
	beside := ""
	if *hog {
		h, err := bench.StartHog(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "bench players:", err)
			return 1
		}
		defer h.Kill()
		beside = fmt.Sprintf(", beside a CPU hog (pid %d)", h.PID())
		fmt.Fprintf(stderr, "bench players: a CPU hog runs beside it (pid %d)\n", h.PID())
	}
	r, err := bench.Players(ctx, s, prof, labPacer)
	switch {
	case err != nil:
		fmt.Fprintln(stderr, err)
		return 1
	case r.Interrupted != "":
		fmt.Fprintf(stderr, "bench players: interrupted (%s): no figures\n", r.Interrupted)
		return exitInterrupted
	}
	missed := bench.Print(stdout, fmt.Sprintf("players %d on %s%s", r.Clients, bench.Machine(), beside), r.Figures())
	for _, v := range r.Verdicts {
		if v.Status != check.Pass {
			fmt.Fprintf(stdout, "    %s\n", v)
		}
	}
	if missed > 0 {
		return 1
	}
	return 0
}

func benchRelay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench relay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := bench.RelayOptions{Progress: stderr}
	fs.IntVar(&o.Readers, "readers", 20, "rtmpdump --live readers of the one ffmpeg publisher")
	fs.IntVar(&o.Rounds, "rounds", 3, "relays of the clip by both servers at the same time (figures over all of them)")
	fs.BoolVar(&o.NoNginx, "no-nginx", false, "measure the reference server only")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || o.Readers < 1 || o.Rounds < 1 {
		fmt.Fprint(stderr, benchUsage)
		return 2
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "bench relay:", err)
		return 1
	}
	o.Exe = exe
	rs, err := bench.Relay(ctx, o)
	if err != nil {
		return relayFailed(ctx, err, stderr)
	}
	figs := bench.RelayFigures(rs)
	fmt.Fprintf(stderr, "bench relay: the relay window's latency, in this process: 1 publisher, %d viewers, 2 × 10 s…\n", min(o.Readers, 200))
	lat, err := bench.MeasureRelayLatency(ctx, min(o.Readers, 200), 10*time.Second)
	if err != nil {
		return relayFailed(ctx, err, stderr)
	}
	figs = append(figs, lat.Figure())
	if bench.Print(stdout, fmt.Sprintf("relay: 1 ffmpeg publisher, %d rtmpdump --live readers, on %s", o.Readers, bench.Machine()), figs) > 0 {
		return 1
	}
	return 0
}

// relayFailed says why the relay benchmark stopped and gives its exit status: interrupted
// (no figures) or failed.
func relayFailed(ctx context.Context, err error, stderr io.Writer) int {
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "bench relay: interrupted: no figures")
		return exitInterrupted
	}
	fmt.Fprintln(stderr, "bench relay:", err)
	return 1
}
