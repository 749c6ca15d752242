package bench

import (
	"context"
	"fmt"
	"io"
	"os"

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
	// NoNginx leaves nginx-rtmp out (no ratio then).
	NoNginx bool
	// Exe is the streamfault binary the reference server runs as (`serve`).
	Exe string
	// Progress receives a line as each step begins (may be nil).
	Progress io.Writer
}

// Relay measures the live relay of the reference server (a process of its own) and of
// nginx-rtmp: the same clip published by ffmpeg to Readers rtmpdump readers, CPU from /proc.
func Relay(ctx context.Context, o RelayOptions) ([]conformance.RelayResult, error) {
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
	var out []conformance.RelayResult
	for _, s := range subjects {
		say("%s: 1 publisher, %d readers…", s.Name(), o.Readers)
		r, err := conformance.Relay(ctx, s, clip, o.Readers, dir)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name(), err)
		}
		out = append(out, r)
	}
	return out, nil
}

// RelayFigures are the relay's figures: each subject's CPU per GB, and the ratio beside its
// goal when both were measured.
func RelayFigures(rs []conformance.RelayResult) []Figure {
	var figs []Figure
	for _, r := range rs {
		figs = append(figs, Figure{Name: r.Subject + " CPU per GB", Value: r.PerGB(), Unit: "CPU-s/GB",
			Detail: fmt.Sprintf("%.2f CPU-s for %.1f MB delivered, %d write calls", r.CPU.Seconds(), float64(r.Bytes)/1e6, r.Writes)})
	}
	if len(rs) == 2 && rs[1].PerGB() > 0 {
		figs = append(figs, Figure{Name: "ratio reference/nginx-rtmp", Value: rs[0].PerGB() / rs[1].PerGB(), Goal: &RelayRatio})
	}
	return figs
}
