// Package clock is the single time source used by the server, the clients and the harness,
// so that a scenario can later run time-scaled without touching its checkers.
package clock

import (
	"context"
	"time"
)

// Clock tells time and waits on it.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// After returns a channel that receives once d has elapsed.
	After(d time.Duration) <-chan time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Sleep waits for d on c, returning early with ctx's error when ctx ends first.
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.After(d):
		return nil
	}
}

// Or returns c, or the real clock when c is nil.
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}

// Every fires on a fixed grid (start+interval, start+2×interval, …) like setInterval, so a
// late wake-up does not push every later tick back; slots already missed are skipped.
type Every struct {
	c        Clock
	interval time.Duration
	next     time.Time
}

// NewEvery starts a grid of ticks every interval (which must be positive) from now on c.
func NewEvery(c Clock, interval time.Duration) *Every {
	return &Every{c: c, interval: interval, next: c.Now().Add(interval)}
}

// Next returns a channel that receives at the next slot of the grid still ahead of now.
func (e *Every) Next() <-chan time.Time {
	now := e.c.Now()
	if !e.next.After(now) {
		missed := now.Sub(e.next)/e.interval + 1
		e.next = e.next.Add(missed * e.interval)
	}
	ch := e.c.After(e.next.Sub(now))
	e.next = e.next.Add(e.interval)
	return ch
}
