package bench

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTicks is the user and system time a process has used, in clock ticks (/proc/PID/stat).
func cpuTicks(pid int) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	u, _ := strconv.Atoi(f[11]) // utime, stime: fields 14 and 15 of stat
	s, _ := strconv.Atoi(f[12])
	return u + s, nil
}

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
		n, err := cpuTicks(pid)
		if err != nil {
			t.Fatalf("hog %d: %v", pid, err)
		}
		if n >= 10 { // 0.1 s of CPU
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the hog used %d ticks of CPU in 20 s", n)
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
