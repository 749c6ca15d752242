package fakeclient

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// overLimitAtEnd has the time limit of the next bounded step pass just as the step has read
// its last answer (what a starved machine does to a step that ends at its limit), by
// cancelling the step's context from sequenceEnd; undone when the test ends.
func overLimitAtEnd(t *testing.T, cancel context.CancelFunc) {
	t.Helper()
	sequenceEnd = cancel
	t.Cleanup(func() { sequenceEnd = nil })
}

// TestConnectSequenceOverItsLimitFails: a connect sequence whose time limit passes as its last
// answer arrives is a failed connect, never a connection handed over while its close is under
// way; one within its limit stays open after dial returns.
func TestConnectSequenceOverItsLimitFails(t *testing.T) {
	srv := newServer(t, fakeserver.Config{Streams: []media.Spec{{Name: "s", Duration: time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	base, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()

	nc, err := dial(base, srv.Addr(), "vod", Identity{Client: "ok", Conn: 1}, rtmpconn.Options{})
	if err != nil {
		t.Fatalf("a sequence within its limit: %v", err)
	}
	// Still open after dial's own deadline context ended: it answers another createStream.
	if err := nc.conn.WriteCommand(base, rtmpconn.CSIDCommand, 0, "createStream", 3, nil); err != nil {
		t.Fatalf("the connection dial handed over was closed: %v", err)
	}
	if res, err := awaitResult(nc.conn, 3); err != nil || res.Name != "_result" {
		t.Fatalf("the connection dial handed over does not answer: %v %v", res, err)
	}
	_ = nc.conn.Close()

	ctx, cancel := context.WithCancel(base)
	defer cancel()
	overLimitAtEnd(t, cancel)
	nc, err = dial(ctx, srv.Addr(), "vod", Identity{Client: "late", Conn: 1}, rtmpconn.Options{})
	if err == nil {
		_ = nc.conn.Close()
		t.Fatal("a sequence over its limit as it ended was handed over as a connection")
	}
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "connect sequence: over its time limit as it ended") {
		t.Fatalf("error %q: want the connect sequence over its limit", err)
	}
}

// TestBandwidthCheckOverItsLimitFails: the same for a bandwidth check whose limit passes as its
// onBWDone arrives: an error, not a result on a connection that is closing.
func TestBandwidthCheckOverItsLimitFails(t *testing.T) {
	srv := newServer(t, fakeserver.Config{Streams: []media.Spec{{Name: "s", Duration: time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	base, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	p, err := NewPlayer(PlayerConfig{ID: "bw", Addr: srv.Addr(), Stream: "s"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(ctx context.Context, late context.CancelFunc) (*Event, error) {
		nc, err := dial(base, srv.Addr(), "vod", Identity{Client: "bw", Conn: 1}, rtmpconn.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer nc.conn.Close()
		if late != nil {
			overLimitAtEnd(t, late)
		}
		return p.bandwidthCheck(ctx, nc.conn)
	}
	if ev, err := check(base, nil); err != nil || ev.Kind != EventBandwidth {
		t.Fatalf("a check within its limit: %+v %v", ev, err)
	}
	ctx, cancel := context.WithCancel(base)
	defer cancel()
	ev, err := check(ctx, cancel)
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "bandwidth check: over its time limit as it ended") {
		t.Fatalf("a check over its limit as it ended: %+v %v", ev, err)
	}
}
