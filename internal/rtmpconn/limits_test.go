package rtmpconn

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/yutopp/go-rtmp/message"
)

// TestReadsPastOneGiB: a healthy session that has received more than 1 GiB goes on (go-rtmp's
// reader dropped it at exactly 1.000 GiB through its acknowledgement path), and the reader
// acknowledges the window the peer announced.
func TestReadsPastOneGiB(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1.1 GiB")
	}
	client, server := pair(t)
	ctx := context.Background()
	if err := client.Write(ctx, CSIDControl, 0, 0, &message.WinAckSize{Size: 64 << 20}); err != nil {
		t.Fatal(err)
	}
	if err := client.SetChunkSize(ctx, 1<<20); err != nil {
		t.Fatal(err)
	}
	const total, size = 1100 << 20, 1 << 20
	payload := bytes.Repeat([]byte{0x27}, size)
	errc := make(chan error, 1)
	go func() {
		for sent := 0; sent < total; sent += size {
			if err := client.Write(ctx, CSIDVideo, uint32(sent/size), 1, &message.VideoMessage{Payload: bytes.NewReader(payload)}); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	acks := make(chan int, 64)
	go func() { // the client reads the server's acknowledgements
		for {
			m, err := client.Read()
			if err != nil {
				close(acks)
				return
			}
			if a, ok := m.Control.(*message.Ack); ok {
				acks <- int(a.SequenceNumber)
			}
		}
	}()
	got := 0
	for got < total {
		m, err := server.Read()
		if err != nil {
			t.Fatalf("read after %d bytes: %v", got, err)
		}
		if m.TypeID == message.TypeIDVideoMessage {
			got += len(m.Payload)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if server.BytesRead() < total {
		t.Fatalf("read %d bytes", server.BytesRead())
	}
	select {
	case a := <-acks:
		if a < 64<<20 {
			t.Fatalf("first acknowledgement at %d bytes, before the 64 MiB window", a)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no acknowledgement of the peer's window")
	}
}

// TestLimitsRefuseBeforeAllocating: a message declared past MaxMessageSize, partial messages
// past MaxBuffered and too many chunk streams are protocol errors, not allocations.
func TestLimitsRefuseBeforeAllocating(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		lim  Limits
		send func(c *Conn) error
	}{
		"message past the size limit": {Limits{MaxMessageSize: 1000}, func(c *Conn) error {
			return c.Write(ctx, CSIDVideo, 0, 1, &message.VideoMessage{Payload: bytes.NewReader(make([]byte, 1001))})
		}},
		"too many chunk streams": {Limits{MaxChunkStreams: 4}, func(c *Conn) error {
			for id := 2; id < 10; id++ {
				if err := c.Write(ctx, id, 0, 1, &message.VideoMessage{Payload: bytes.NewReader([]byte{0x27})}); err != nil {
					return err
				}
			}
			return nil
		}},
	} {
		t.Run(name, func(t *testing.T) {
			client, server := pairWith(t, tc.lim)
			go func() { _ = tc.send(client) }()
			var pe *ProtocolError
			for i := 0; i < 20; i++ {
				if _, err := server.Read(); err != nil {
					if !errors.As(err, &pe) {
						t.Fatalf("want a protocol error, got %v", err)
					}
					return
				}
			}
			t.Fatal("no refusal")
		})
	}
	// Partial messages on several chunk streams past MaxBuffered: raw chunks, each stream's
	// message left incomplete.
	client, server := pairWith(t, Limits{MaxBuffered: 500, MaxMessageSize: 2000})
	var raw bytes.Buffer
	for id := byte(3); id < 8; id++ {
		raw.Write([]byte{id, 0, 0, 0, 0, 0x07, 0xd0, 0x09, 1, 0, 0, 0}) // 2000-byte video message
		raw.Write(make([]byte, DefaultChunkSize))                       // its first chunk only
	}
	go func() { _, _ = client.nc.Write(raw.Bytes()) }()
	_, err := server.Read()
	var pe *ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("want a refusal past MaxBuffered, got %v", err)
	}
}

// TestMemoryFollowsBytesReceived: a peer that sets a 2 GiB chunk size and declares 8 MiB
// messages, then sends a few bytes of each, costs what it sent — not what it declared.
func TestMemoryFollowsBytesReceived(t *testing.T) {
	var wire bytes.Buffer
	for csid := byte(3); csid < 5; csid++ { // with that chunk size, the second header is the first message's payload
		// type 0 header on chunk stream csid: timestamp 0, length 8 MiB - 1, type 8 (audio), stream 1
		wire.Write([]byte{csid, 0, 0, 0, 0x7f, 0xff, 0xff, 8, 1, 0, 0, 0})
		wire.Write(make([]byte, 100))
	}
	cr := newChunkReader(bufio.NewReader(&wire), Limits{})
	if err := cr.setChunkSize(0x7fffffff); err != nil {
		t.Fatal(err)
	}
	if _, err := cr.next(); err == nil {
		t.Fatal("an incomplete message came out")
	}
	held := 0
	for _, cs := range cr.streams {
		held += cap(cs.buf)
	}
	if held > 2*readPiece {
		t.Fatalf("%d bytes reserved for %d received (headers declaring 8 MiB)", held, cr.buffered)
	}
	if cr.buffered != 212 {
		t.Fatalf("buffered %d, want the 212 payload bytes received", cr.buffered)
	}
}

// TestAMessageIsHeldInOneAllocation: a 7,500-byte message in 128-byte chunks (the protocol's
// default) lands in a buffer of its own size, not in one that doubled chunk by chunk; a
// message past readPiece still grows only with what arrived.
func TestAMessageIsHeldInOneAllocation(t *testing.T) {
	for _, length := range []int{7500, 3 * readPiece} {
		var wire bytes.Buffer
		wire.Write([]byte{6, 0, 0, 0, byte(length >> 16), byte(length >> 8), byte(length), 9, 1, 0, 0, 0})
		for sent := 0; sent < length; sent += DefaultChunkSize {
			if sent > 0 {
				wire.WriteByte(0xC0 | 6)
			}
			wire.Write(bytes.Repeat([]byte{1}, min(DefaultChunkSize, length-sent)))
		}
		cr := newChunkReader(bufio.NewReader(&wire), Limits{})
		m, err := cr.next()
		if err != nil {
			t.Fatal(err)
		}
		if len(m.payload) != length {
			t.Fatalf("payload of %d bytes, want %d", len(m.payload), length)
		}
		if length <= readPiece && cap(m.payload) != length {
			t.Fatalf("a %d-byte message held in %d bytes, want its own size", length, cap(m.payload))
		}
	}
}
