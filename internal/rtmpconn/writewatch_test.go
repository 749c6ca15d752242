package rtmpconn

import (
	"context"
	"net"
	"testing"
	"time"
)

// deadlineConn records the write deadlines set on it.
type deadlineConn struct {
	net.Conn
	set chan time.Time
}

func (d *deadlineConn) SetWriteDeadline(t time.Time) error { d.set <- t; return nil }

func watchedConn() (*Conn, chan time.Time) {
	set := make(chan time.Time, 1000)
	return &Conn{nc: &countingConn{Conn: &deadlineConn{set: set}}}, set
}

// lastDeadline waits (boundedly) for the next deadline set.
func lastDeadline(t *testing.T, set chan time.Time) time.Time {
	t.Helper()
	select {
	case d := <-set:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no write deadline was set within 10 s")
		return time.Time{}
	}
}

func TestAContextsEndGivesItsWriteUnderWayTheGraceAndNoOtherWrite(t *testing.T) {
	c, set := watchedConn()
	far := time.Now().Add(time.Hour)
	a, cancelA := context.WithCancel(context.Background())
	defer cancelA()
	for range 3 { // many writes within one context: one registration
		c.startWrite(a, far)
		if d := lastDeadline(t, set); !d.Equal(far) {
			t.Fatalf("deadline %v, want the write's own", d)
		}
		c.endWrite()
	}
	if allocs := testing.AllocsPerRun(100, func() { c.startWrite(a, far); <-set; c.endWrite() }); allocs != 0 {
		t.Fatalf("%v allocations a write within a watched context, want none", allocs)
	}

	// A write within another context is under way when a's end is told: it keeps its deadline.
	c.startWrite(context.Background(), far)
	<-set
	c.cancelWrite(a.Done())
	select {
	case d := <-set:
		t.Fatalf("a's end set %v on a write within another context", d)
	default:
	}
	c.endWrite()
	if c.watch.stop == nil || c.watch.done != a.Done() {
		t.Fatal("a write within a context that never ends replaced the watch")
	}

	// A write within a is under way when a ends: the registration gives it CancelGrace.
	c.startWrite(a, far)
	<-set
	cancelA()
	if d := lastDeadline(t, set); d.After(time.Now().Add(CancelGrace)) {
		t.Fatalf("the cancelled write's deadline is %v, want within %v", time.Until(d), CancelGrace)
	}
	c.endWrite()

	// A write within a context that has ended already gets CancelGrace at once.
	c.startWrite(a, far)
	if d := lastDeadline(t, set); d.After(time.Now().Add(CancelGrace)) {
		t.Fatalf("a write within an ended context: deadline in %v, want within %v", time.Until(d), CancelGrace)
	}
	c.endWrite()
}

func TestAClosedConnectionWatchesNothing(t *testing.T) {
	c, set := watchedConn()
	b, cancelB := context.WithCancel(context.Background())
	defer cancelB()
	c.startWrite(b, time.Now().Add(time.Hour))
	<-set
	c.endWrite()
	c.unwatch()
	c.startWrite(b, time.Now().Add(time.Hour))
	<-set
	c.endWrite()
	if c.watch.stop != nil {
		t.Fatal("a write after close registered a watch on its context")
	}
}
