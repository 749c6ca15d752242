package bench

import (
	"context"
	"fmt"

	"github.com/streamfault/streamfault/internal/proc"
)

// hogArgs is the CPU hog: one process that spins, as the goals "beside a CPU hog" ask.
var hogArgs = []string{"/bin/sh", "-c", "while :; do :; done"}

// StartHog starts a CPU hog beside a benchmark; the caller ends it with Kill (by its PID, its
// process group), and the kernel ends it if this process dies first.
func StartHog(ctx context.Context) (*proc.Process, error) {
	p, err := proc.New(proc.Spec{Args: hogArgs})
	if err != nil {
		return nil, fmt.Errorf("cpu hog: %w", err)
	}
	if err := p.Start(ctx); err != nil {
		return nil, fmt.Errorf("cpu hog: %w", err)
	}
	return p, nil
}
