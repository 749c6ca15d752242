package rtmpconn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/yutopp/go-rtmp/handshake"
	"github.com/yutopp/go-rtmp/message"
)

// pair returns a connected client and server Conn over loopback.
func pair(t *testing.T) (client, server *Conn) {
	t.Helper()
	return pairWith(t, Limits{})
}

// pairWith connects a client to a server whose connection has the given limits.
func pairWith(t *testing.T, lim Limits) (client, server *Conn) {
	t.Helper()
	return pairOpts(t, Options{Limits: lim})
}

// pairOpts connects a client to a server whose connection has the given options.
func pairOpts(t *testing.T, server Options) (client, srv *Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	type res struct {
		c   *Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			ch <- res{nil, err}
			return
		}
		c, err := Accept(ctx, nc, server)
		ch <- res{c, err}
	}()
	client, err = Dial(ctx, ln.Addr().String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { client.Close(); r.c.Close() })
	return client, r.c
}

func TestCommandAndMediaRoundTrip(t *testing.T) {
	c, s := pair(t)
	ctx := context.Background()
	if err := c.WriteCommand(ctx, CSIDCommand, 0, "connect", 1, map[string]any{"app": "vod"}); err != nil {
		t.Fatal(err)
	}
	m, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	if m.Command == nil || m.Command.Name != "connect" || m.Command.TransactionID != 1 {
		t.Fatalf("got %+v", m)
	}
	if obj, _ := m.Command.Arg(0).(map[string]any); obj["app"] != "vod" {
		t.Fatalf("args %+v", m.Command.Args)
	}
	// play2 is unknown to go-rtmp's body decoders; it must arrive intact here.
	opts := map[string]any{"streamName": "a", "transition": "resume", "offset": 7.04}
	if err := c.WriteCommand(ctx, CSIDData, 1, "play2", 0, nil, opts); err != nil {
		t.Fatal(err)
	}
	m, err = s.Read()
	if err != nil || m.Command.Name != "play2" || m.StreamID != 1 {
		t.Fatalf("got %+v %v", m, err)
	}
	if o, _ := m.Command.Arg(1).(map[string]any); o["offset"] != 7.04 || o["transition"] != "resume" {
		t.Fatalf("play2 options %+v", m.Command.Args)
	}

	// A large video message across a chunk-size change and an extended timestamp.
	big := bytes.Repeat([]byte{1, 2, 3, 4, 5}, 3000)
	for _, size := range []uint32{0, 4096} {
		if size > 0 {
			if err := s.SetChunkSize(ctx, size); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Write(ctx, CSIDVideo, 0x1000000, 1, &message.VideoMessage{Payload: bytes.NewReader(big)}); err != nil {
			t.Fatal(err)
		}
		for {
			m, err = c.Read()
			if err != nil {
				t.Fatal(err)
			}
			if m.TypeID == message.TypeIDVideoMessage {
				break
			}
		}
		if !bytes.Equal(m.Payload, big) || m.Timestamp != 0x1000000 || m.StreamID != 1 {
			t.Fatalf("chunk size %d: payload %d bytes ts %d", size, len(m.Payload), m.Timestamp)
		}
	}
	if s.BytesWritten() < int64(2*len(big)) || c.BytesRead() != s.BytesWritten() {
		t.Fatalf("counters: server out %d, client in %d", s.BytesWritten(), c.BytesRead())
	}
}

func TestUndecodableMessageIsSkipped(t *testing.T) {
	c, s := pair(t)
	ctx := context.Background()
	// An AMF0 data message whose name is a number: go-rtmp cannot decode it.
	c.wmu.Lock()
	err := c.writeChunksLocked(ctx, CSIDData, 0, 1, byte(message.TypeIDDataMessageAMF0), []byte{0x00, 0x40, 0, 0, 0, 0, 0, 0, 0})
	c.wmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteCommand(ctx, CSIDCommand, 0, "createStream", 2, nil); err != nil {
		t.Fatal(err)
	}
	_, err = s.Read()
	var de *DecodeError
	if !asDecodeError(err, &de) {
		t.Fatalf("want DecodeError, got %v", err)
	}
	m, err := s.Read()
	if err != nil || m.Command.Name != "createStream" {
		t.Fatalf("connection not usable after a bad message: %+v %v", m, err)
	}
}

func asDecodeError(err error, de **DecodeError) bool {
	d, ok := err.(*DecodeError)
	*de = d
	return ok
}

// rawServer handshakes with a Dial'ed client and then writes raw bytes.
func rawServer(t *testing.T, raw []byte) *Conn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		if handshake.HandshakeWithClient(nc, nc, &handshake.Config{SkipHandshakeVerification: true}) != nil {
			return
		}
		_, _ = nc.Write(raw)
		time.Sleep(100 * time.Millisecond)
	}()
	c, err := Dial(context.Background(), ln.Addr().String(), Options{ReadTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestMalformedStreamsAreErrorsNotPanics(t *testing.T) {
	cases := map[string][]byte{
		"zero-length message": {0x03, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0},
		"chunk size zero":     {0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0, 0, 0, 0},
		"truncated header":    {0x03, 0, 0},
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			c := rawServer(t, raw)
			for i := 0; i < 2*maxDecodeErrors+2; i++ {
				_, err := c.Read()
				if err == nil {
					continue
				}
				if _, skip := err.(*DecodeError); skip {
					continue
				}
				return // fatal error, as wanted
			}
			t.Fatal("malformed stream never produced a fatal error")
		})
	}
}

func TestHandshakeBoundedByContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accepts and says nothing
		nc, err := ln.Accept()
		if err == nil {
			time.Sleep(time.Second)
			nc.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := Dial(ctx, ln.Addr().String(), Options{}); err == nil {
		t.Fatal("handshake with a silent server must fail")
	}
}

// A playback stopped by cancelling its context must not leave the connection unusable for
// the next writer (the play2 transition that stopped it answers on the same connection).
func TestCancelledWriteLeavesTheConnectionUsable(t *testing.T) {
	c, s := pair(t)
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.WriteCommand(gone, CSIDCommand, 0, "onStatus", 0, nil, map[string]any{"code": "never sent"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a write with a cancelled context: %v, want context.Canceled", err)
	}
	// Cancelled while the write is under way, many times over: each write either completes
	// whole or is not sent at all, and never breaks the ones after it.
	type count struct{ videos, statuses int }
	got := make(chan count, 1)
	go func() {
		var n count
		defer func() { got <- n }()
		for n.statuses < 200 {
			m, err := c.Read()
			if err != nil {
				t.Errorf("read after %d statuses: %v", n.statuses, err)
				return
			}
			switch {
			case m.TypeID == message.TypeIDVideoMessage:
				if len(m.Payload) != 20000 {
					t.Errorf("a video message of %d bytes, want 20000, whole", len(m.Payload))
				}
				n.videos++
			case m.Command != nil && m.Command.Name == "onStatus":
				n.statuses++
			}
		}
	}()
	ctx := context.Background()
	big := bytes.Repeat([]byte{7}, 20000)
	sent := 0
	for i := range 200 {
		wctx, wcancel := context.WithCancel(ctx)
		go wcancel()
		if err := s.Write(wctx, CSIDVideo, uint32(i), 1, &message.VideoMessage{Payload: bytes.NewReader(big)}); err == nil {
			sent++
		} else if !errors.Is(err, context.Canceled) {
			t.Fatalf("write %d: %v", i, err)
		}
		if err := s.WriteCommand(ctx, CSIDCommand, 0, "onStatus", 0, nil, map[string]any{"code": "after"}); err != nil {
			t.Fatalf("the write after a cancelled one (%d) failed: %v", i, err)
		}
	}
	n := <-got
	if n.videos != sent {
		t.Fatalf("the peer read %d video messages, the writer reported %d sent", n.videos, sent)
	}
	t.Logf("%d of 200 cancelled writes went out whole, the rest not at all", sent)
}

// A write stopped part-way (a peer that reads nothing) leaves a broken stream: the
// connection is closed and later writes say why instead of sending garbage.
func TestWriteStoppedPartWayClosesTheConnection(t *testing.T) {
	c, s := pair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	big := bytes.Repeat([]byte{7}, 60000)
	var err error
	for i := 0; err == nil && i < 10000; i++ { // the peer reads nothing: the buffers fill
		err = s.Write(ctx, CSIDVideo, uint32(i), 1, &message.VideoMessage{Payload: bytes.NewReader(big)})
	}
	if err == nil {
		t.Fatal("10000 writes of 60 KB to a peer that reads nothing all succeeded")
	}
	after := s.WriteCommand(context.Background(), CSIDCommand, 0, "onStatus", 0, nil, map[string]any{"code": "x"})
	if after == nil || !strings.Contains(after.Error(), "connection unusable") {
		t.Fatalf("first failure %v; the write after it: %v, want a connection unusable error", err, after)
	}
	for i := 0; ; i++ { // the peer drains what arrived, then sees the end of the stream
		if _, rerr := c.Read(); rerr != nil {
			break
		}
		if i == 100000 {
			t.Fatal("the peer still reads messages after 100000: the connection was not closed")
		}
	}
}

// TestQueueSendsInOrderOnFlushOrNextWrite: queued messages are not sent until Flush or the
// next write, then arrive whole and in order, in one system call with it.
func TestQueueSendsInOrderOnFlushOrNextWrite(t *testing.T) {
	c, s := pair(t)
	ctx := context.Background()
	before := s.BytesWritten() // the handshake
	for i := byte(1); i <= 3; i++ {
		if n, err := s.Queue(ctx, CSIDVideo, uint32(i)*40, 1, byte(message.TypeIDVideoMessage), []byte{0x17, 1, 0, 0, 0, i}); err != nil || n != int(i) {
			t.Fatalf("queue %d: %d queued, %v", i, n, err)
		}
	}
	if sent := s.BytesWritten() - before; sent != 0 {
		t.Fatalf("%d bytes sent before the flush", sent)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Queue(ctx, CSIDAudio, 160, 1, byte(message.TypeIDAudioMessage), []byte{0xaf, 1, 4}); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteCommand(ctx, CSIDData, 1, "onStatus", 0, nil, map[string]any{"code": "x"}); err != nil {
		t.Fatal(err)
	}
	got := readDescribed(t, c, 5)
	want := []string{"9@40:1", "9@80:2", "9@120:3", "8@160:4", "onStatus"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("received %v, want %v", got, want)
	}
}

// TestTogetherSendsEveryWriteAtTheEnd: while held (holds nest, as Together inside Together
// would), writes of every kind, a chunk size change among them, send nothing; the last
// release sends them all, in order, with the chunk size applied from its message on. A
// release without a hold is an error; Together returns what its function returned.
func TestTogetherSendsEveryWriteAtTheEnd(t *testing.T) {
	c, s := pair(t)
	ctx := context.Background()
	before := s.BytesWritten()
	s.hold()
	err := s.Together(ctx, func() error {
		if err := s.WriteCommand(ctx, CSIDCommand, 0, "_result", 1, nil, map[string]any{"code": "a"}); err != nil {
			return err
		}
		if err := s.SetChunkSize(ctx, 64); err != nil {
			return err
		}
		body := bytes.Repeat([]byte{0x17}, 200) // three chunks of 64 and one of 8 at the new size
		return s.WriteRaw(ctx, CSIDVideo, 40, 1, byte(message.TypeIDVideoMessage), body)
	})
	if err != nil {
		t.Fatal(err)
	}
	if sent := s.BytesWritten() - before; sent != 0 {
		t.Fatalf("%d bytes sent while a hold remained", sent)
	}
	if err := s.release(ctx); err != nil {
		t.Fatal(err)
	}
	if s.BytesWritten() == before {
		t.Fatal("nothing sent at the last release")
	}
	got := readDescribed(t, c, 2)
	if want := "_result video@40:17 (200 bytes)"; strings.Join(got, " ") != want {
		t.Fatalf("received %v, want %s", got, want)
	}
	if err := s.release(ctx); err == nil {
		t.Fatal("a release without a hold was not an error")
	}
	failed := errors.New("failed")
	if err := s.Together(ctx, func() error { return failed }); err != failed {
		t.Fatalf("Together returned %v, want its function's error", err)
	}
}

// readDescribed reads n commands and media messages from c, each as a command's name or
// "type@timestamp:last payload byte" (with the payload's length for a long video message).
func readDescribed(t *testing.T, c *Conn, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		m, err := c.Read()
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case m.Command != nil:
			got = append(got, m.Command.Name)
		case len(m.Payload) == 0: // a control message (a chunk size): not counted
		case m.TypeID == message.TypeIDVideoMessage && len(m.Payload) > 6:
			got = append(got, fmt.Sprintf("video@%d:%x (%d bytes)", m.Timestamp, m.Payload[len(m.Payload)-1], len(m.Payload)))
		default:
			got = append(got, fmt.Sprintf("%d@%d:%x", m.TypeID, m.Timestamp, m.Payload[len(m.Payload)-1]))
		}
	}
	return got
}
