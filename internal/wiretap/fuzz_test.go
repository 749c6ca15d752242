package wiretap

import (
	"bytes"
	"context"
	"io"
	"math"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/amf0"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// recorder relays one connection between a client and an upstream and keeps the bytes of
// each direction: a real session's bytes, for the fuzz seeds.
type recorder struct {
	ln       net.Listener
	up, down bytes.Buffer
	done     chan struct{}
}

func record(tb testing.TB, upstream string) *recorder {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	r := &recorder{ln: ln, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		c, err := ln.Accept()
		ln.Close()
		if err != nil {
			return
		}
		defer c.Close()
		s, err := net.Dial("tcp", upstream)
		if err != nil {
			return
		}
		defer s.Close()
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = io.Copy(io.MultiWriter(c, &r.down), s)
			c.Close()
		}()
		_, _ = io.Copy(io.MultiWriter(s, &r.up), c)
		s.Close()
		wg.Wait()
	}()
	return r
}

// frame frames one message on chunk stream 3 (chunks of 128 bytes).
func frame(typeID byte, ts uint32, payload []byte) []byte {
	n := len(payload)
	out := []byte{0x03, byte(ts >> 16), byte(ts >> 8), byte(ts), byte(n >> 16), byte(n >> 8), byte(n), typeID, 1, 0, 0, 0}
	for i := 0; i < n; i += 128 {
		if i > 0 {
			out = append(out, 0xc3)
		}
		out = append(out, payload[i:min(i+128, n)]...)
	}
	return out
}

func amf(tb testing.TB, vs ...any) []byte {
	b, err := amf0.Encode(vs...)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// handshake is the bytes each direction starts with; the watcher skips them.
var handshake = make([]byte, rtmpconn.HandshakeSize)

// FuzzTap throws bytes at the wire tap in both directions at once: what a client program sends
// (up) and what a server answers (down). Seeds: a real session of the scripted player with the
// reference server, recorded through a relay, and hostile patterns (a chunk size of 2^31−1
// with 8 MiB message headers, non-finite play2 numbers, an 8 MiB command). Whatever the bytes,
// the tap relays them unchanged both ways, reports the connection's close, keeps its events
// few and well-formed, and never panics or hangs. The seed corpus runs in every `go test`;
// `make fuzz-server` fuzzes for longer.
func FuzzTap(f *testing.F) {
	s := newServer(f)
	rec := record(f, s.Addr())
	play(f, rec.ln.Addr().String(), nil)
	select {
	case <-rec.done:
	case <-time.After(10 * time.Second):
		f.Fatal("the recorded session did not end")
	}
	if rec.up.Len() <= rtmpconn.HandshakeSize || rec.down.Len() <= rtmpconn.HandshakeSize {
		f.Fatalf("recorded %d bytes up and %d down: no session", rec.up.Len(), rec.down.Len())
	}
	f.Add(rec.up.Bytes(), rec.down.Bytes())
	nan, inf := math.NaN(), math.Inf(-1)
	hs := func(b ...[]byte) []byte { return bytes.Join(append([][]byte{handshake}, b...), nil) }
	setChunk := frame(1, 0, []byte{0x7f, 0xff, 0xff, 0xff})
	bigHeader := []byte{0x04, 0, 0, 0, 0x80, 0, 0, 0x09, 1, 0, 0, 0} // an 8 MiB video message, no body
	f.Add(hs(setChunk, bigHeader, bigHeader), hs(setChunk, bigHeader))
	f.Add(hs(frame(0x14, 0, amf(f, "play2", 4.0, nil, map[string]any{"streamName": "s", "offset": nan, "start": inf}))),
		hs(frame(0x14, 0, amf(f, "onStatus", 0.0, nil, map[string]any{"code": string(bytes.Repeat([]byte{0xff}, 300))}))))
	f.Add(hs(frame(0x14, 0, amf(f, "publish", 5.0, nil, string(bytes.Repeat([]byte("k"), 1<<16))))), hs(frame(9, 0xffffff, []byte{0x17, 1})))
	f.Add([]byte{3}, []byte{})

	var got events
	tap, err := Listen(Config{Upstream: "127.0.0.1:1", OnEvent: got.add, Marks: []float64{1, 2}, SampleEvery: time.Hour})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { tap.Close() })
	f.Fuzz(func(t *testing.T, up, down []byte) {
		if len(up)+len(down) > 1<<20 {
			t.Skip("inputs beyond 1 MiB")
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		tap.Switch(ln.Addr().String())
		conn := fuzzConn(t, tap, ln, up, down)
		fuzzEvents(t, &got, conn, len(up)+len(down))
	})
}

// fuzzConn makes one connection through the tap: the client sends up, the server down, each
// reads what the other sent. It returns the tap's number for the connection.
func fuzzConn(t *testing.T, tap *Tap, ln net.Listener, up, down []byte) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", tap.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deadline, _ := ctx.Deadline()
	_ = c.SetDeadline(deadline)
	// Neither side closes before both have read all the other sent: a close with unread bytes
	// is a reset, which may drop what is in flight.
	srvGot, clientDone := make(chan []byte, 1), make(chan struct{})
	defer close(clientDone)
	go func() {
		s, err := ln.Accept()
		if err != nil {
			srvGot <- nil
			return
		}
		defer s.Close()
		_ = s.SetDeadline(deadline)
		wrote := make(chan struct{})
		go func() {
			defer close(wrote)
			_, _ = s.Write(down)
		}()
		b := make([]byte, len(up))
		n, _ := io.ReadFull(s, b)
		<-wrote
		srvGot <- b[:n]
		<-clientDone
	}()
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		_, _ = c.Write(up)
	}()
	b := make([]byte, len(down))
	n, _ := io.ReadFull(c, b)
	<-wrote
	if !bytes.Equal(b[:n], down) {
		t.Fatalf("the client got %d bytes of the %d the server sent, or other bytes", n, len(down))
	}
	if sg := <-srvGot; !bytes.Equal(sg, up) {
		t.Fatalf("the server got %d bytes of the %d the client sent, or other bytes", len(sg), len(up))
	}
	tap.mu.Lock()
	n = tap.next
	tap.mu.Unlock()
	return n
}

// fuzzEvents waits for connection conn's close and checks its events.
func fuzzEvents(t *testing.T, got *events, conn, in int) {
	t.Helper()
	var mine []Event
	closed := false
	for deadline := time.Now().Add(10 * time.Second); !closed; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no close event for connection %d within 10 s", conn)
		}
		mine = mine[:0]
		got.mu.Lock()
		for _, e := range got.all {
			if e.Conn == conn {
				mine = append(mine, e)
				closed = closed || e.Kind == KindClose
			}
		}
		got.mu.Unlock()
	}
	if len(mine) > 8+in/8 {
		t.Fatalf("%d events for %d bytes", len(mine), in)
	}
	for _, e := range mine {
		switch e.Kind {
		case KindConnect, KindCommand, KindStatus, KindMedia, KindBytes, KindClose, KindJump, KindReached, KindUnparsed:
		default:
			t.Fatalf("unknown event kind %q", e.Kind)
		}
		if e.Dir != "" && e.Dir != Up && e.Dir != Down {
			t.Fatalf("event %+v: direction %q", e, e.Dir)
		}
		for _, p := range []*float64{e.Start, e.Offset, e.Media, e.Prev} {
			if p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) && e.Kind != KindCommand {
				t.Fatalf("event %+v: a number that is not finite", e)
			}
		}
	}
	got.mu.Lock()
	got.all = got.all[:0] // events of one connection at a time
	got.mu.Unlock()
}
