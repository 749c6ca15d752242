package bench

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/conformance"
)

// fakeSubject is a subject with a name only, for relayAtOnce.
type fakeSubject struct {
	conformance.Subject
	name string
}

func (f fakeSubject) Name() string { return f.name }

// TestRelayAtOnceOverlapsTheSubjects: every subject relays at the same time (each call waits
// until all have begun), and results keep the subjects' order.
func TestRelayAtOnceOverlapsTheSubjects(t *testing.T) {
	subjects := []conformance.Subject{fakeSubject{name: "reference"}, fakeSubject{name: "nginx-rtmp"}}
	var begun sync.WaitGroup
	begun.Add(len(subjects))
	rs, err := relayAtOnce(context.Background(), subjects, func(ctx context.Context, s conformance.Subject) (conformance.RelayResult, error) {
		begun.Done()
		all := make(chan struct{})
		go func() { begun.Wait(); close(all) }()
		select {
		case <-all:
			return conformance.RelayResult{Subject: s.Name(), Bytes: int64(len(s.Name()))}, nil
		case <-time.After(10 * time.Second):
			return conformance.RelayResult{}, errors.New(s.Name() + " relayed alone")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Subject != "reference" || rs[1].Subject != "nginx-rtmp" || rs[1].Bytes != 10 {
		t.Fatalf("results %+v: want the subjects' own, in their order", rs)
	}
}

// TestRelayAtOnceStopsTheOthersOnAFailure: the first failure cancels the other subjects'
// relays, and it is what is returned (named by its subject), not their cancellation.
func TestRelayAtOnceStopsTheOthersOnAFailure(t *testing.T) {
	subjects := []conformance.Subject{fakeSubject{name: "reference"}, fakeSubject{name: "nginx-rtmp"}}
	_, err := relayAtOnce(context.Background(), subjects, func(ctx context.Context, s conformance.Subject) (conformance.RelayResult, error) {
		if s.Name() == "nginx-rtmp" {
			return conformance.RelayResult{}, errors.New("ffmpeg exit 1")
		}
		select {
		case <-ctx.Done():
			return conformance.RelayResult{}, ctx.Err()
		case <-time.After(10 * time.Second):
			return conformance.RelayResult{}, errors.New("not stopped")
		}
	})
	if err == nil || err.Error() != "nginx-rtmp: ffmpeg exit 1" {
		t.Fatalf("error %v: want nginx-rtmp's own failure", err)
	}
}

// TestNamesSaysAtOnce: one subject is named alone, several as relaying at once.
func TestNamesSaysAtOnce(t *testing.T) {
	for _, c := range []struct {
		subjects []string
		want     string
	}{
		{[]string{"reference"}, "reference"},
		{[]string{"reference", "nginx-rtmp"}, "reference and nginx-rtmp at once"},
		{[]string{"a", "b", "c"}, "a, b and c at once"},
	} {
		var ss []conformance.Subject
		for _, n := range c.subjects {
			ss = append(ss, fakeSubject{name: n})
		}
		if got := names(ss); got != c.want {
			t.Errorf("names(%v) = %q, want %q", c.subjects, got, c.want)
		}
	}
}
