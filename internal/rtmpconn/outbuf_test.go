package rtmpconn

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/yutopp/go-rtmp/message"
)

// frameBody is a video body of n bytes that names its connection and index in every byte.
func frameBody(conn, i, n int) []byte {
	b := bytes.Repeat([]byte{byte(conn*31 + i)}, n)
	b[0] = 0x27
	return b
}

// held is what a connection keeps of its output buffer between sends.
func held(c *Conn) (capacity int, borrowed bool) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return cap(c.out), c.borrowing()
}

// TestLargeMessagesBorrowTheirBuffer: a message larger than the buffer a connection keeps —
// written alone, queued past it, or written while held — arrives whole and in order, and after
// each send the connection holds no more than keepOut; a small message after a large one still
// goes out from the connection's own buffer.
func TestLargeMessagesBorrowTheirBuffer(t *testing.T) {
	c, s := pair(t)
	ctx := context.Background()
	video := byte(message.TypeIDVideoMessage)
	var want [][]byte
	send := func(what string, f func() error) {
		t.Helper()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n, b := held(s); n > keepOut || b {
			t.Fatalf("after %s the connection holds %d bytes (borrowed %v), want <= %d", what, n, b, keepOut)
		}
	}
	big := frameBody(0, 1, 100<<10)
	want = append(want, big)
	send("a 100 KB write", func() error { return s.WriteRaw(ctx, CSIDVideo, 40, 1, video, big) })
	small := frameBody(0, 2, 300)
	want = append(want, small)
	send("a small write", func() error { return s.WriteRaw(ctx, CSIDVideo, 80, 1, video, small) })
	if n, _ := held(s); n == 0 || n > keepOut {
		t.Fatalf("a small write left %d bytes of buffer, want its own in (0, %d]", n, keepOut)
	}
	send("queued past keepOut", func() error {
		for i := 3; i < 9; i++ {
			b := frameBody(0, i, 1500)
			want = append(want, b)
			if _, err := s.Queue(ctx, CSIDVideo, uint32(i)*40, 1, video, b); err != nil {
				return err
			}
		}
		return s.Flush(ctx)
	})
	send("written while held", func() error {
		return s.Together(ctx, func() error {
			for i := 9; i < 12; i++ {
				b := frameBody(0, i, 20<<10)
				want = append(want, b)
				if err := s.WriteRaw(ctx, CSIDVideo, uint32(i)*40, 1, video, b); err != nil {
					return err
				}
			}
			return nil
		})
	})
	for i, w := range want {
		m, err := c.Read()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !bytes.Equal(m.Payload, w) {
			t.Fatalf("message %d: %d bytes starting %x, want %d bytes starting %x", i, len(m.Payload), m.Payload[:min(4, len(m.Payload))], len(w), w[:4])
		}
	}
}

// TestConnectionsShareTheBorrowedBuffers: several connections send large messages at once;
// every message arrives whole as its own connection sent it (a buffer given back while still
// in use, or lent to two at once, would mix them — the race detector watches too), and the
// pool lends buffers again rather than making one for every send.
func TestConnectionsShareTheBorrowedBuffers(t *testing.T) {
	const conns, sends, size = 6, 40, 24 << 10
	ctx := context.Background()
	made := bigOutMade.Load()
	var wg sync.WaitGroup
	errs := make(chan error, 2*conns)
	for k := range conns {
		c, s := pair(t)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range sends {
				if err := s.WriteRaw(ctx, CSIDVideo, uint32(i)*40, 1, byte(message.TypeIDVideoMessage), frameBody(k, i, size)); err != nil {
					errs <- fmt.Errorf("connection %d send %d: %w", k, i, err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := range sends {
				m, err := c.Read()
				if err != nil {
					errs <- fmt.Errorf("connection %d read %d: %w", k, i, err)
					return
				}
				if w := frameBody(k, i, size); !bytes.Equal(m.Payload, w) {
					errs <- fmt.Errorf("connection %d message %d is not the one it sent", k, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Without the pool every send makes one; with it, about one a connection at once (the
	// race detector's pool drops a quarter of what it is given).
	if n := bigOutMade.Load() - made; n > conns*sends/2 {
		t.Fatalf("%d large buffers made for %d sends, want the pool to lend most", n, conns*sends)
	}
}
