package role

import (
	"strings"
	"testing"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/procactor"
	"github.com/streamfault/streamfault/internal/spec"
)

// Every role keeps its word: what its Traits declare (validation trusts them before anything
// runs) is what its actor implements.
func TestRolesKeepTheirTraits(t *testing.T) {
	opts := map[string]Options{
		"player":    &Player{fakeclient.PlayerOptions{Play: []fakeclient.PlayItem{{Stream: "s"}}}},
		"publisher": &Publisher{fakeclient.PublisherOptions{Stream: "cam"}},
		"viewer":    &Viewer{fakeclient.ViewerOptions{Stream: "cam"}},
		KeyProcess:  &Process{procactor.Options{Stream: "s", Process: &procactor.Spec{Command: []string{"true"}}}},
	}
	env := Env{Name: "c", Addr: "127.0.0.1:1", VODApp: "vod", LiveApp: "live", History: history.NewRecorder(nil, "roles")}
	for _, e := range Roles {
		o, ok := opts[e.Key]
		if !ok {
			t.Fatalf("role %s has no case here", e.Key)
		}
		if Name(o) != e.Key {
			t.Fatalf("Name(%T) = %q, want %q", o, Name(o), e.Key)
		}
		o.Default()
		p := spec.NewProblems()
		o.Validate(p, Scope{Streams: spec.Names{"s": true}})
		if len(p.List()) > 0 {
			t.Fatalf("%s: %v", e.Key, p.List())
		}
		a, err := o.Actor(env)
		if err != nil {
			t.Fatalf("%s: %v", e.Key, err)
		}
		tr := o.Traits()
		_, stops := a.(fakeclient.Stopper)
		_, moves := a.(fakeclient.Mover)
		_, tapped := a.(*procactor.Actor)
		if stops != tr.Stops || moves != tr.Moves || tapped != tr.Tapped {
			t.Errorf("%s: traits %+v; its actor stops %v, moves %v, tapped %v", e.Key, tr, stops, moves, tapped)
		}
		if c, ok := a.(interface{ Close() error }); ok {
			_ = c.Close()
		}
	}
	if got := Describe(func(t Traits) bool { return t.Stops }); got != "publisher and process clients" {
		t.Errorf("Describe(stops) = %q", got)
	}
}

// A program's application follows the subject's: its VOD one for a stream of the catalogue
// (a query aside), its live one for any other name; one the scenario gives wins.
func TestProcessAppFollowsTheSubject(t *testing.T) {
	env := Env{Name: "p", Addr: "127.0.0.1:1", VODApp: "vod", LiveApp: "live", Catalogue: spec.Names{"clip": true}}
	for _, c := range []struct{ stream, app, want string }{
		{"clip", "", "/vod/clip"},
		{"clip?token=1", "", "/vod/clip?token=1"},
		{"cam", "", "/live/cam"},
		{"cam", "mine", "/mine/cam"},
	} {
		p := &Process{procactor.Options{Stream: c.stream, Process: &procactor.Spec{Command: []string{"x", "{url}"}, App: c.app}}}
		a, err := p.Actor(env)
		if err != nil {
			t.Fatal(err)
		}
		args := a.(*procactor.Actor).Args()
		_ = a.(*procactor.Actor).Close()
		if !strings.HasSuffix(args[1], c.want) {
			t.Errorf("stream %q app %q: url %s, want …%s", c.stream, c.app, args[1], c.want)
		}
	}
}
