package clock

import (
	"sync"
	"time"
)

// Repeat calls f every d on c, each call d after the previous one ended, until f returns false
// or the returned stop is called. stop waits for a call under way, so f never runs once stop
// has returned. On the real clock a timer waits between the calls, not a goroutine: a server
// with thousands of sessions keeps a watchdog for each without a stack for each.
func Repeat(c Clock, d time.Duration, f func() bool) (stop func()) {
	if _, real := c.(Real); !real {
		return repeatOn(c, d, f)
	}
	r := &repeater{}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.t = time.AfterFunc(d, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.stopped {
			return
		}
		if !f() {
			r.stopped = true
			return
		}
		r.t.Reset(d)
	})
	return r.stop
}

// repeater is Repeat's state on the real clock.
type repeater struct {
	mu      sync.Mutex // held by a call under way
	t       *time.Timer
	stopped bool
}

func (r *repeater) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	r.t.Stop()
}

// repeatOn is Repeat on a clock other than the real one (which only offers channels).
func repeatOn(c Clock, d time.Duration, f func() bool) (stop func()) {
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		for {
			select {
			case <-done:
				return
			case <-c.After(d):
				if !f() {
					return
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(done) })
		<-ended
	}
}
