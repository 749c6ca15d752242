package fakeclient

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/spec"

	"github.com/streamfault/streamfault/fakeserver"
)

func kinds(evs []Event, kind string) []Event {
	var out []Event
	for _, e := range evs {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func TestPublisherAndViewerRestoreAfterAServerKill(t *testing.T) {
	var smu sync.Mutex
	var sevs []fakeserver.Event
	s := newServer(t, fakeserver.Config{OnEvent: func(e fakeserver.Event) { smu.Lock(); sevs = append(sevs, e); smu.Unlock() }})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	prec, vrec := &events{}, &events{}
	pub, err := NewPublisher(PublisherConfig{Addr: s.Addr(), Stream: "cam", Duration: 4 * time.Second, OnEvent: prec.add,
		Restore: &Restore{Timeout: spec.Duration(200 * time.Millisecond), MaxTries: 10}})
	if err != nil {
		t.Fatal(err)
	}
	view, err := NewViewer(ViewerConfig{Addr: s.Addr(), Stream: "cam", Duration: 4 * time.Second, OnEvent: vrec.add,
		Restore: &Restore{Timeout: spec.Duration(200 * time.Millisecond), MaxTries: 10}})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	go func() { errs <- pub.Run(ctx) }()
	go func() { errs <- view.Run(ctx) }()
	waitFor(t, vrec, func(e Event) bool { return e.Kind == EventReceived && e.First >= 25 })
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
	pevs, vevs := prec.all(), vrec.all()
	if n := len(kinds(pevs, EventRestoreAttempt)); n < 1 {
		t.Fatalf("publisher made no restore attempt")
	}
	starts := 0
	for _, e := range pevs {
		if e.Code == "NetStream.Publish.Start" {
			starts++
		}
	}
	if starts < 2 {
		t.Fatalf("publisher published %d times, want a republish", starts)
	}
	var last time.Duration = -1
	received := 0
	for _, e := range kinds(vevs, EventReceived) {
		received++
		if e.StreamTime < last {
			t.Fatalf("viewer timestamp went back from %v to %v", last, e.StreamTime)
		}
		last = e.StreamTime
	}
	if received < 50 || last < 3*time.Second {
		t.Fatalf("viewer received %d frames up to %v", received, last)
	}
	// A request is stamped before it is written, so a history never shows the server acting
	// on a publish or play before the client asked for it.
	smu.Lock()
	defer smu.Unlock()
	for _, c := range []struct {
		kind string
		reqs []Event
	}{{"publish", kinds(pevs, EventPublishRequest)}, {"play", kinds(vevs, EventPlayRequest)}} {
		var asked []time.Time
		for _, e := range c.reqs {
			asked = append(asked, e.Time)
		}
		served := 0
		for _, se := range sevs {
			if se.Kind != c.kind {
				continue
			}
			if served >= len(asked) {
				t.Fatalf("server %s #%d at %v has no client request before it", c.kind, served+1, se.Time)
			}
			if se.Time.Before(asked[served]) {
				t.Errorf("server %s #%d at %v precedes the client's request at %v", c.kind, served+1, se.Time, asked[served])
			}
			served++
		}
		if served < 2 {
			t.Errorf("server saw %d %s events, want one before and one after the kill", served, c.kind)
		}
	}
}

func TestPublisherGivesUpAfterMaxTriesAndStopsOnRequest(t *testing.T) {
	s := newServer(t, fakeserver.Config{})
	addr := s.Addr()
	if err := s.Close(); err != nil { // nothing listens: every attempt fails
		t.Fatal(err)
	}
	rec := &events{}
	pub, _ := NewPublisher(PublisherConfig{Addr: addr, Stream: "cam", OnEvent: rec.add,
		Restore: &Restore{Timeout: spec.Duration(50 * time.Millisecond), MaxTries: 3}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := pub.Run(ctx)
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run: %v, want the restore policy to give up", err)
	}
	evs := rec.all()
	if n := len(kinds(evs, EventRestoreAttempt)); n != 3 || len(kinds(evs, EventRestoreFailed)) != 1 {
		t.Fatalf("%d attempts, %d FAILED", n, len(kinds(evs, EventRestoreFailed)))
	}

	// Without a restore policy the first failure is final: no attempt at all.
	rec0 := &events{}
	pub0, _ := NewPublisher(PublisherConfig{Addr: addr, Stream: "cam", OnEvent: rec0.add, Restore: nil})
	if err := pub0.Run(ctx); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run without a restore policy: %v", err)
	}
	if evs := rec0.all(); len(kinds(evs, EventRestoreAttempt)) != 0 || len(kinds(evs, EventRestoreFailed)) != 1 {
		t.Fatalf("without a restore policy: %+v", evs)
	}

	vrec := &events{}
	view, _ := NewViewer(ViewerConfig{Addr: addr, Stream: "cam", OnEvent: vrec.add, Restore: nil})
	if err := view.Run(ctx); err == nil || errors.Is(err, context.DeadlineExceeded) || len(kinds(vrec.all(), EventRestoreAttempt)) != 0 {
		t.Fatalf("viewer without a restore policy: %v %+v", err, vrec.all())
	}

	// A manual stop during a restore wait ends at once, with no further attempt.
	rec2 := &events{}
	pub2, _ := NewPublisher(PublisherConfig{Addr: addr, Stream: "cam", OnEvent: rec2.add,
		Restore: &Restore{Timeout: spec.Duration(time.Hour), MaxTries: 3}})
	done := make(chan error, 1)
	go func() { done <- pub2.Run(ctx) }()
	waitFor(t, rec2, func(e Event) bool { return e.Kind == EventRestoreWait })
	pub2.Stop()
	if err := <-done; err != nil {
		t.Fatalf("Run after Stop: %v", err)
	}
	if got := kinds(rec2.all(), EventStopped); len(got) != 1 || slices.ContainsFunc(rec2.all(), func(e Event) bool { return e.Kind == EventRestoreAttempt }) {
		t.Fatalf("events after stop: %+v", rec2.all())
	}
}
