package conformance

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestUsageReadsThisProcess: the CPU time read from /proc moves when this process computes,
// and the write count when it writes.
func TestUsageReadsThisProcess(t *testing.T) {
	c0, w0, err := usage(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "w"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := 0; i < 10; i++ {
		if _, err := f.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	x := 0
	for {
		for i := 0; i < 1e7; i++ {
			x += i
		}
		c1, w1, err := usage(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if c1 > c0 && w1 >= w0+10 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cpu %v -> %v, writes %d -> %d (%d)", c0, c1, w0, w1, x)
		}
	}
}

// TestRelayResultPerGB: CPU seconds per GB delivered.
func TestRelayResultPerGB(t *testing.T) {
	r := RelayResult{CPU: 2 * time.Second, Bytes: 500e6}
	if r.PerGB() != 4 || (RelayResult{}).PerGB() != 0 {
		t.Fatalf("%v", r.PerGB())
	}
}
