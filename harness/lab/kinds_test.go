package lab

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/nginx"
	"github.com/streamfault/streamfault/internal/spec"
)

// Every kind of subject keeps its word: what its Traits declare (validation trusts them
// before anything runs) is what its launched Subject implements.
func TestKindsKeepTheirTraits(t *testing.T) {
	ref := &Reference{}
	refSubj, err := ref.Launch(context.Background(), Env{Streams: []Stream{{Name: "s", Duration: spec.Duration(time.Second), FPS: 25, KeyframeInterval: spec.Duration(time.Second)}}}, ServerName)
	if err != nil {
		t.Fatal(err)
	}
	defer refSubj.Shutdown()
	kinds := map[string]Kind{
		KindReference: ref,
		KindProcess:   &ServerProcess{Command: []string{os.Args[0]}, Env: map[string]string{serveEnv: "{addr}"}},
		KindExternal:  &External{Address: refSubj.Addr()},
	}
	if nginx.Available(nginx.Config{}) == nil {
		kinds[KindNginx] = &Nginx{}
	} else if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") == "1" {
		t.Fatal("nginx-rtmp is required (STREAMFAULT_REQUIRE_TOOLS=1)")
	}
	for _, key := range KindKeys() {
		k, ok := kinds[key]
		if !ok {
			t.Logf("%s: not launched here", key)
			continue
		}
		if tk, _ := kindOf(key); tk == nil || tk.Traits() != k.Traits() {
			t.Fatalf("%s: kindOf does not make the table's kind", key)
		}
		subj := refSubj
		if key != KindReference {
			env := Env{Streams: []Stream{{Name: "s", Duration: spec.Duration(time.Second), FPS: 25, KeyframeInterval: spec.Duration(time.Second)}}}
			if subj, err = k.Launch(context.Background(), env, ServerName); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
		}
		tr := k.Traits()
		_, ctl := subj.(Controller)
		_, stall := subj.(MediaStaller)
		if ctl != tr.Controlled || stall != tr.MediaStall {
			t.Errorf("%s: traits say controlled %v, media stall %v; its subject is a Controller %v, a MediaStaller %v", key, tr.Controlled, tr.MediaStall, ctl, stall)
		}
		if !handshakes(subj.Addr()) {
			t.Errorf("%s: no handshake at %s", key, subj.Addr())
		}
		if key != KindReference {
			if err := subj.Shutdown(); err != nil {
				t.Errorf("%s: shutdown: %v", key, err)
			}
		}
	}
}

// Every entry of Subjects can be swapped only when both ends are Swappable, and the table's
// keys are what the scenario language accepts under server.
func TestSubjectsTable(t *testing.T) {
	for _, e := range Subjects {
		k := e.New()
		if k.Traits().AccessLog {
			t.Errorf("%s declares an access log: only the reference server reports one", e.Key)
		}
		if e.Doc == "" {
			t.Errorf("%s has no doc", e.Key)
		}
	}
	if got := DescribeKinds(func(t Traits) bool { return t.Controlled }); got != "the reference server, server.nginx or server.process" {
		t.Errorf("controlled kinds: %s", got)
	}
	if got := SwappableKinds(); len(got) != 2 || got[0] != KindReference || got[1] != KindNginx {
		t.Errorf("swappable kinds: %v", got)
	}
}
