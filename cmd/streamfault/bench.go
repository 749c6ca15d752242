package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/conformance"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/nginx"
	"github.com/streamfault/streamfault/reports"
)

// benchUsage lists the benchmarks.
const benchUsage = `usage:
  streamfault bench players [FILE] [--cpuprofile F] [--memprofile F]
        one load scenario (default scenarios/bench/players-500.yaml): run time against the
        stream's length, CPU, peak memory, how late frames arrived
  streamfault bench relay [--readers N] [--no-nginx]
        the live relay's CPU per GB delivered, the reference server (streamfault serve, a
        process of its own) beside nginx-rtmp; both measured from /proc
`

// benchCmd runs a benchmark and prints its figures with the machine's core count.
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

// cpuTime is the process's user and system CPU time so far.
func cpuTime() (user, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// peakRSS is the process's peak resident set size in bytes (Linux reports KiB).
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024
}

// cores says the machine's core count and the Go scheduler's share of it.
func cores() string {
	return fmt.Sprintf("%d cores (GOMAXPROCS %d)", runtime.NumCPU(), runtime.GOMAXPROCS(0))
}

func benchPlayers(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench players", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to `FILE`")
	memprofile := fs.String("memprofile", "", "write a heap profile at the end of the run to `FILE`")
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
	var longest time.Duration
	for _, st := range s.Server.Streams {
		longest = max(longest, st.Duration.D())
	}
	fmt.Fprintf(stderr, "bench players: %s: %d clients, streams up to %v, on %s\n", file, len(s.Clients), longest, cores())
	if *cpuprofile != "" {
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer stop()
	}
	u0, s0 := cpuTime()
	t0 := time.Now()
	res, err := harness.Run(ctx, s, harness.Options{})
	took := time.Since(t0)
	u1, s1 := cpuTime()
	if err != nil {
		fmt.Fprintln(stderr, "bench players:", err)
		return 1
	}
	if res.Interrupted != "" {
		fmt.Fprintf(stderr, "bench players: interrupted (%s): no figures\n", res.Interrupted)
		return exitInterrupted
	}
	if *memprofile != "" {
		runtime.GC()
		f, err := os.Create(*memprofile)
		if err == nil {
			err = pprof.WriteHeapProfile(f)
			f.Close()
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
		}
	}
	late := reports.Lateness(res.History)
	q := reports.Quantiles(late, 0.50, 0.99, 1)
	p50, p99, worst := q[0], q[1], q[2]
	passed := 0
	for _, v := range res.Verdicts {
		if v.Status == check.Pass {
			passed++
		}
	}
	fmt.Fprintf(stdout, "players %d on %s\n", len(s.Clients), cores())
	fmt.Fprintf(stdout, "  run, checking included   %6.1f s  (longest stream %v: goal <= %v)\n", took.Seconds(), longest, longest+2*time.Second)
	fmt.Fprintf(stdout, "  CPU user+sys             %6.1f s  (%.1f + %.1f)\n", (u1 - u0 + s1 - s0).Seconds(), (u1 - u0).Seconds(), (s1 - s0).Seconds())
	fmt.Fprintf(stdout, "  peak RSS                 %6d MB (goal < 1024)\n", peakRSS()>>20)
	fmt.Fprintf(stdout, "  frame lateness           p50 %d ms, p99 %d ms, max %d ms over %d frames (goal p99 <= %d ms, one frame)\n",
		p50.Milliseconds(), p99.Milliseconds(), worst.Milliseconds(), len(late), frameInterval(s).Milliseconds())
	fmt.Fprintf(stdout, "  verdicts                 %d of %d passed\n", passed, len(res.Verdicts))
	for _, v := range res.Verdicts {
		if v.Status != check.Pass {
			fmt.Fprintf(stdout, "    %s\n", v)
		}
	}
	if passed != len(res.Verdicts) {
		return 1
	}
	return 0
}

// startCPUProfile profiles this process into file until the returned func is called.
func startCPUProfile(file string) (func(), error) {
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// frameInterval is the frame interval of the scenario's first stream.
func frameInterval(s *scenario.Scenario) time.Duration {
	if len(s.Server.Streams) == 0 || s.Server.Streams[0].FPS <= 0 {
		return media.DefaultFrame
	}
	return time.Second / time.Duration(s.Server.Streams[0].FPS)
}

func benchRelay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench relay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	readers := fs.Int("readers", 20, "rtmpdump --live readers of the one ffmpeg publisher")
	noNginx := fs.Bool("no-nginx", false, "measure the reference server only")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *readers < 1 {
		fmt.Fprint(stderr, benchUsage)
		return 2
	}
	dir, err := os.MkdirTemp("", "streamfault-relay-")
	if err != nil {
		fmt.Fprintln(stderr, "bench relay:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(stderr, "bench relay: making the clip (20 s, 640x360, 1.5 Mbit/s)…\n")
	clip, err := conformance.BenchClip(ctx, dir)
	if err != nil {
		fmt.Fprintln(stderr, "bench relay:", err)
		return 1
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "bench relay:", err)
		return 1
	}
	ref, err := conformance.StartReferenceProcess(ctx, exe)
	if err != nil {
		fmt.Fprintln(stderr, "bench relay:", err)
		return 1
	}
	defer ref.Close()
	subjects := []conformance.Subject{ref}
	if !*noNginx {
		if ng, err := conformance.StartNginx(ctx, nginx.Config{}); err != nil {
			fmt.Fprintf(stderr, "bench relay: nginx-rtmp left out: %v\n", err)
		} else {
			defer ng.Close()
			subjects = append(subjects, ng)
		}
	}
	var results []conformance.RelayResult
	for _, s := range subjects {
		fmt.Fprintf(stderr, "bench relay: %s: 1 publisher, %d readers…\n", s.Name(), *readers)
		r, err := conformance.Relay(ctx, s, clip, *readers, dir)
		if err != nil {
			if ctx.Err() != nil {
				fmt.Fprintln(stderr, "bench relay: interrupted: no figures")
				return exitInterrupted
			}
			fmt.Fprintf(stderr, "bench relay: %s: %v\n", s.Name(), err)
			return 1
		}
		results = append(results, r)
	}
	fmt.Fprintf(stdout, "relay: 1 ffmpeg publisher, %d rtmpdump --live readers, on %s\n", *readers, cores())
	for _, r := range results {
		fmt.Fprintf(stdout, "  %-10s CPU %5.2f s for %6.1f MB delivered: %5.1f CPU-s/GB, %d write calls\n", r.Subject, r.CPU.Seconds(),
			float64(r.Bytes)/1e6, r.PerGB(), r.Writes)
	}
	if len(results) == 2 && results[1].PerGB() > 0 {
		fmt.Fprintf(stdout, "  ratio reference/nginx-rtmp: %.2f (goal <= 1.5)\n", results[0].PerGB()/results[1].PerGB())
	}
	return 0
}
