package bench

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/proc"
)

// TestHogSpinsUntilKilled: the hog uses CPU while it runs, and after Kill its PID is gone.
func TestHogSpinsUntilKilled(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	h, err := StartHog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pid := h.PID()
	defer h.Kill()
	for { // bounded by ctx: a loaded machine gives the hog its share later
		used, err := proc.CPUTime(pid)
		if err != nil {
			t.Fatalf("hog %d: %v", pid, err)
		}
		if used >= 100*time.Millisecond {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the hog used %v of CPU in 20 s", used)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := h.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("after Kill, signalling pid %d gave %v, want ESRCH", pid, err)
	}
}
