package proc

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A program whose descendant leaves its process group (setsid, as a daemon does) and keeps
// its output open: the program's end is still seen, and Kill returns, within a bound.
func TestExitSeenThoughADescendantKeepsTheOutputOpen(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	p, err := New(Spec{Args: []string{"sh", "-c", `setsid sh -c 'echo $$ > "$0"; exec sleep 60' "$0" & sleep 0.2; echo bye`, pidFile}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer func() { // the escaped descendant is this test's to end, by the PID it wrote
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}()
	select {
	case <-p.Exited():
	case <-time.After(20 * time.Second):
		t.Fatal("the program's end was never seen: its escaped descendant holds the output open")
	}
	done := make(chan error, 1)
	go func() { done <- p.Kill() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Kill did not return")
	}
}
