package proc

import (
	"context"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestListeningSeesAPortWithoutConnecting: a listening socket is seen in /proc, and asking
// costs the server no connection.
func TestListeningSeesAPortWithoutConnecting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
			accepted <- struct{}{}
		}
	}()
	on, err := Listening(ln.Addr().String())
	if err != nil {
		t.Skipf("/proc cannot tell here: %v", err)
	}
	if !on {
		t.Fatal("a listening socket not seen")
	}
	select {
	case <-accepted:
		t.Fatal("asking made a connection")
	case <-time.After(100 * time.Millisecond):
	}
	free, _ := FreeLoopbackAddr()
	if on, _ := Listening(free); on {
		t.Fatalf("%s seen listening", free)
	}
}

// TestReadyByLineAndTheTailOfAnEarlyExit: readiness by an output line; a program that exits
// first says so with its last lines.
func TestReadyByLineAndTheTailOfAnEarlyExit(t *testing.T) {
	p, _ := New(Spec{Args: []string{"sh", "-c", "echo starting; sleep 0.2; echo READY now; sleep 30"}, ReadyLine: regexp.MustCompile(`^READY`)})
	t0 := time.Now()
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	if time.Since(t0) < 150*time.Millisecond {
		t.Fatal("ready before its line")
	}
	q, _ := New(Spec{Args: []string{"sh", "-c", "echo one; echo 'bind: address in use' >&2; exit 2"}, ReadyLine: regexp.MustCompile(`READY`), ReadyTimeout: 5 * time.Second})
	err := q.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "exited before") || !strings.Contains(err.Error(), "bind: address in use") {
		t.Fatalf("an early exit: %v", err)
	}
}

// TestLongLinesAreCutAndReadingGoesOn: a line over MaxLine is cut with a marker; the lines
// after it are read.
func TestLongLinesAreCutAndReadingGoesOn(t *testing.T) {
	var out lines
	p, _ := New(Spec{Args: []string{"sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x; echo; echo after"}, OnLine: out.add})
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-p.Exited()
	time.Sleep(0) // the readers are done when Exited closes
	got := out.all()
	if !strings.Contains(got, "[line cut: 134464 more bytes]") || !strings.HasSuffix(got, "stdout: after") {
		t.Fatalf("lines: %.200s … %s", got, got[max(len(got)-80, 0):])
	}
}
