package fakeserver

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/status"
)

// strict-names: a publish on an application whose name holds a query gets Publish.Start, then
// the session is closed with the reason logged; a clean name publishes and holds.
func TestQuirkStrictNames(t *testing.T) {
	s, rec := newServer(t, Config{Apps: []string{"live"}, Quirks: []string{QuirkStrictNames}})
	bad := dialApp(t, s, "live?sfclient=cam")
	bad.publish("cam")
	g := bad.collect(3 * time.Second)
	if !slices.Contains(g.codes, status.PublishStart) {
		t.Fatalf("codes %v: the strict server accepts first", g.codes)
	}
	if _, err := bad.c.Read(); err == nil {
		t.Fatal("the session is still open")
	}
	found := false
	for _, e := range rec.all(EventError) {
		found = found || strings.Contains(e.Reason, "invalid stream path characters")
	}
	if !found {
		t.Fatalf("no reason logged: %v", rec.kinds())
	}
	good := dialApp(t, s, "live")
	good.publish("cam")
	if g := good.collect(time.Second); !slices.Contains(g.codes, status.PublishStart) {
		t.Fatalf("a clean name: %v", g.codes)
	}
	if len(rec.all(EventPublish)) != 1 {
		t.Fatalf("publishes logged: %d, want the clean one", len(rec.all(EventPublish)))
	}
}

// late-badname: a second publisher of a held name is told Publish.Start, then Publish.BadName
// a second later, and its session ends.
func TestQuirkLateBadName(t *testing.T) {
	s, _ := newServer(t, Config{Apps: []string{"live"}, Quirks: []string{QuirkLateBadName}})
	first := dialApp(t, s, "live")
	first.publish("cam")
	first.collect(time.Second, status.PublishStart)
	second := dialApp(t, s, "live")
	t0 := time.Now()
	second.publish("cam")
	g := second.collect(5*time.Second, status.PublishBadName)
	if len(g.codes) < 2 || g.codes[0] != status.PublishStart || g.codes[len(g.codes)-1] != status.PublishBadName {
		t.Fatalf("codes %v: want Publish.Start, then Publish.BadName", g.codes)
	}
	if d := time.Since(t0); d < LateBadNameAfter-100*time.Millisecond {
		t.Fatalf("revoked after %v, want about %v", d, LateBadNameAfter)
	}
}

// no-play2: play2 is an unknown command; play still works.
func TestQuirkNoPlay2(t *testing.T) {
	s, _ := newServer(t, Config{Streams: []media.Spec{{Name: "s", Duration: 2 * time.Second, FPS: 25, KeyframeInterval: time.Second}}, Quirks: []string{QuirkNoPlay2}})
	tc := dialServer(t, s)
	tc.play2(map[string]any{"streamName": "s", "transition": "reset"})
	if g := tc.collect(time.Second); len(g.frames) > 0 || slices.Contains(g.codes, status.PlayStart) {
		t.Fatalf("play2 played: %v", g.log)
	}
	tc.play("s", 0.0)
	if g := tc.collect(3*time.Second, status.PlayStart); !slices.Contains(g.codes, status.PlayStart) {
		t.Fatalf("play: %v", g.codes)
	}
	if _, err := New(Config{Quirks: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), "not a quirk") {
		t.Fatalf("an unknown quirk: %v", err)
	}
}
