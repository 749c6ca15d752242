package wiretap

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// events collects a tap's events.
type events struct {
	mu  sync.Mutex
	all []Event
}

func (e *events) add(ev Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) of(kind string) []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Event
	for _, ev := range e.all {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

func newServer(t testing.TB) *fakeserver.Server {
	t.Helper()
	s, err := fakeserver.New(fakeserver.Config{Streams: []media.Spec{{Name: "s", Duration: 2 * time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func play(t testing.TB, addr string, kill func()) {
	t.Helper()
	p, err := fakeclient.NewPlayer(fakeclient.PlayerConfig{Addr: addr, Stream: "s", BufferTime: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if kill != nil {
		time.AfterFunc(700*time.Millisecond, kill)
	}
	_ = p.Run(ctx)
}

// waitFor polls until an event of kind was seen (bounded).
func waitFor(t *testing.T, got *events, kind string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(got.of(kind)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no %s event within 10 s", kind)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTapSeesAWholePlayback(t *testing.T) {
	s := newServer(t)
	var got events
	tap, err := Listen(Config{Upstream: s.Addr(), OnEvent: got.add, Marks: []float64{1}})
	if err != nil {
		t.Fatal(err)
	}
	play(t, tap.Addr(), nil)
	waitFor(t, &got, KindClose)
	if r := got.of(KindReached); len(r) != 1 || *r[0].Media != 1 || r[0].Dir != Down {
		t.Fatalf("the 1 s mark: %+v, want one downstream", r)
	}
	if j := got.of(KindJump); len(j) != 0 {
		t.Fatalf("a clean playback jumped: %+v", j)
	}
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range got.of(KindCommand) {
		names = append(names, c.Name)
		if c.Name == "play" && c.Stream != "s" {
			t.Errorf("play names %q, want s", c.Stream)
		}
		if c.Name == "connect" && c.App != "vod" {
			t.Errorf("connect to app %q, want vod", c.App)
		}
	}
	if len(names) < 3 || names[0] != "connect" {
		t.Fatalf("commands %v: want connect, createStream, play…", names)
	}
	codes := map[string]bool{}
	for _, st := range got.of(KindStatus) {
		codes[st.Code] = true
	}
	if !codes["NetStream.Play.Start"] {
		t.Errorf("statuses %v: no NetStream.Play.Start", codes)
	}
	media := got.of(KindMedia)
	if len(media) == 0 || media[0].Dir != Down || *media[0].Media != 0 {
		t.Fatalf("first media %+v: want downstream at 0 s", media)
	}
	closes := got.of(KindClose)
	if len(closes) != 1 {
		t.Fatalf("%d closes, want 1", len(closes))
	}
	c := closes[0]
	if c.ClosedBy != ByClient || c.Media == nil || *c.Media < 1.9 || c.Down < 10_000 || c.Up < rtmpconn.HandshakeSize {
		t.Fatalf("close %+v: want closed by the client after the last frame (≈1.96 s) with the bytes counted", c)
	}
	if len(got.of(KindUnparsed)) != 0 {
		t.Errorf("unparsed: %+v", got.of(KindUnparsed))
	}
}

func TestTapSeesTheServerSideEnd(t *testing.T) {
	s := newServer(t)
	var got events
	tap, err := Listen(Config{Upstream: s.Addr(), OnEvent: got.add})
	if err != nil {
		t.Fatal(err)
	}
	defer tap.Close()
	play(t, tap.Addr(), func() { _ = s.Kill() })
	waitFor(t, &got, KindClose)
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	closes := got.of(KindClose)
	if len(closes) != 1 {
		t.Fatalf("%d closes, want 1", len(closes))
	}
	c := closes[0]
	if c.ClosedBy != ByServer || c.Media == nil || *c.Media <= 0 || *c.Media >= 1.9 {
		t.Fatalf("close %+v: want closed by the server mid-stream, with the last frame delivered before it", c)
	}
}

func TestTapRelaysWhatItCannotRead(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // an echo server
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(c, c)
	}()
	var got events
	tap, err := Listen(Config{Upstream: ln.Addr().String(), OnEvent: got.add})
	if err != nil {
		t.Fatal(err)
	}
	defer tap.Close()
	c, err := net.Dial("tcp", tap.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A handshake's worth of bytes, then a chunk declaring a 16 MiB message (past the limit).
	out := append(bytes.Repeat([]byte{3}, rtmpconn.HandshakeSize), 0x03, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0)
	out = append(out, bytes.Repeat([]byte("x"), 5000)...)
	if _, err := c.Write(out); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	back := make([]byte, len(out))
	if _, err := io.ReadFull(c, back); err != nil {
		t.Fatalf("the relay stopped: %v", err)
	}
	if !bytes.Equal(back, out) {
		t.Fatal("the relay changed the bytes")
	}
	c.Close()
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	// The echo sends the same bytes back, so both directions stop being RTMP; each direction
	// is read in its own goroutine, so their reports come in either order.
	dirs := map[string]int{}
	for _, e := range got.of(KindUnparsed) {
		dirs[e.Dir]++
	}
	if dirs[Up] != 1 || dirs[Down] > 1 {
		t.Fatalf("unparsed events by direction %v: want one upstream (and at most one downstream)", dirs)
	}
}

// peerGone sees a peer's close without reading, even with its last bytes still unread.
func TestPeerGone(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if peerGone(s) {
		t.Fatal("an open peer looks gone")
	}
	if _, err := c.Write([]byte("unread")); err != nil {
		t.Fatal(err)
	}
	c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for !peerGone(s) {
		if time.Now().After(deadline) {
			t.Fatal("a closed peer was not seen within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A reset on one side reaches the other side as a reset (ECONNRESET), not as a clean close:
// through the tap a TCP RST stays an RST, and the close says so.
func TestTapRelaysAResetAsAReset(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // a server that takes a few bytes, then resets the connection
		c, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = io.ReadFull(c, make([]byte, 10))
		_ = c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}()
	var got events
	tap, err := Listen(Config{Upstream: ln.Addr().String(), OnEvent: got.add})
	if err != nil {
		t.Fatal(err)
	}
	defer tap.Close()
	c, err := net.Dial("tcp", tap.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Read(make([]byte, 1))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the client saw %v, want a reset (ECONNRESET)", err)
	}
	c.Close()
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	cl := got.of(KindClose)
	if len(cl) != 1 || cl[0].ClosedBy != ByServer || cl[0].Err != Reset {
		t.Fatalf("close events %+v: want one by the server, a reset", cl)
	}
}
