package fakeclient

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
)

type events struct {
	mu sync.Mutex
	ev []Event
}

func (e *events) add(ev Event) { e.mu.Lock(); e.ev = append(e.ev, ev); e.mu.Unlock() }

func (e *events) all() []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Event(nil), e.ev...)
}

// rendered flattens the rendered runs into the sequence of frame indices shown.
func rendered(evs []Event) []int {
	var out []int
	for _, e := range evs {
		if e.Kind == EventRendered {
			for i := e.First; i <= e.Last; i++ {
				out = append(out, i)
			}
		}
	}
	return out
}

func server(t *testing.T, dur time.Duration) *fakeserver.Server {
	t.Helper()
	return newServer(t, fakeserver.Config{Streams: []media.Spec{{Name: "s", Duration: dur, FPS: 25, KeyframeInterval: time.Second}}})
}

// newServer starts a reference server with cfg, shut down with the test.
func newServer(t *testing.T, cfg fakeserver.Config) *fakeserver.Server {
	t.Helper()
	s, err := fakeserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown() })
	return s
}

func play(t *testing.T, cfg PlayerConfig, during func()) []Event {
	t.Helper()
	return runPlayer(t, cfg, func(*Player, *events) {
		if during != nil {
			during()
		}
	})
}

func TestPlaysToEndInOrder(t *testing.T) {
	s := server(t, 2*time.Second)
	start := time.Now()
	evs := play(t, PlayerConfig{Addr: s.Addr(), Stream: "s", BufferTime: time.Second}, nil)
	got := rendered(evs)
	if len(got) != 50 || got[0] != 0 || got[49] != 49 {
		t.Fatalf("rendered %d frames: %v", len(got), got)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("frame %d rendered at position %d", v, i)
		}
	}
	// Real-time pacing: 1s burst, then 1s of real time, then 2s of playback.
	if el := time.Since(start); el < 2*time.Second {
		t.Fatalf("played 2s of media in %v", el)
	}
}

func TestResumesAfterServerClosesConnections(t *testing.T) {
	s := server(t, 3*time.Second)
	evs := play(t, PlayerConfig{Addr: s.Addr(), Stream: "s", BufferTime: time.Second, Reconnect: &Reconnect{}}, func() {
		time.Sleep(1200 * time.Millisecond)
		if err := s.Close(); err != nil { // every session ends; listening again at once
			t.Error(err)
		}
		if err := s.Start(); err != nil {
			t.Error(err)
		}
	})
	got := rendered(evs)
	for i, v := range got {
		if v != i {
			t.Fatalf("frame %d rendered at position %d: %v", v, i, got)
		}
	}
	if len(got) != 75 {
		t.Fatalf("rendered %d frames, want 75", len(got))
	}
	var resumes int
	for _, e := range evs {
		if e.Kind == EventPlayRequest && e.Transition == "resume" {
			resumes++
			if e.Offset < 1.5 {
				t.Errorf("resume offset %.3f: should be past the 1s burst + 1.2s", e.Offset)
			}
		}
	}
	if resumes != 1 {
		t.Fatalf("%d resume requests, want 1", resumes)
	}
}

func TestResumeFromStartMutantRendersDuplicates(t *testing.T) {
	s := server(t, 3*time.Second)
	evs := play(t, PlayerConfig{Addr: s.Addr(), Stream: "s", BufferTime: time.Second, Mutant: MutantResumeFromStart,
		Reconnect: &Reconnect{}}, func() {
		time.Sleep(1200 * time.Millisecond)
		_ = s.Close()
		_ = s.Start()
	})
	seen := map[int]bool{}
	dup := false
	for _, v := range rendered(evs) {
		dup = dup || seen[v]
		seen[v] = true
	}
	if !dup {
		t.Fatal("the mutant should have rendered some frame twice")
	}
}

func TestGivesUpWhenServerGone(t *testing.T) {
	s := server(t, 10*time.Second)
	rec := &events{}
	p, _ := NewPlayer(PlayerConfig{Addr: s.Addr(), Stream: "s", BufferTime: 500 * time.Millisecond, OnEvent: rec.add,
		Reconnect: &Reconnect{MaxTries: 2, Delay: spec.Duration(50 * time.Millisecond)}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() { time.Sleep(800 * time.Millisecond); _ = s.Close() }()
	if err := p.Run(ctx); err == nil {
		t.Fatal("want an error after giving up")
	}
	fails := 0
	for _, e := range rec.all() {
		if e.Kind == EventStatus && e.Code == status.ConnectFailed {
			fails++
		}
	}
	if fails != 3 { // two refused attempts and the final give-up
		t.Fatalf("%d Connect.Failed events, want 3", fails)
	}
}

func TestNewPlayerRejectsBadConfig(t *testing.T) {
	for _, c := range []PlayerConfig{{}, {Addr: "x"}, {Addr: "x", Stream: "s", Mutant: "nope"}} {
		if _, err := NewPlayer(c); err == nil {
			t.Errorf("%+v: want error", c)
		}
	}
}
