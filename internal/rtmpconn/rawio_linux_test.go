//go:build linux

package rtmpconn

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tcpPair returns two ends of a loopback TCP connection, the first read and written raw.
func tcpPair(t *testing.T) (raw net.Conn, peer *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			c = nil
		}
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	p := <-accepted
	if p == nil {
		t.Fatal("accept failed")
	}
	raw = rawIO(c)
	if _, ok := raw.(*rawTCP); !ok {
		t.Fatalf("rawIO(%T) = %T, want *rawTCP", c, raw)
	}
	t.Cleanup(func() { raw.Close(); p.Close() })
	return raw, p.(*net.TCPConn)
}

func TestRawTCPCarriesBytesBothWaysThroughFullBuffers(t *testing.T) {
	raw, peer := tcpPair(t)
	// Small buffers: the one write finds the socket full (EAGAIN) and waits for the peer.
	_ = peer.SetReadBuffer(64 << 10)
	_ = raw.(*rawTCP).SetWriteBuffer(64 << 10)
	want := make([]byte, 4<<20)
	for i := range want {
		want[i] = byte(i * 7)
	}
	got := make(chan []byte, 1)
	go func() {
		var b bytes.Buffer
		buf := make([]byte, 32<<10)
		for b.Len() < len(want) {
			n, err := peer.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		got <- b.Bytes()
	}()
	if n, err := raw.Write(want); n != len(want) || err != nil {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(want))
	}
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("the peer read %d bytes, not the %d written, or not the same", len(b), len(want))
	}
	if _, err := peer.Write([]byte("back")); err != nil {
		t.Fatal(err)
	}
	_ = peer.CloseWrite()
	back, err := io.ReadAll(raw)
	if string(back) != "back" || err != nil {
		t.Fatalf("ReadAll = %q, %v; want \"back\" and the end (io.EOF) at the peer's close", back, err)
	}
	if n, err := raw.Read(nil); n != 0 || err != nil {
		t.Fatalf("Read(nil) = %d, %v", n, err)
	}
}

func TestRawTCPErrorsAreTheNetPackagesOwn(t *testing.T) {
	raw, peer := tcpPair(t)
	_ = raw.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, err := raw.Read(make([]byte, 10))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() || !strings.HasPrefix(err.Error(), "read tcp") {
		t.Fatalf("read past the deadline: %v", err)
	}
	_ = raw.SetReadDeadline(time.Time{})

	// A peer that reads nothing: the write stops at the deadline, saying how much went out.
	// The buffer is made first, and the deadline leaves time for the first write(2): zeroing
	// 64 MB took longer than a 50 ms deadline on a busy machine, which then expired before
	// anything was written (n = 0).
	big := make([]byte, 64<<20)
	_ = raw.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
	n, err := raw.Write(big)
	if !errors.Is(err, os.ErrDeadlineExceeded) || n <= 0 || n >= 64<<20 || !strings.HasPrefix(err.Error(), "write tcp") {
		t.Fatalf("write past the deadline = %d, %v; want part of it and a timeout", n, err)
	}

	_ = peer.SetLinger(0)
	_ = peer.Close() // a reset
	_, err = io.Copy(io.Discard, raw)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read from a reset connection: %v, want ECONNRESET", err)
	}
	_ = raw.Close()
	if _, err := raw.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read from a closed connection: %v, want net.ErrClosed", err)
	}
	if _, err := raw.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("write to a closed connection: %v, want net.ErrClosed", err)
	}
}

// sharedBeforeWrite is written before a socket write and read after the matching read, in
// different goroutines: ordered only by the socket.
var sharedBeforeWrite int

func TestRawTCPOrdersAWriteBeforeItsReadForTheRaceDetector(t *testing.T) {
	a, b := tcpPair(t)
	rawB := rawIO(b)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sharedBeforeWrite = 42
		_, _ = a.Write([]byte{1})
	}()
	if _, err := io.ReadFull(rawB, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	if sharedBeforeWrite != 42 { // under -race: reported as a race without raceRelease/raceAcquire
		t.Fatalf("the write's effects were not seen: %d", sharedBeforeWrite)
	}
	<-done
}

func TestRawIOLeavesAWrappedConnectionAlone(t *testing.T) {
	c1, c2 := net.Pipe()
	defer c1.Close()
	defer c2.Close()
	if got := rawIO(c1); got != c1 {
		t.Fatalf("rawIO(net.Pipe) = %T, want the connection itself", got)
	}
	raw, _ := tcpPair(t)
	if TCP(raw) == nil {
		t.Fatal("TCP does not find the TCP connection under rawTCP (Abort needs it)")
	}
}

func TestRawTCPAllocatesNothingPerCall(t *testing.T) {
	raw, peer := tcpPair(t)
	msg, buf := []byte("0123456789"), make([]byte, 10)
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := raw.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(peer, buf); err != nil {
			t.Fatal(err)
		}
		if _, err := peer.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(raw, buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per write and read, want none", allocs)
	}
}

func TestASessionWithRawSyscallsCarriesMessages(t *testing.T) {
	c, s := pairOpts(t, Options{RawSyscalls: true})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, ok := s.nc.Conn.(*rawTCP); !ok {
		t.Fatalf("the server's socket is %T with RawSyscalls, want *rawTCP", s.nc.Conn)
	}
	if _, ok := c.nc.Conn.(*rawTCP); ok {
		t.Fatal("the client's socket is raw without RawSyscalls")
	}
	body := bytes.Repeat([]byte{0x17, 1, 2, 3}, 5000) // past a chunk and a read buffer
	if err := c.WriteCommand(ctx, 3, 0, "connect", 1, map[string]any{"app": "live"}); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteRaw(ctx, 6, 40, 1, 9, body); err != nil {
		t.Fatal(err)
	}
	m, err := s.Read()
	if err != nil || m.Command == nil || m.Command.Name != "connect" {
		t.Fatalf("first message: %+v, %v; want connect", m, err)
	}
	if m, err = s.Read(); err != nil || m.TypeID != 9 || !bytes.Equal(m.Payload, body) {
		t.Fatalf("second message: %v; want the video body of %d bytes", err, len(body))
	}
	if _, err := s.Queue(ctx, 6, 80, 1, 9, body); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if m, err = c.Read(); err != nil || m.Timestamp != 80 || !bytes.Equal(m.Payload, body) {
		t.Fatalf("the server's message: %v; want the body back at 80 ms", err)
	}
	if s.BytesRead() != c.BytesWritten() || c.BytesRead() != s.BytesWritten() {
		t.Fatalf("bytes counted: server read %d of %d written, client %d of %d", s.BytesRead(), c.BytesWritten(), c.BytesRead(), s.BytesWritten())
	}
}
