package main

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestServeLogsPeerStringsPrintably(t *testing.T) {
	for in, want := range map[string]string{"cam": "cam", "a b": "a b", "x\nFAKE line": `"x\nFAKE line"`, "\x1b[2J": `"\x1b[2J"`, "\xff": `"\xff"`} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %s, want %s", in, got, want)
		}
	}
	if got := printable(strings.Repeat("n", 10000)); len(got) > maxLogged+8 {
		t.Errorf("a 10,000-byte name logged as %d bytes", len(got))
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range []string{"run", "compare", "validate", "list", "check", "schema", "serve", "bench", "conformance", "version"} {
		for _, flag := range []string{"-h", "--help"} {
			var out, errb strings.Builder
			if code := run([]string{c, flag}, &out, &errb); code != 0 || !strings.Contains(out.String(), "streamfault "+c) || !strings.Contains(out.String(), "exit status") {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q", c, flag, code, out.String(), errb.String())
			}
		}
	}
	var out strings.Builder
	if code := run([]string{"version"}, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "streamfault ") || !strings.Contains(out.String(), "github.com/yutopp/go-rtmp v0.0.7") {
		t.Errorf("version: exit %d, %q", code, out.String())
	}
}

// TestServeCoresTakesACountOrAuto: a count sets GOMAXPROCS; auto governs it (one core while
// idle, the count found given back at stop) unless the user set GOMAXPROCS; anything else is
// a usage error.
func TestServeCoresTakesACountOrAuto(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(before)
	if before == 1 {
		runtime.GOMAXPROCS(2)
		before = 2
	}
	ctx := context.Background()
	unset := func(string) string { return "" }
	var errb strings.Builder
	stop, err := serveCores(ctx, "auto", unset, &errb)
	if err != nil {
		t.Fatal(err)
	}
	waitCores(t, 1)
	stop()
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("auto, stopped: GOMAXPROCS %d, want the %d it found", got, before)
	}
	userSet := func(k string) string { return map[string]string{"GOMAXPROCS": "2"}[k] }
	if stop, err := serveCores(ctx, "auto", userSet, &errb); err != nil || runtime.GOMAXPROCS(0) != before {
		t.Errorf("auto under the user's GOMAXPROCS: %v, GOMAXPROCS %d", err, runtime.GOMAXPROCS(0))
	} else {
		stop()
	}
	if _, err := serveCores(ctx, "3", unset, &errb); err != nil || runtime.GOMAXPROCS(0) != 3 {
		t.Errorf("3: %v, GOMAXPROCS %d", err, runtime.GOMAXPROCS(0))
	}
	for _, bad := range []string{"0", "-1", "two", "", "1025"} {
		if _, err := serveCores(ctx, bad, unset, &errb); err == nil || !strings.Contains(err.Error(), "want auto or a number") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// waitCores polls GOMAXPROCS until it is want, for at most 10 s.
func waitCores(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.GOMAXPROCS(0) != want {
		if time.Now().After(deadline) {
			t.Fatalf("GOMAXPROCS %d after 10 s, want %d", runtime.GOMAXPROCS(0), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestServeRunsOnOneCoreWhileIdle: serve on its defaults governs the runtime: one core
// while it serves nobody, and the count it found given back when it ends.
func TestServeRunsOnOneCoreWhileIdle(t *testing.T) {
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is set: serve keeps it")
	}
	before := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(before)
	if before == 1 {
		runtime.GOMAXPROCS(2)
		before = 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var out, errb strings.Builder
	go func() { done <- serveCmd(ctx, []string{"--addr", "127.0.0.1:0"}, &out, &errb) }()
	waitCores(t, 1) // before cancel: serve gives the count back as it ends
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve: exit %d", code)
	}
	if after := runtime.GOMAXPROCS(0); after != before {
		t.Fatalf("GOMAXPROCS %d after serve ended, want the %d it found", after, before)
	}
}
