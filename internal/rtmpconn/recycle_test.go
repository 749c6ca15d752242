package rtmpconn

import (
	"bufio"
	"bytes"
	"context"
	"testing"

	"github.com/yutopp/go-rtmp/message"
)

// TestRecycleLendsThePayloadToTheNextMessage: a media payload given back is the room the next
// media message is read into, and what that message holds is its own bytes; commands and
// data messages are not taken back.
func TestRecycleLendsThePayloadToTheNextMessage(t *testing.T) {
	c, s := pair(t)
	ctx := context.Background()
	first := bytes.Repeat([]byte{7}, 900)
	second := bytes.Repeat([]byte{9}, 800)
	for _, p := range [][]byte{first, second} {
		if err := c.WriteRaw(ctx, CSIDVideo, 40, 1, byte(message.TypeIDVideoMessage), p); err != nil {
			t.Fatal(err)
		}
	}
	m1, err := s.Read()
	if err != nil || !bytes.Equal(m1.Payload, first) {
		t.Fatalf("first: %v, %d bytes", err, len(m1.Payload))
	}
	room := &m1.Payload[:1][0]
	s.Recycle(m1)
	if m1.Payload != nil {
		t.Fatal("a recycled message still shows its payload")
	}
	m2, err := s.Read()
	if err != nil || !bytes.Equal(m2.Payload, second) {
		t.Fatalf("second: %v, %d bytes", err, len(m2.Payload))
	}
	if &m2.Payload[0] != room {
		t.Fatal("the second message was not read into the first one's room")
	}

	// A data message is not taken back: its payload is a view into the AMF it was decoded from.
	if err := c.WriteRaw(ctx, CSIDData, 0, 1, byte(message.TypeIDDataMessageAMF0), []byte{2, 0, 1, 'x'}); err != nil {
		t.Fatal(err)
	}
	d, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	s.Recycle(d)
	if d.Payload == nil || len(s.cr.spare) != 0 {
		t.Fatalf("a data message was recycled: payload %v, %d spare", d.Payload, len(s.cr.spare))
	}
}

// TestRecycleKeepsLittle: a connection keeps at most maxSpare payloads of at most
// maxSpareSize between messages, whatever is given back.
func TestRecycleKeepsLittle(t *testing.T) {
	cr := newChunkReader(nil, Limits{})
	cr.giveBack(make([]byte, 10, maxSpareSize+1))
	if len(cr.spare) != 0 {
		t.Fatal("a payload over maxSpareSize was kept")
	}
	for range 5 {
		cr.giveBack(make([]byte, 10, 100))
	}
	if len(cr.spare) != maxSpare {
		t.Fatalf("%d spare payloads kept, want %d", len(cr.spare), maxSpare)
	}
	if b := cr.room(200); cap(b) != 200 || len(cr.spare) != maxSpare {
		t.Fatalf("room for 200 from spares of 100: cap %d, %d spare left", cap(b), len(cr.spare))
	}
	if b := cr.room(50); cap(b) != 100 || len(b) != 0 || len(cr.spare) != maxSpare-1 {
		t.Fatalf("room for 50: cap %d len %d, %d spare left", cap(b), len(b), len(cr.spare))
	}
}

// TestReadToWithRecycleAllocatesNothing: a reader that reads every media message into one
// Message and gives each payload back reads a stream of frames with no allocation a frame.
func TestReadToWithRecycleAllocatesNothing(t *testing.T) {
	const frames, size = 300, 100
	var in []byte
	for i := range frames {
		in = append(in, 0x06, 0, 0, byte(i), 0, 0, size, byte(message.TypeIDVideoMessage), 1, 0, 0, 0)
		in = append(in, bytes.Repeat([]byte{byte(i)}, size)...)
	}
	c := &Conn{chunkSize: DefaultChunkSize, nc: &countingConn{}}
	c.cr = newChunkReader(bufio.NewReader(bytes.NewReader(in)), Limits{})
	var m Message
	read := func() {
		if err := c.ReadTo(&m); err != nil {
			t.Fatal(err)
		}
		c.Recycle(&m)
	}
	read() // the first payload's room, and the chunk stream's state
	if allocs := testing.AllocsPerRun(frames-2, read); allocs != 0 {
		t.Fatalf("%.1f allocations a frame, want 0", allocs)
	}
	if m.TypeID != message.TypeIDVideoMessage || m.Timestamp != (frames-1)%256 { // the timestamp's low byte is the frame's number
		t.Fatalf("the last message read: %+v", m)
	}
}
