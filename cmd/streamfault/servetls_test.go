package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/tlsca"
)

// `serve --tls` is read by ffprobe over rtmps, verifying the certificate against the run's CA;
// with another CA ffprobe refuses the server. The temporary CA file is gone once serve ends.
func TestServeTLSReadByFFprobe(t *testing.T) {
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") != "" {
			t.Fatal("ffprobe is required (make deps)")
		}
		t.Skip("ffprobe not installed")
	}
	var url, ca string
	printed, stop := startServe(t, []string{"--tls", "--stream", "clip:5s"}, func(line string) bool {
		if m := regexp.MustCompile(`-ca_file (\S+) (rtmps://\S+)`).FindStringSubmatch(line); m != nil {
			ca, url = m[1], m[2]
		}
		return url != ""
	})
	defer stop()
	if url == "" {
		t.Fatal("serve --tls printed no rtmps:// URL with its CA file")
	}
	readmeSample(t, printed)
	probe := func(caFile string) (string, error) {
		pctx, pcancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer pcancel()
		out, err := exec.CommandContext(pctx, ffprobe, "-v", "error", "-tls_verify", "1", "-ca_file", caFile,
			"-show_entries", "stream=codec_type", "-of", "csv", url).CombinedOutput()
		return string(out), err
	}
	out, err := probe(ca)
	if err != nil || !strings.Contains(out, "stream,video") {
		t.Fatalf("ffprobe over rtmps with the run's CA: %v\n%s", err, out)
	}
	other, err := tlsca.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	otherFile := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(otherFile, other.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := probe(otherFile); err == nil {
		t.Fatalf("ffprobe trusted the server with another CA:\n%s", out)
	}
	stop() // serve has ended: its temporary CA file must be gone
	if _, err := os.Stat(ca); !os.IsNotExist(err) {
		t.Errorf("the temporary CA file %s is left after serve ended (%v)", ca, err)
	}
}

// readmeSample checks the README's RTMPS sample against what serve --tls printed, with the
// CA file's name and the port left out.
func readmeSample(t *testing.T, printed []string) {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(readme), "## RTMPS")
	_, block, _ = strings.Cut(block, "```\n")
	block, _, _ = strings.Cut(block, "```")
	norm := func(s string) string {
		s = regexp.MustCompile(`/[^ ]*streamfault-serve-ca-[^ )]*\.pem`).ReplaceAllString(s, "CA")
		return regexp.MustCompile(`127\.0\.0\.1:\d+`).ReplaceAllString(s, "ADDR")
	}
	want := strings.Split(strings.TrimSpace(block), "\n")
	if len(want) != len(printed) {
		t.Fatalf("the README's RTMPS sample has %d lines, serve printed %d: %q", len(want), len(printed), printed)
	}
	for i := range want {
		if norm(want[i]) != norm(printed[i]) {
			t.Errorf("README sample line %d:\n  %s\nserve printed:\n  %s", i+1, want[i], printed[i])
		}
	}
}

// `serve --tls --plain-too` takes RTMP and RTMPS on one address; --plain-too alone is refused.
func TestServePlainToo(t *testing.T) {
	var errb strings.Builder
	if code := serveCmd(context.Background(), []string{"--plain-too"}, io.Discard, &errb); code != 2 || !strings.Contains(errb.String(), "--plain-too needs --tls") {
		t.Fatalf("--plain-too alone: exit %d, %q", code, errb.String())
	}
	addr := ""
	_, stop := startServe(t, []string{"--tls", "--plain-too", "--stream", "clip:5s"}, func(line string) bool {
		if m := regexp.MustCompile(`as well: rtmp://([^/]+)/`).FindStringSubmatch(line); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	defer stop()
	if addr == "" {
		t.Fatal("serve --tls --plain-too printed no plain rtmp:// address")
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer dcancel()
	c, err := rtmpconn.Dial(dctx, addr, rtmpconn.Options{})
	if err != nil {
		t.Fatalf("plain RTMP to serve --tls --plain-too: %v", err)
	}
	c.Close()
	s, err := rtmpconn.Dial(dctx, addr, rtmpconn.Options{TLS: &tls.Config{InsecureSkipVerify: true}})
	if err != nil {
		t.Fatalf("RTMPS to serve --tls --plain-too: %v", err)
	}
	s.Close()
}

// startServe runs serve with args, reading its output lines until found says it has what it
// needs (or the output ends); it returns the lines read and a stop that ends serve and checks
// it exited 0.
func startServe(t *testing.T, args []string, found func(line string) bool) (printed []string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := serveCmd(ctx, args, pw, io.Discard)
		pw.Close()
		done <- code
	}()
	lines := bufio.NewScanner(pr)
	for lines.Scan() {
		printed = append(printed, lines.Text())
		if found(lines.Text()) {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	var once sync.Once
	return printed, func() {
		once.Do(func() {
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("serve %v: exit %d", args, code)
			}
		})
	}
}
