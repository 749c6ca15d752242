package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/streamfault/streamfault/harness/conformance"
	"github.com/streamfault/streamfault/internal/nginx"
)

// RelayRatio bounds the reference server's CPU per delivered GB against nginx-rtmp's in the
// same run.
var RelayRatio = Goal{Limit: 1.0, Why: "the reference relay as lean as nginx-rtmp (issue 25)"}

// RelayOptions configures the relay benchmark.
type RelayOptions struct {
	// Readers is how many rtmpdump --live readers play the one ffmpeg publisher.
	Readers int
	// Rounds is how many times the servers relay the clip, all of them at the same time in
	// each round (default 1); the CPU and bytes are summed over the rounds and each round's
	// ratio is printed, since one 20 s run costs only about a third of a CPU second and
	// varies by a quarter from run to run.
	Rounds int
	// NoNginx leaves nginx-rtmp out (no ratio then).
	NoNginx bool
	// Exe is the streamfault binary the reference server runs as (`serve`).
	Exe string
	// Progress receives a line as each step begins (may be nil).
	Progress io.Writer
}

// Relay measures the live relay of the reference server (a process of its own) and of
// nginx-rtmp at the same time: the same clip published by ffmpeg to each, Readers rtmpdump
// readers of each, CPU from /proc; each server's results, round by round.
func Relay(ctx context.Context, o RelayOptions) ([][]conformance.RelayResult, error) {
	say := func(format string, a ...any) {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "bench relay: "+format+"\n", a...)
		}
	}
	dir, err := os.MkdirTemp("", "streamfault-relay-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	say("making the clip (20 s, 640x360, 1.5 Mbit/s)…")
	clip, err := conformance.BenchClip(ctx, dir)
	if err != nil {
		return nil, err
	}
	ref, err := conformance.StartReferenceProcess(ctx, o.Exe)
	if err != nil {
		return nil, err
	}
	defer ref.Close()
	subjects := []conformance.Subject{ref}
	if !o.NoNginx {
		if ng, err := conformance.StartNginx(ctx, nginx.Config{}); err != nil {
			say("nginx-rtmp left out: %v", err)
		} else {
			defer ng.Close()
			subjects = append(subjects, ng)
		}
	}
	rounds := max(o.Rounds, 1)
	out := make([][]conformance.RelayResult, len(subjects))
	for round := 1; round <= rounds; round++ {
		say("round %d of %d: %s, 1 publisher and %d readers each…", round, rounds, names(subjects), o.Readers)
		rs, err := relayAtOnce(ctx, subjects, func(ctx context.Context, s conformance.Subject) (conformance.RelayResult, error) {
			return conformance.Relay(ctx, s, clip, o.Readers, dir)
		})
		if err != nil {
			return nil, err
		}
		for i, r := range rs {
			out[i] = append(out[i], r)
		}
	}
	return out, nil
}

// relayFunc relays the clip through one subject.
type relayFunc func(context.Context, conformance.Subject) (conformance.RelayResult, error)

// relayAtOnce has every subject relay at the same time, so that each round's figures are
// taken over the same seconds of the machine (a round alone varies by a quarter from the
// next, with the machine's other work); the first failure stops the others and is returned.
func relayAtOnce(ctx context.Context, subjects []conformance.Subject, relay relayFunc) ([]conformance.RelayResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rs := make([]conformance.RelayResult, len(subjects))
	errs := make([]error, len(subjects))
	var wg sync.WaitGroup
	for i, s := range subjects {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if rs[i], errs[i] = relay(ctx, s); errs[i] != nil {
				errs[i] = fmt.Errorf("%s: %w", s.Name(), errs[i])
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return rs, nil
}

// names lists the subjects' names: "a", "a and b at once", "a, b and c at once".
func names(subjects []conformance.Subject) string {
	var ns []string
	for _, s := range subjects {
		ns = append(ns, s.Name())
	}
	if len(ns) < 2 {
		return strings.Join(ns, "")
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1] + " at once"
}

// RelaySum is one server's rounds as one result: CPU, bytes and write calls summed.
func RelaySum(rounds []conformance.RelayResult) conformance.RelayResult {
	var sum conformance.RelayResult
	for _, r := range rounds {
		sum.Subject, sum.Readers = r.Subject, r.Readers
		sum.CPU, sum.Bytes, sum.Writes = sum.CPU+r.CPU, sum.Bytes+r.Bytes, sum.Writes+r.Writes
	}
	return sum
}

// RelayFigures are the relay's figures: each subject's CPU per GB over its rounds, and the
// ratio beside its goal when both were measured, with each round's own ratio.
func RelayFigures(runs [][]conformance.RelayResult) []Figure {
	var figs []Figure
	rs := make([]conformance.RelayResult, len(runs))
	for i, rounds := range runs {
		rs[i] = RelaySum(rounds)
	}
	for _, r := range rs {
		figs = append(figs, Figure{Name: r.Subject + " CPU per GB", Value: r.PerGB(), Unit: "CPU-s/GB",
			Detail: fmt.Sprintf("%.2f CPU-s for %.1f MB delivered, %d write(2) calls (/proc syscw: send(2), which nginx-rtmp uses, is not counted)",
				r.CPU.Seconds(), float64(r.Bytes)/1e6, r.Writes)})
	}
	if len(rs) == 2 && rs[1].PerGB() > 0 {
		var each []string
		for i := range min(len(runs[0]), len(runs[1])) {
			if g := runs[1][i].PerGB(); g > 0 {
				each = append(each, fmt.Sprintf("%.2f", runs[0][i].PerGB()/g))
			}
		}
		figs = append(figs, Figure{Name: "ratio reference/nginx-rtmp", Value: rs[0].PerGB() / rs[1].PerGB(), Goal: &RelayRatio,
			Detail: fmt.Sprintf("over %d round(s); each round: %s", len(runs[0]), strings.Join(each, ", "))})
	}
	return figs
}
