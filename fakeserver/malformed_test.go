package fakeserver

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/yutopp/go-amf0"
	rtmp "github.com/yutopp/go-rtmp"
	"github.com/yutopp/go-rtmp/handshake"
	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// rawSession opens a TCP connection to the server, optionally handshakes, and writes raw.
func rawSession(t *testing.T, addr string, handshaken bool, raw []byte) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if handshaken {
		if err := handshake.HandshakeWithServer(c, c, &handshake.Config{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Write(raw); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestServerSurvivesMalformedRTMP throws broken input at the server: input that breaks the
// chunk stream ends the session; a single undecodable message is skipped and the session stays
// usable; a truncated message waits for its bytes. Through all of it the server keeps serving
// other clients and shuts down promptly.
func TestServerSurvivesMalformedRTMP(t *testing.T) {
	s, rec := startServer(t, 2*time.Second)

	t.Run("fatal input ends the session", func(t *testing.T) {
		for name, in := range map[string]struct {
			handshaken bool
			raw        []byte
		}{
			"garbage instead of a handshake": {false, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + string(make([]byte, 1600)))},
			"chunk size zero":                {true, []byte{0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}},
			// A command whose strict array declares 0x7fffffff elements (go-amf0 asked for
			// 32 GiB: a fatal error that took the process down).
			"strict array of 0x7fffffff": {true, command(t, []byte{0x0a, 0x7f, 0xff, 0xff, 0xff})},
			// 1,000,000 nested objects (go-amf0 recursed into a stack overflow).
			"1e6 nested objects": {true, command(t, bytes.Repeat([]byte{0x03, 0, 1, 'a'}, 1000000))},
			// A message declaring 16 MiB, past the 8 MiB limit.
			"16 MiB message": {true, []byte{0x03, 0, 0, 0, 0xff, 0xff, 0xff, 0x14, 0, 0, 0, 0, 0x02}},
			// 100 chunk streams, past the limit of 64.
			"100 chunk streams": {true, manyChunkStreams(100)},
		} {
			c := rawSession(t, s.Addr(), in.handshaken, in.raw)
			buf := make([]byte, 4096)
			for {
				if _, err := c.Read(buf); err != nil {
					if ne, ok := err.(net.Error); ok && ne.Timeout() {
						t.Fatalf("%s: the server kept the broken session open", name)
					}
					break // closed by the server
				}
			}
		}
	})

	t.Run("an undecodable message is skipped", func(t *testing.T) {
		for name, raw := range map[string][]byte{
			"zero-length message":      {0x03, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0},
			"AMF garbage in a command": {0x03, 0, 0, 0, 0, 0, 5, 0x14, 0, 0, 0, 0, 0xff, 0xfe, 0xfd, 0xfc, 0xfb},
		} {
			c := rawSession(t, s.Addr(), true, raw)
			// The same session still answers a proper connect.
			cs := rtmp.NewChunkStreamer(bufio.NewReader(c), bufio.NewWriter(c), nil)
			cmd := &rtmp.ChunkMessage{Message: &message.CommandMessage{CommandName: "connect", TransactionID: 1,
				Encoding: message.EncodingTypeAMF0, Body: amfObject(t, map[string]any{"app": "vod"})}}
			if err := cs.Write(context.Background(), rtmpconn.CSIDCommand, 0, cmd); err != nil {
				t.Fatal(err)
			}
			answered := false
			for i := 0; i < 32 && !answered; i++ {
				var m rtmp.ChunkMessage
				if _, _, err := cs.Read(&m); err != nil {
					t.Fatalf("%s: session unusable after the bad message: %v", name, err)
				}
				switch v := m.Message.(type) {
				case *message.SetChunkSize:
					_ = cs.PeerState().SetChunkSize(v.ChunkSize)
				case *message.CommandMessage:
					answered = v.CommandName == "_result"
				}
			}
			_ = cs.Close()
			if !answered {
				t.Fatalf("%s: connect not answered", name)
			}
		}
	})

	// A truncated message: the session waits for the rest (bounded by the client or shutdown).
	rawSession(t, s.Addr(), true, []byte{0x47, 0x99, 0x01, 0xff, 0x00, 0x00, 0x12, 0x34, 0x56})

	// Other clients are still served.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := rtmpconn.Dial(ctx, s.Addr(), rtmpconn.Options{ReadTimeout: 3 * time.Second})
	if err != nil {
		t.Fatalf("server no longer accepts: %v", err)
	}
	defer c.Close()
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "connect", 1, map[string]any{"app": "vod"}); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := c.Read()
		if err != nil {
			t.Fatalf("no connect result: %v", err)
		}
		if m.Command != nil && m.Command.Name == "_result" {
			break
		}
	}
	if _, ok := rec.find(EventError); !ok {
		t.Error("broken input should be logged as errors")
	}
	// Shutdown is prompt even with the truncated session still open.
	done := make(chan error, 1)
	go func() { done <- s.Shutdown() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown blocked on a broken session")
	}
}

func amfObject(t *testing.T, v map[string]any) *bytes.Reader {
	t.Helper()
	b, err := encodeAMF(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encodeAMF(vs ...any) (*bytes.Reader, error) {
	var buf bytes.Buffer
	enc := amf0.NewEncoder(&buf)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
	}
	return bytes.NewReader(buf.Bytes()), nil
}

// command frames body, after a "connect" name and transaction 1, as an AMF0 command message.
func command(t *testing.T, body []byte) []byte { return commandBytes(t, body) }

func readAll(r *bytes.Reader) []byte {
	b := make([]byte, r.Len())
	_, _ = r.Read(b)
	return b
}

// manyChunkStreams starts n chunk streams (ids 3..n+2), each with a 1-byte message.
func manyChunkStreams(n int) []byte {
	var out bytes.Buffer
	for i := 0; i < n; i++ {
		id := 3 + i
		if id < 64 {
			out.WriteByte(byte(id))
		} else {
			out.Write([]byte{0, byte(id - 64)})
		}
		out.Write([]byte{0, 0, 0, 0, 0, 1, 0x08, 1, 0, 0, 0, 0xaf})
	}
	return out.Bytes()
}

// TestThreeByteChunkStreamIDs: a connect on chunk stream 400 (a 3-byte basic header, which
// go-rtmp's reader misread) is answered.
func TestThreeByteChunkStreamIDs(t *testing.T) {
	s, _ := startServer(t, time.Second)
	head, err := encodeAMF("connect", 1.0, map[string]any{"app": "vod"})
	if err != nil {
		t.Fatal(err)
	}
	msg := readAll(head)
	id := 400 - 64
	raw := append([]byte{0x01, byte(id), byte(id >> 8), 0, 0, 0, 0, 0, byte(len(msg)), 0x14, 0, 0, 0, 0}, msg...)
	c := rawSession(t, s.Addr(), true, raw)
	cs := rtmp.NewChunkStreamer(bufio.NewReader(c), bufio.NewWriter(c), nil)
	defer cs.Close()
	for i := 0; i < 32; i++ {
		var m rtmp.ChunkMessage
		if _, _, err := cs.Read(&m); err != nil {
			t.Fatalf("no answer: %v", err)
		}
		switch v := m.Message.(type) {
		case *message.SetChunkSize:
			_ = cs.PeerState().SetChunkSize(v.ChunkSize)
		case *message.CommandMessage:
			if v.CommandName == "_result" {
				return
			}
		}
	}
	t.Fatal("connect on chunk stream 400 not answered")
}
