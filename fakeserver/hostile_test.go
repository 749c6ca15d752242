package fakeserver

import (
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// connectOnly opens a session and connects to vod, then sends nothing.
func connectOnly(t *testing.T, addr string) *rtmpconn.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := rtmpconn.Dial(ctx, addr, rtmpconn.Options{ReadTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "connect", 1, map[string]any{"app": "vod"}); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestIdleSessionIsClosed: a session that connects and then moves no byte is closed after the
// idle timeout, with the reason logged.
func TestIdleSessionIsClosed(t *testing.T) {
	s, rec := newServer(t, Config{Streams: []media.Spec{{Name: "s", Duration: time.Second, FPS: 25, KeyframeInterval: time.Second}},
		IdleTimeout: 300 * time.Millisecond})
	c := connectOnly(t, s.Addr())
	start := time.Now()
	for {
		if _, err := c.Read(); err != nil {
			break
		}
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("idle session closed after %v", took)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, e := range rec.every() {
			if e.Kind == EventDisconnect && strings.HasPrefix(e.Reason, "idle") {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no disconnect with an idle reason: %v", rec.kinds())
}

// TestBandwidthCheckFloodIsBounded: a burst of checkBandwidth calls on one connection (as many
// as a session may send at once) starts one check, not one goroutine each.
func TestBandwidthCheckFloodIsBounded(t *testing.T) {
	s, rec := startServer(t, time.Second)
	c := connectOnly(t, s.Addr())
	before := runtime.NumGoroutine()
	ctx := context.Background()
	// As many as a session may send at once (past CommandBurst it is closed: TestCommandFlood…).
	n := CommandBurst - 8 // connect and createStream came first
	for i := 0; i < n; i++ {
		if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "checkBandwidth", 0, nil); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	refused := 0
	for time.Now().Before(deadline) && refused < n-1 {
		refused = 0
		for _, e := range rec.every() {
			if e.Kind == EventError && strings.Contains(e.Reason, "checkBandwidth refused") {
				refused++
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if refused < n-1 {
		t.Fatalf("%d of %d checks refused", refused, n)
	}
	if n := runtime.NumGoroutine(); n > before+20 {
		t.Fatalf("%d goroutines after the flood (%d before)", n, before)
	}
}

// TestSessionsAreBounded: past MaxSessions a connection is closed at once and logged; the
// sessions already there are served.
func TestSessionsAreBounded(t *testing.T) {
	s, rec := newServer(t, Config{Streams: []media.Spec{{Name: "s", Duration: time.Second, FPS: 25, KeyframeInterval: time.Second}},
		MaxSessions: 2})
	connectOnly(t, s.Addr())
	connectOnly(t, s.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if c, err := rtmpconn.Dial(ctx, s.Addr(), rtmpconn.Options{}); err == nil {
		c.Close()
		t.Fatal("a third session was served")
	}
	if _, ok := rec.findReason("connection refused: 2 sessions"); !ok {
		t.Fatalf("the refusal was not logged: %v", rec.kinds())
	}
}

// flakyListener fails Accept with EMFILE a few times, as when file descriptors run out.
type flakyListener struct {
	net.Listener
	mu    sync.Mutex
	fails int
}

func (l *flakyListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	if l.fails > 0 {
		l.fails--
		l.mu.Unlock()
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	l.mu.Unlock()
	return l.Listener.Accept()
}

// TestAcceptErrorsAreRetried: after accept fails (out of file descriptors) the server goes on
// accepting instead of leaving its listener dead.
func TestAcceptErrorsAreRetried(t *testing.T) {
	s, rec := startServer(t, time.Second)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fl := &flakyListener{Listener: ln, fails: 5}
	ctx, cancel := context.WithCancel(context.Background())
	s.wg.Add(1)
	go s.acceptLoop(ctx, fl)
	t.Cleanup(func() { cancel(); ln.Close() })
	dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer dcancel()
	c, err := rtmpconn.Dial(dctx, ln.Addr().String(), rtmpconn.Options{})
	if err != nil {
		t.Fatalf("not served after accept errors: %v", err)
	}
	c.Close()
	if e, ok := rec.findReason("accept:"); !ok || !strings.Contains(e.Reason, "too many open files") {
		t.Fatalf("accept errors not logged: %v", rec.kinds())
	}
}

// TestTricklingPeerIsClosed: a peer that trickles a byte every 50 ms after its handshake,
// never completing a message, is closed after the idle timeout as if silent (it cannot hold a
// session slot by trickling).
func TestTricklingPeerIsClosed(t *testing.T) {
	s, rec := newServer(t, Config{Streams: []media.Spec{{Name: "s", Duration: time.Second, FPS: 25, KeyframeInterval: time.Second}},
		IdleTimeout: 300 * time.Millisecond})
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	const sig = 1536 // C1, S1, S2, C2
	c1 := make([]byte, 1+sig)
	c1[0] = 3
	if _, err := nc.Write(c1); err != nil {
		t.Fatal(err)
	}
	s01 := make([]byte, 1+sig)
	if _, err := io.ReadFull(nc, s01); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Write(s01[1:]); err != nil { // C2 echoes S1
		t.Fatal(err)
	}
	if _, err := io.ReadFull(nc, make([]byte, sig)); err != nil { // S2
		t.Fatal(err)
	}
	// A chunk header of a 1 MiB message, one byte at a time, then its body the same way.
	header := []byte{0x03, 0, 0, 0, 0x10, 0, 0, 0x14, 0, 0, 0, 0}
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		b := byte(0)
		if i < len(header) {
			b = header[i]
		}
		if _, err := nc.Write([]byte{b}); err != nil {
			break // closed: as wanted
		}
		for _, e := range rec.every() {
			if strings.HasPrefix(e.Reason, "idle session closed") {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		for _, e := range rec.every() {
			if strings.HasPrefix(e.Reason, "idle session closed") {
				return
			}
		}
	}
	t.Fatalf("a trickling peer was not closed as idle (a 300 ms idle timeout, a byte every 50 ms): %+v", rec.every())
}
