package proc

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type lines struct {
	mu sync.Mutex
	l  []string
}

func (l *lines) add(stream, line string) {
	l.mu.Lock()
	l.l = append(l.l, stream+": "+line)
	l.mu.Unlock()
}
func (l *lines) all() string { l.mu.Lock(); defer l.mu.Unlock(); return strings.Join(l.l, "\n") }

func TestLinesExitAndReadiness(t *testing.T) {
	var out lines
	done := make(chan error, 1)
	p, err := New(Spec{Args: []string{"sh", "-c", "echo hello; echo oops >&2; exit 3"}, OnLine: out.add, OnExit: func(err error) { done <- err }})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-p.Exited()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("exit: %v", err)
	}
	if got := out.all(); !strings.Contains(got, "stdout: hello") || !strings.Contains(got, "stderr: oops") {
		t.Fatalf("lines: %s", got)
	}

	// Ready waits for the port; a program that exits first is an error, not a hang.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	q, _ := New(Spec{Args: []string{"sh", "-c", "exit 1"}, Ready: addr, ReadyTimeout: 5 * time.Second})
	if err := q.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "exited before") {
		t.Fatalf("a program that dies before its port answers: %v", err)
	}
}

// TestAProgramThatAsksNoReadinessIsStartedWhenItRuns: with no readiness asked, Start does not
// fail for an exit that came before its last look (it did whenever the machine was slow); a
// program that asks for readiness and exits first still fails.
func TestAProgramThatAsksNoReadinessIsStartedWhenItRuns(t *testing.T) {
	p, err := New(Spec{Args: []string{"sh", "-c", "exit 3"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-p.Exited()
	if err := p.waitReady(context.Background()); err != nil { // as if the exit beat Start's look
		t.Fatalf("an exit after the start made it fail: %v", err)
	}
	p.spec.ReadyDelay = time.Millisecond
	if err := p.waitReady(context.Background()); err == nil || !strings.Contains(err.Error(), "exited before") {
		t.Fatalf("a program that exited before its ready delay: %v", err)
	}
}

// TestStopEndsTheWholeGroup: a wrapper script's child dies with it.
func TestStopEndsTheWholeGroup(t *testing.T) {
	var out lines
	p, _ := New(Spec{Args: []string{"sh", "-c", "trap '' INT; sleep 60 & echo child $!; wait"}, OnLine: out.add})
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var child int
	for deadline := time.Now().Add(5 * time.Second); child == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, l := range strings.Split(out.all(), "\n") {
			if _, err := fmtSscan(l, &child); err == nil {
				break
			}
		}
	}
	if child == 0 {
		t.Fatalf("no child: %s", out.all())
	}
	start := time.Now()
	if err := p.Stop(syscall.SIGINT, 300*time.Millisecond); err != nil { // the script ignores SIGINT: killed after the grace
		t.Fatal(err)
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Fatalf("stopped after %v, before the grace", took)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if err := syscall.Kill(child, 0); err == syscall.ESRCH {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the wrapper's child %d outlived it", child)
		}
	}
	if p.Running() {
		t.Fatal("still running")
	}
}

func fmtSscan(line string, child *int) (int, error) {
	var n int
	_, err := fmt.Sscanf(line, "stdout: child %d", &n)
	if err == nil {
		*child = n
	}
	return n, err
}

func TestFreeLoopbackAddrIsOnLoopbackAndFree(t *testing.T) {
	addr, err := FreeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("addr %q: want 127.0.0.1 and a real port (%v)", addr, err)
	}
	ln, err := net.Listen("tcp", addr) // free: a program can listen on it
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
}

func TestLineBudgetCutsLongLinesAndStopsAfterItsCount(t *testing.T) {
	var got []string
	on := LineBudget(3, 4, func(stream, line string) { got = append(got, stream+":"+line) })
	for _, l := range []string{"ab", "abcdefgh", "x", "y", "z"} {
		on("stdout", l)
	}
	want := []string{"stdout:ab", "stdout:abcd…", "stdout:… (output past 3 lines is not recorded)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
}
