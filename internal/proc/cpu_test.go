package proc

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"
)

// TestCPUTimeGrowsWithWork: this process's CPU time grows while it spins, and a PID that does
// not exist has none.
func TestCPUTimeGrowsWithWork(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("no /proc here")
	}
	before, err := CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for x := 0; ; x++ { // bounded by ctx: a loaded machine gives this test its share later
		if x%1_000_000 == 0 {
			now, err := CPUTime(os.Getpid())
			if err != nil {
				t.Fatal(err)
			}
			if now-before >= 50*time.Millisecond {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("CPU time grew %v in 20 s of spinning", now-before)
			}
		}
	}
	if _, err := CPUTime(1 << 30); err == nil {
		t.Fatal("a PID that does not exist has a CPU time")
	}
}
