package fakeclient

import (
	"context"
	"sync"
)

// inboxCap is how many events an inbox holds before its senders wait.
const inboxCap = 64

// inbox carries a player's connection events to its loop: the loop takes every event queued
// at one wake-up, in the order they were put, rather than one wake-up an event — a server
// that sends half a second of frames in one write gives 25 messages to one read.
type inbox struct {
	mu    sync.Mutex
	q     []connEvent
	ready chan struct{} // holds a token while q is not empty
	space chan struct{} // closed and replaced when the loop empties a full q
}

func newInbox() *inbox {
	return &inbox{ready: make(chan struct{}, 1), space: make(chan struct{})}
}

// put queues ev, waiting while the inbox is full; false when ctx ended first.
func (in *inbox) put(ctx context.Context, ev connEvent) bool {
	for {
		in.mu.Lock()
		if len(in.q) < inboxCap {
			in.q = append(in.q, ev)
			in.mu.Unlock()
			select {
			case in.ready <- struct{}{}:
			default: // a token is there already
			}
			return true
		}
		space := in.space
		in.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return false
		}
	}
}

// take returns every queued event, in order, into buf's storage.
func (in *inbox) take(buf []connEvent) []connEvent {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := append(buf[:0], in.q...)
	if len(in.q) >= inboxCap {
		close(in.space)
		in.space = make(chan struct{})
	}
	clear(in.q)
	in.q = in.q[:0]
	return out
}
