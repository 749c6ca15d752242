package fakeclient

import (
	"context"
	"testing"
	"time"
)

// The loop takes every queued event at one wake-up, in the order put; a sender waits while
// the inbox is full until the loop takes, and gives up when its context ends.
func TestInboxBatchesInOrderAndBoundsItself(t *testing.T) {
	in := newInbox()
	ctx := context.Background()
	for i := range inboxCap {
		if !in.put(ctx, connEvent{n: i}) {
			t.Fatal("put into an inbox with room failed")
		}
	}
	select {
	case <-in.ready:
	default:
		t.Fatal("no wake-up for queued events")
	}
	done := make(chan bool)
	go func() { done <- in.put(ctx, connEvent{n: inboxCap}) }()
	select {
	case <-done:
		t.Fatal("a put into a full inbox did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	batch := in.take(nil)
	if len(batch) != inboxCap {
		t.Fatalf("took %d events, want %d", len(batch), inboxCap)
	}
	for i, ev := range batch {
		if ev.n != i {
			t.Fatalf("event %d is %d: out of order", i, ev.n)
		}
	}
	select {
	case ok := <-done:
		if !ok {
			t.Fatal("the waiting put failed")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting put was not let in after the take")
	}
	<-in.ready
	if b := in.take(batch); len(b) != 1 || b[0].n != inboxCap {
		t.Fatalf("after the take: %v", b)
	}
	for range inboxCap {
		in.put(ctx, connEvent{})
	}
	cctx, cancel := context.WithCancel(ctx)
	go func() { done <- in.put(cctx, connEvent{}) }()
	cancel()
	select {
	case ok := <-done:
		if ok {
			t.Fatal("a put into a full inbox succeeded after its context ended")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a put into a full inbox did not give up when its context ended")
	}
}
