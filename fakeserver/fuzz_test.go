package fakeserver

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/yutopp/go-rtmp/handshake"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// fuzzServer is a reference server that is never started: the fuzz targets hand it
// connections directly.
func fuzzServer(tb testing.TB) *Server {
	tb.Helper()
	s, err := New(Config{Streams: []media.Spec{{Name: "s", Duration: time.Second, FPS: 25, KeyframeInterval: time.Second}},
		IdleTimeout: time.Second, Conn: rtmpconn.Options{HandshakeTimeout: time.Second, WriteTimeout: time.Second}})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// fuzzSession runs one server session on a loopback connection whose client end completes
// the handshake (when handshaken), sends in and closes; whatever the server writes is
// drained. It fails when the session is not over within 5 s of its client closing, and
// reports whether the session got past the handshake (so a target knows it reached the
// message path).
func fuzzSession(t *testing.T, s *Server, ln net.Listener, handshaken bool, in []byte) bool {
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	ss := newSession(s, server, "fuzz")
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		defer close(done)
		ss.run(ctx)
	}()
	go func() {
		defer client.Close()
		_ = client.SetDeadline(time.Now().Add(5 * time.Second))
		if handshaken {
			if err := handshake.HandshakeWithServer(client, client, &handshake.Config{}); err != nil {
				return
			}
		}
		go func() { _, _ = io.Copy(io.Discard, client) }()
		_, _ = client.Write(in)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the session did not end within 5 s of its client closing")
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.conn != nil
}

// listen is a loopback listener closed with the test.
func listen(tb testing.TB) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	return ln
}

// FuzzServerSession throws bytes at a server session after a good handshake: real sessions
// recorded from ffmpeg and rtmpdump (testdata/fuzz), and the inputs that once crashed the
// server (a strict array declaring 0x7fffffff elements, a million nested objects, a 16 MiB
// message, chunk stream ids past 320). No input may crash the process, leak the session or
// make it outlive its client. The seed corpus runs in every `go test`; `make fuzz-server`
// fuzzes for longer.
func FuzzServerSession(f *testing.F) {
	cmd := func(body []byte) []byte { return commandBytes(f, body) }
	f.Add(cmd([]byte{0x0a, 0x7f, 0xff, 0xff, 0xff}))
	f.Add(cmd(bytes.Repeat([]byte{0x03, 0, 1, 'a'}, 100000)))
	f.Add([]byte{0x03, 0, 0, 0, 0xff, 0xff, 0xff, 0x14, 0, 0, 0, 0, 0x02})
	f.Add(manyChunkStreams(400))
	f.Add([]byte{0x01, 0xff, 0xff, 0, 0, 0, 0, 0, 1, 0x14, 0, 0, 0, 0, 0x05})
	s, ln := fuzzServer(f), listen(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		if !fuzzSession(t, s, ln, true, in) {
			t.Fatal("the session never got past the handshake: the input did not reach the message path")
		}
	})
}

// FuzzHandshake throws bytes at the server's side of the handshake (C0, C1, C2 and beyond).
func FuzzHandshake(f *testing.F) {
	c0c1 := append([]byte{3}, make([]byte, 1536)...)
	f.Add(c0c1)
	f.Add(append(append([]byte{}, c0c1...), make([]byte, 1536)...))
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte{6})
	s, ln := fuzzServer(f), listen(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzSession(t, s, ln, false, in)
	})
}

// commandBytes frames body after a "connect" name and transaction 1 as one AMF0 command
// message on chunk stream 3, in 128-byte chunks.
func commandBytes(tb testing.TB, body []byte) []byte {
	head, err := encodeAMF("connect", 1.0)
	if err != nil {
		tb.Fatal(err)
	}
	msg := append(readAll(head), body...)
	var out bytes.Buffer
	n := len(msg)
	out.Write([]byte{0x03, 0, 0, 0, byte(n >> 16), byte(n >> 8), byte(n), 0x14, 0, 0, 0, 0})
	for i := 0; i < n; i += 128 {
		if i > 0 {
			out.WriteByte(0xc3)
		}
		out.Write(msg[i:min(i+128, n)])
	}
	return out.Bytes()
}
