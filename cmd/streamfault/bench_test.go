package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
)

// TestBenchPlayersBesideAHog: --hog runs the load beside a CPU hog the benchmark started, says
// so (with its PID) above the figures, and ends it with the run.
func TestBenchPlayersBesideAHog(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tiny.yaml")
	src := `name: tiny
server: {streams: [{name: clip, duration: 1s}]}
routes: [{name: wifi}]
clients:
  - {name: p*, count: 2, role: player, route: wifi, bufferTime: 500ms, play: [{stream: clip}]}
expect:
  - playsToEnd: {client: p*, within: 10s}
`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	code := benchCmd(context.Background(), []string{"players", file, "--hog"}, &out, &errs)
	m := regexp.MustCompile(`players 2 on .*, beside a CPU hog \(pid (\d+)\)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("exit %d; no hog named above the figures:\n%s\n%s", code, out.String(), errs.String())
	}
	if !bytes.Contains(out.Bytes(), []byte("verdicts passed")) {
		t.Fatalf("no figures:\n%s", out.String())
	}
	pid, _ := strconv.Atoi(m[1])
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("the hog (pid %d) outlived the benchmark: signalling it gave %v", pid, err)
	}
}
