package rtmpconn

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// writeCounter counts the writes made on a connection.
type writeCounter struct {
	net.Conn
	writes int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.writes++
	return w.Conn.Write(p)
}

// TestClientHandshakeWritesC0C1AndC2Once: the client's handshake goes out in two writes
// (C0+C1, then C2), not the seven go-rtmp makes, and completes against our server side;
// what the server sends after S2 stays in the reader for the session.
func TestClientHandshakeWritesC0C1AndC2Once(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	_ = a.SetDeadline(time.Now().Add(5 * time.Second))
	_ = b.SetDeadline(time.Now().Add(5 * time.Second))
	served := make(chan error, 1)
	go func() {
		err := serverHandshake(b)
		if err == nil {
			_, err = b.Write([]byte("after")) // the session's first bytes
		}
		served <- err
	}()
	c := &writeCounter{Conn: a}
	br := bufio.NewReader(c)
	if err := clientHandshake(c, br); err != nil {
		t.Fatal(err)
	}
	if c.writes != 2 {
		t.Fatalf("the handshake took %d writes, want 2 (C0+C1, C2)", c.writes)
	}
	got := make([]byte, 5)
	if _, err := br.Read(got); err != nil || string(got) != "after" {
		t.Fatalf("read %q, %v after the handshake, want \"after\"", got, err)
	}
	if err := <-served; err != nil {
		t.Fatal(err)
	}
}
