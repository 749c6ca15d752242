package fakeserver

import (
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/rtmpconn"
)

func TestCommandBudget(t *testing.T) {
	var b commandBudget
	t0 := time.Unix(1000, 0)
	for i := range CommandBurst {
		if !b.take(t0) {
			t.Fatalf("command %d of a burst of %d refused", i+1, CommandBurst)
		}
	}
	if b.take(t0) {
		t.Fatal("a command past the burst, at the same instant, was allowed")
	}
	// A second later, CommandRate more are allowed, and no more.
	t1 := t0.Add(time.Second)
	for i := range CommandRate {
		if !b.take(t1) {
			t.Fatalf("command %d of the next second refused", i+1)
		}
	}
	if b.take(t1) {
		t.Fatal("more than CommandRate commands in a second were allowed")
	}
	// Sustained at the rate, every command passes.
	for i := range 10 * CommandRate {
		if !b.take(t1.Add(time.Duration(i+1) * time.Second / CommandRate)) {
			t.Fatalf("command %d at the sustained rate refused", i+1)
		}
	}
}

// A flood of appends is refused with a logged reason and the session closed; the server and
// its other sessions go on.
func TestCommandFloodClosesTheSession(t *testing.T) {
	s, rec := playlistServer(t)
	flood := dialServer(t, s)
	for range 3 * CommandBurst {
		if err := flood.c.WriteCommand(flood.ctx, rtmpconn.CSIDData, flood.sid, "play2", 0, nil, map[string]any{"streamName": "b", "transition": "appendAndWait"}); err != nil {
			break // the server closed the session
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ev, ok := rec.findReason("commands at once"); ok {
			if !strings.HasPrefix(ev.Reason, "refused: ") {
				t.Fatalf("reason %q", ev.Reason)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no refusal logged after %d commands: %v", 3*CommandBurst, rec.kinds())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for flood.next(5*time.Second) != nil { // drained until the server's close
	}
	other := dialServer(t, s)
	other.play2(map[string]any{"streamName": "b", "transition": "reset"})
	if g := other.collect(5*time.Second, "NetStream.Play.Complete"); len(g.frames) != 25 {
		t.Fatalf("another session after the flood: %v", g.log)
	}
}
