package fakeclient

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// writesThenFails lets `left` writes through once armed, and fails every later one: a
// connection closed between two writes.
type writesThenFails struct {
	net.Conn
	armed atomic.Bool
	left  atomic.Int32
}

func (c *writesThenFails) Write(p []byte) (int, error) {
	if c.armed.Load() && c.left.Add(-1) < 0 {
		return 0, errors.New("closed between two writes")
	}
	return c.Conn.Write(p)
}

// rtmpPair returns the accepting side of a handshaken RTMP connection over loopback, its raw
// socket wrapped; the dialling side stays open until the test ends.
func rtmpPair(t *testing.T) (*rtmpconn.Conn, *writesThenFails) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type accepted struct {
		c   *rtmpconn.Conn
		raw *writesThenFails
		err error
	}
	done := make(chan accepted, 1)
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			done <- accepted{err: err}
			return
		}
		w := &writesThenFails{Conn: raw}
		c, err := rtmpconn.Accept(ctx, w, rtmpconn.Options{})
		done <- accepted{c, w, err}
	}()
	dialled, err := rtmpconn.Dial(ctx, ln.Addr().String(), rtmpconn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dialled.Close() })
	a := <-done
	if a.err != nil {
		t.Fatal(a.err)
	}
	t.Cleanup(func() { _ = a.c.Close() })
	return a.c, a.raw
}

// A play2 that went out is reported even when the connection fails right after it, before the
// buffer length: the server may already have answered it (the double-reconnect mutant closes
// its connection on that answer), and a request missing from the history hid a reconnect.
func TestPlay2IsReportedOnceWrittenEvenIfTheNextWriteFails(t *testing.T) {
	c, raw := rtmpPair(t)
	raw.left.Store(1) // play2 goes out, the buffer length after it fails
	raw.armed.Store(true)
	p, err := NewPlayer(PlayerConfig{Addr: "127.0.0.1:1", Stream: "s", BufferTime: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	nc := &netConnection{conn: c, streamID: 1}
	var got []connEvent
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if p.writePlays(ctx, 2, nc, []play2Cmd{{step: PlayItem{Stream: "s", Transition: "resume"}, offset: 4.04}},
		func(ev connEvent) bool { got = append(got, ev); return true }) {
		t.Fatal("writePlays reported success on a failed write")
	}
	if len(got) != 1 || got[0].sent == nil || got[0].n != 2 || got[0].sent.cmd.offset != 4.04 {
		t.Fatalf("reported %+v, want the resume at 4.04 s on connection 2", got)
	}
}
