package fault

import (
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// A reset ends an idle connection too, at once: one that carries no byte while the reset
// holds (a server between two writes, a client that has not said hello). Toxiproxy's
// reset_peer closed a link on its next chunk only, so a connection idle through the hold
// survived it.
func TestFaultResetEndsAnIdleConnection(t *testing.T) {
	l := startLab(t, true)
	c, err := net.DialTimeout("tcp", addr(t, l), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The handshake's first half, so that the link surely exists; then the connection is idle:
	// the server waits for C2, which never comes.
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	hello := make([]byte, 1537)
	hello[0] = 3
	if _, err := c.Write(hello); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, 1+2*1536)); err != nil {
		t.Fatalf("S0+S1+S2: %v", err)
	}
	rv := apply(t, l, "rst", &Reset{RouteRef: RouteRef{Route: route}})
	defer func() {
		if err := rv(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = c.Read(make([]byte, 1))
	if !isReset(err) {
		t.Fatalf("an idle connection through the reset: want ECONNRESET, got %v", err)
	}
}
