package lab

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"
)

// startLab starts testOptions' lab, closed at the test's end.
func startLab(t *testing.T) *Lab {
	t.Helper()
	l, err := Start(context.Background(), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// refuses tells whether the route refuses connections.
func refuses(r *Path) bool {
	c, err := net.DialTimeout("tcp", r.Listen, 200*time.Millisecond)
	if err == nil {
		c.Close()
	}
	return err != nil
}

func TestARouteHeldDownStaysDownWhenLinksAreClosed(t *testing.T) {
	r, _ := startLab(t).Route("lte")
	if err := r.Disable(); err != nil {
		t.Fatal(err)
	}
	// A drop, and a reset's end (timeout toxics removed with the links closed), while a
	// lasting disable holds the route down.
	if err := r.CloseLinks(); err != nil {
		t.Fatal(err)
	}
	if err := r.AddToxic("cut", "timeout", "downstream", 1, map[string]any{"timeout": 0}); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveClosing([]string{"cut"}); err != nil {
		t.Fatal(err)
	}
	if !refuses(r) {
		t.Fatal("closing a held-down route's links brought it up")
	}
	if ts, err := r.Toxics(); err != nil || len(ts) != 0 {
		t.Fatalf("toxics after RemoveClosing: %v, %v", ts, err)
	}
	if err := r.Enable(); err != nil {
		t.Fatal(err)
	}
	if refuses(r) {
		t.Fatal("an enabled route refuses connections")
	}
	if err := r.CloseLinks(); err != nil {
		t.Fatal(err)
	}
	if refuses(r) {
		t.Fatal("closing an up route's links left it down")
	}
}

// Faults on one route run at once; under -race this fails if a call on the route's proxy
// handle is not serialised (the client's handle rewrites its fields on every answer).
func TestFaultsOnOneRouteAtOnce(t *testing.T) {
	r, _ := startLab(t).Route("wifi")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				name := fmt.Sprintf("t%d-%d", g, i)
				if err := r.AddToxic(name, "latency", "downstream", 1, map[string]any{"latency": 1}); err != nil {
					errs <- err
					return
				}
				var err error
				if g%2 == 0 {
					err = r.CloseLinks()
				} else {
					err = r.RemoveClosing([]string{name})
					name = ""
				}
				if err == nil && name != "" {
					err = r.RemoveToxics([]string{name})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ts, err := r.Toxics(); err != nil || len(ts) != 0 {
		t.Fatalf("toxics left: %v, %v", ts, err)
	}
	if refuses(r) {
		t.Fatal("the route is down after faults that each left it up")
	}
}
