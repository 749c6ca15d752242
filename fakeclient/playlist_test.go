package fakeclient

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"
)

func playlistServer(t *testing.T) *fakeserver.Server {
	t.Helper()
	var specs []media.Spec
	for _, name := range []string{"a", "b"} {
		specs = append(specs, media.Spec{Name: name, Duration: 2 * time.Second, FPS: 25, KeyframeInterval: time.Second})
	}
	return newServer(t, fakeserver.Config{Streams: specs})
}

// waitFor polls the recorded events until one matches (bounded by 10 s).
func waitFor(t *testing.T, rec *events, match func(Event) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if slices.ContainsFunc(rec.all(), match) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("timed out waiting for an event")
}

func runPlayer(t *testing.T, cfg PlayerConfig, during func(p *Player, rec *events)) []Event {
	t.Helper()
	rec := &events{}
	cfg.OnEvent = rec.add
	p, err := NewPlayer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	during(p, rec)
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rec.all()
}

// shown lists the rendered frames as "stream:index".
func shown(evs []Event) []string {
	var out []string
	for _, e := range evs {
		if e.Kind == EventRendered {
			for i := e.First; i <= e.Last; i++ {
				out = append(out, fmt.Sprintf("%s:%d", e.Stream, i))
			}
		}
	}
	return out
}

func framesOf(name string, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("%s:%d", name, i))
	}
	return out
}

func requests(evs []Event, conn int) []string {
	var out []string
	for _, e := range evs {
		if e.Kind == EventPlayRequest && e.Conn == conn {
			out = append(out, e.Transition+" "+e.Stream)
		}
	}
	return out
}

func TestRebuildsThePlaylistAfterADrop(t *testing.T) {
	s := playlistServer(t)
	script := []PlayItem{{Stream: "a", Transition: "reset"}, {Stream: "b", Transition: "append"}}
	evs := runPlayer(t, PlayerConfig{Addr: s.Addr(), Script: script, BufferTime: 500 * time.Millisecond,
		Reconnect: &Reconnect{}}, func(_ *Player, rec *events) {
		waitFor(t, rec, func(e Event) bool { return e.Kind == EventReceived && e.Stream == "a" && e.First >= 30 })
		if err := s.Close(); err != nil { // every session ends; listening again at once
			t.Error(err)
		}
		if err := s.Start(); err != nil {
			t.Error(err)
		}
	})
	if got, want := shown(evs), append(framesOf("a", 50), framesOf("b", 50)...); !slices.Equal(got, want) {
		t.Fatalf("rendered %v", got)
	}
	var conn int
	for _, e := range evs {
		if e.Kind == EventPlayRequest && e.Transition == "resume" {
			conn = e.Conn
			if e.Offset < 1.2 || e.Offset > 2 || !slices.Equal(e.Playlist, []string{"a", "b"}) {
				t.Errorf("resume: offset %.3f, playlist %v", e.Offset, e.Playlist)
			}
		}
	}
	if got := requests(evs, conn); !slices.Equal(got, []string{"appendAndWait a", "resume b"}) {
		t.Fatalf("rebuild requests on connection %d: %v", conn, got)
	}
}

func TestLoadBalanceMoveAttachesThenClosesThenResumes(t *testing.T) {
	a, b := server(t, 2*time.Second), server(t, 2*time.Second)
	evs := runPlayer(t, PlayerConfig{Addr: a.Addr(), Stream: "s", BufferTime: 500 * time.Millisecond,
		Reconnect: &Reconnect{}}, func(p *Player, rec *events) {
		waitFor(t, rec, func(e Event) bool { return e.Kind == EventReceived && e.First >= 20 })
		if err := p.MoveTo(b.Addr()); err != nil {
			t.Error(err)
		}
	})
	if got := shown(evs); !slices.Equal(got, framesOf("s", 50)) {
		t.Fatalf("rendered %v", got)
	}
	var order []string
	for _, e := range evs {
		switch {
		case e.Kind == EventStatus && (e.Code == status.ConnectSuccess || e.Code == status.ConnectClosed):
			order = append(order, fmt.Sprintf("%s %d", e.Code, e.Conn))
		case e.Kind == EventPlayRequest:
			order = append(order, fmt.Sprintf("%s %d", e.Transition, e.Conn))
		}
	}
	want := []string{status.ConnectSuccess + " 1", "reset 1", status.ConnectSuccess + " 2", status.ConnectClosed + " 1", "resume 2"}
	if !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
}

func TestScriptValidation(t *testing.T) {
	for _, script := range [][]PlayItem{
		{{Stream: "a", Transition: "append"}},
		{{Stream: "a", Transition: "reset", At: spec.Duration(time.Second)}},
		{{Stream: "a", Transition: "reset"}, {Stream: "b", Transition: "swap"}},
		{{Stream: "a", Transition: "reset"}, {Stream: "b", Transition: "append", At: spec.Duration(2 * time.Second)}, {Stream: "c", Transition: "append", At: spec.Duration(time.Second)}},
		{{Stream: "a", Transition: "reset"}, {Transition: "append"}},
	} {
		if _, err := NewPlayer(PlayerConfig{Addr: "x", Script: script}); err == nil {
			t.Errorf("script %+v accepted", script)
		}
	}
	good := []PlayItem{{Stream: "a", Transition: "reset"}, {Stream: "b", Transition: "append"},
		{Stream: "c", Transition: "swap", OldStream: "b", At: spec.Duration(time.Second)}, {Transition: "stop", At: spec.Duration(2 * time.Second)}}
	if _, err := NewPlayer(PlayerConfig{Addr: "x", Script: good}); err != nil {
		t.Errorf("a valid script was refused: %v", err)
	}
}
