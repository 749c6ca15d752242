package conformance

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/streamfault/streamfault/internal/proc"
	"github.com/streamfault/streamfault/internal/seen"
)

// referenceProcess is the reference server in a process of its own (`streamfault serve`), so
// that its CPU time is its own: the relay benchmark measures it as it measures nginx.
type referenceProcess struct {
	p     *proc.Process
	addr  string
	plays *seen.Set
}

// StartReferenceProcess starts exe (the streamfault binary) as `serve` with the vod and live
// applications on a free loopback port, returning once the port answers.
func StartReferenceProcess(ctx context.Context, exe string) (Subject, error) {
	addr, err := proc.FreeLoopbackAddr() // serve takes it over
	if err != nil {
		return nil, fmt.Errorf("reference process: %w", err)
	}
	plays := seen.New(maxPlays)
	p, err := proc.New(proc.Spec{Args: []string{exe, "serve", "--addr", addr, "--app", "vod", "--app", "live"}, Ready: addr,
		OnLine: func(stream, line string) {
			// serve prints an access-log line per event: time, kind, session, stream, reason.
			if f := strings.Fields(line); stream == "stdout" && len(f) >= 4 && f[1] == "play" {
				plays.Add(f[3])
			}
		}})
	if err != nil {
		return nil, err
	}
	if err := p.Start(ctx); err != nil {
		return nil, fmt.Errorf("reference process: %w", err)
	}
	return referenceProcess{p: p, addr: addr, plays: plays}, nil
}

func (r referenceProcess) Name() string { return ReferenceName }
func (r referenceProcess) URL(app, stream string) string {
	return "rtmp://" + r.addr + "/" + app + "/" + stream
}
func (r referenceProcess) PID() int { return r.p.PID() }
func (r referenceProcess) WaitPlay(ctx context.Context, stream string) error {
	return r.plays.Wait(ctx, stream)
}
func (r referenceProcess) Close() error { return r.p.Stop(syscall.SIGTERM, 5*time.Second) }
