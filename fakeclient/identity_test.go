package fakeclient

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/identity"
	"github.com/streamfault/streamfault/internal/media"
)

func TestIdentityRoundTrip(t *testing.T) {
	id := Identity{Client: "cam 2/&x", Conn: 7}
	obj := map[string]any{"app": "vod"}
	id.Put(obj)
	if got, ok := identity.Of(obj); !ok || got != id {
		t.Fatalf("%+v %v", got, ok)
	}
	anon := map[string]any{"app": "vod"}
	(Identity{}).Put(anon)
	if _, ok := identity.Of(anon); ok || len(anon) != 1 {
		t.Fatalf("an anonymous client declares nothing: %v", anon)
	}
}

// TestEveryConnectionDeclaresItself: a player reconnecting after its server restarts names
// itself and the connection's number in each connect, and the server logs it.
func TestEveryConnectionDeclaresItself(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	var ids []Identity
	srv := newServer(t, fakeserver.Config{Streams: []media.Spec{{Name: "s", Duration: 3 * time.Second, FPS: 25, KeyframeInterval: time.Second}},
		OnEvent: func(ev fakeserver.Event) {
			if ev.Kind == fakeserver.EventConnect {
				mu.Lock()
				queries = append(queries, ev.Query)
				ids = append(ids, ev.Declared)
				mu.Unlock()
			}
		}})
	p, err := NewPlayer(PlayerConfig{ID: "viewer", Addr: srv.Addr(), Stream: "s", BufferTime: 500 * time.Millisecond, Reconnect: &Reconnect{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(queries)
		mu.Unlock()
		if n >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(queries) < 2 {
		t.Fatalf("connects: %v", queries)
	}
	for i, id := range ids {
		if id.Client != "viewer" || id.Conn < i+1 || queries[i] != "" {
			t.Fatalf("connect %d declared %+v with query %q: want viewer, connection %d, nothing in the app", i+1, id, queries[i], i+1)
		}
	}
}
