package clock

import (
	"sync/atomic"
	"testing"
	"time"
)

// ticking is a clock whose After fires when the test says, so calls can be counted exactly.
type ticking struct{ ch chan time.Time }

func (t *ticking) Now() time.Time                       { return time.Now() }
func (t *ticking) After(time.Duration) <-chan time.Time { return t.ch }

func TestRepeatCallsUntilFalse(t *testing.T) {
	ticks := make(chan time.Time, 10)
	for range cap(ticks) {
		ticks <- time.Now()
	}
	for name, c := range map[string]Clock{"real": Real{}, "other": &ticking{ch: ticks}} {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			done := make(chan struct{})
			stop := Repeat(c, time.Millisecond, func() bool {
				if calls.Add(1) == 3 {
					close(done)
					return false
				}
				return true
			})
			defer stop()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("only %d calls before the time limit", calls.Load())
			}
			time.Sleep(20 * time.Millisecond) // room for more calls, were any still armed
			stop()
			if n := calls.Load(); n != 3 {
				t.Errorf("f was called %d times, want 3 (it returned false on the third)", n)
			}
			if name == "other" && len(ticks) != cap(ticks)-3 {
				t.Errorf("%d ticks taken, want 3", cap(ticks)-len(ticks))
			}
		})
	}
}

func TestRepeatStopWaitsForTheCallUnderWay(t *testing.T) {
	for name, c := range map[string]Clock{"real": Real{}, "other": &ticking{ch: make(chan time.Time, 1)}} {
		t.Run(name, func(t *testing.T) {
			if tc, ok := c.(*ticking); ok {
				tc.ch <- time.Now()
			}
			in, release := make(chan struct{}), make(chan struct{})
			var calls atomic.Int32
			stop := Repeat(c, time.Millisecond, func() bool {
				if calls.Add(1) == 1 {
					close(in)
					<-release
				}
				return true
			})
			select {
			case <-in:
			case <-time.After(20 * time.Second):
				t.Fatal("f was never called")
			}
			stopped := make(chan struct{})
			go func() { stop(); close(stopped) }()
			select {
			case <-stopped:
				t.Fatal("stop returned while f was still running")
			case <-time.After(30 * time.Millisecond):
			}
			close(release)
			select {
			case <-stopped:
			case <-time.After(20 * time.Second):
				t.Fatal("stop never returned")
			}
			n := calls.Load()
			time.Sleep(20 * time.Millisecond)
			if m := calls.Load(); m != n {
				t.Errorf("f ran %d more time(s) after stop returned", m-n)
			}
			stop() // a second stop is harmless
		})
	}
}
