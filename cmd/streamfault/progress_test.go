package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/status"
)

func TestHeartbeatLines(t *testing.T) {
	p := newProgress()
	t0 := time.Unix(100, 0)
	on := p.start("drop", 40*time.Second, 16*time.Second, t0)
	p.start("other", time.Minute, 5*time.Second, t0.Add(time.Second))
	on(history.Event{Source: "cam", Kind: history.KindClientStatus, Code: status.ConnectSuccess})
	on(history.Event{Source: "cam", Kind: history.KindClientStatus, Code: status.ConnectSuccess}) // the same client again
	on(history.Event{Source: "ff", Kind: history.KindTapConnect})
	on(history.Event{Source: "bad", Kind: history.KindTapConnect, Message: "upstream refused"})
	on(history.Event{Source: "cut", Kind: history.KindFaultStart})
	on(history.Event{Source: "cam", Kind: history.KindClientStatus, Code: status.PlayStart})
	got := p.lines(t0.Add(12 * time.Second))
	want := []string{
		"… drop: running 12s of at most 40s, 1 fault done, 2 clients connected",
		"… other: running 11s of at most 1m0s, 0 faults done, 0 clients connected",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("heartbeat:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	live := p.liveLine(t0.Add(12*time.Second), 100)
	if live != "… 2 running: drop 12s/~16s 1 fault, other 11s/~5s 0 faults" {
		t.Errorf("live line %q", live)
	}
	if short := p.liveLine(t0.Add(12*time.Second), 20); len([]rune(short)) != 20 || !strings.HasSuffix(short, "…") {
		t.Errorf("a live line cut to 20 columns: %q", short)
	}
	p.end("drop")
	p.end("other")
	if got := p.lines(t0.Add(13 * time.Second)); len(got) != 0 {
		t.Fatalf("finished runs still listed: %v", got)
	}
}

func TestHeartbeatLoopPrintsUntilStopped(t *testing.T) {
	p := newProgress()
	p.start("s", time.Minute, time.Second, time.Now())
	var out bytes.Buffer
	var mu sync.Mutex
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.loop(ctx, &out, &mu, time.Millisecond, false); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := strings.Count(out.String(), "… s: running")
		mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no heartbeat within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}

func TestPlainStripsTerminalEscapes(t *testing.T) {
	in := "\x1b[1m\x1b[38;5;9mSyntax Error\x1b[0m\n  \x1b[38;5;9m\x1b[1m\x1b[4m(\x1b[0m("
	if got := plain(in); got != "Syntax Error\n  ((" {
		t.Fatalf("plain: %q", got)
	}
}

// On a terminal the live line is redrawn in place and cleared before other output and at the
// end; a file or a pipe is no terminal, nor is a terminal when NO_COLOR is set.
func TestLiveLineIsClearedBeforeOtherOutput(t *testing.T) {
	p := newProgress()
	p.start("s", time.Minute, 4*time.Second, time.Now())
	var out bytes.Buffer
	var mu sync.Mutex
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.loop(ctx, &out, &mu, time.Hour, true); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		shown := p.shown
		mu.Unlock()
		if shown {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no live line within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	p.clear(&out)
	out.WriteString("PASS s\n")
	mu.Unlock()
	cancel()
	<-done
	got := out.String()
	if !strings.HasPrefix(got, "\r\x1b[K… 1 running: s ") || !strings.Contains(got, "\r\x1b[KPASS s\n") {
		t.Fatalf("live output %q", got)
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) || isTerminal(&out) {
		t.Fatal("a file or a buffer taken for a terminal")
	}
}
