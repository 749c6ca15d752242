package procactor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

type recorded struct {
	mu  sync.Mutex
	evs []history.Event
}

func (r *recorded) add(_ time.Time, e history.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, e)
}

func (r *recorded) of(kind string) []history.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []history.Event
	for _, e := range r.evs {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func newActor(t *testing.T, command []string, rec *recorded) *Actor {
	t.Helper()
	s := Spec{Command: command, Grace: spec.Duration(500 * time.Millisecond)}
	s.Default()
	a, err := New(Config{Name: "p", Spec: s, Stream: "clip", App: "vod", Upstream: "127.0.0.1:1", Out: filepath.Join(t.TempDir(), "out", "p"), OnEvent: rec.add})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRunRecordsOutputAndExit(t *testing.T) {
	var rec recorded
	a := newActor(t, []string{"sh", "-c", "echo {url}; echo oops >&2; exit 3"}, &rec)
	if err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := rec.of(history.KindProcOutput)
	var lines []string
	for _, e := range out {
		lines = append(lines, e.Code+": "+e.Message)
	}
	joined := strings.Join(lines, "\n")
	if !strings.Contains(joined, "stdout: rtmp://127.0.0.1:") || !strings.Contains(joined, "/vod/clip") || !strings.Contains(joined, "stderr: oops") {
		t.Fatalf("output %q: want the expanded URL on stdout and oops on stderr", joined)
	}
	if ex := rec.of(history.KindProcExit); len(ex) != 1 || ex[0].Message != "exit status 3" {
		t.Fatalf("exit events %+v", ex)
	}
}

// A manual stop ends a program that ignores SIGINT too: SIGKILL after the grace.
func TestStopKillsAfterGrace(t *testing.T) {
	var rec recorded
	a := newActor(t, []string{"sh", "-c", "trap '' INT; echo ready; while :; do sleep 0.1; done"}, &rec)
	done := make(chan error, 1)
	go func() { done <- a.Run(context.Background()) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(rec.of(history.KindProcOutput)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the program did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after a stop")
	}
	ex := rec.of(history.KindProcExit)
	if want := "stopped by the harness (manual stop): SIGINT, then SIGKILL after 500ms, as it had not ended"; len(ex) != 1 || ex[0].Message != want {
		t.Fatalf("exit %+v: want %q", ex, want)
	}
	if st := rec.of(history.KindProcStop); len(st) != 1 || !strings.Contains(st[0].Message, "manual stop") {
		t.Fatalf("stop events %+v", st)
	}
}

// A program that ends on SIGINT: the exit says the harness stopped it, and how it ended.
func TestStopInWords(t *testing.T) {
	var rec recorded
	a := newActor(t, []string{"sh", "-c", "trap 'exit 0' INT; echo ready; while :; do sleep 0.05; done"}, &rec)
	done := make(chan error, 1)
	go func() { done <- a.Run(context.Background()) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(rec.of(history.KindProcOutput)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the program did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	a.Stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ex := rec.of(history.KindProcExit)
	if want := "stopped by the harness (manual stop): SIGINT; it ended (exit status 0)"; len(ex) != 1 || ex[0].Message != want {
		t.Fatalf("exit %+v: want %q", ex, want)
	}
}

// {client} is the client's name; {out} its folder of the run, made before the program starts.
func TestClientAndOutPlaceholders(t *testing.T) {
	var rec recorded
	a := newActor(t, []string{"sh", "-c", "echo {client} > {out}/log.txt && cat {out}/log.txt"}, &rec)
	if err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := rec.of(history.KindProcOutput)
	if len(out) != 1 || out[0].Message != "p" {
		t.Fatalf("output %+v: want the client's name, written into {out} and read back", out)
	}
	if b, err := os.ReadFile(filepath.Join(a.cfg.Out, "log.txt")); err != nil || string(b) != "p\n" {
		t.Fatalf("{out}/log.txt: %q, %v", b, err)
	}
}

func TestMissingProgramIsAnError(t *testing.T) {
	var rec recorded
	a := newActor(t, []string{"no-such-program-streamfault"}, &rec)
	if err := a.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "no-such-program-streamfault") {
		t.Fatalf("err = %v", err)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		spec   Spec
		stream string
		want   string
	}{
		{Spec{}, "", "command: is required"},
		{Spec{Command: []string{"ffmpeg", "-i", "{URL}"}}, "s", "{URL} is not a placeholder"},
		{Spec{Command: []string{"ffmpeg", "-i", "{url}"}}, "", "give the client a stream"},
		{Spec{Command: []string{"x"}, Grace: spec.Duration(2 * time.Hour)}, "", "grace"},
		{Spec{Command: []string{"x"}, Env: map[string]string{"A=B": "1"}}, "", "not a variable name"},
	}
	for _, c := range cases {
		c.spec.Default()
		p := spec.NewProblems()
		c.spec.Validate(p, c.stream)
		var msgs []string
		for _, pr := range p.List() {
			msgs = append(msgs, pr.Field+": "+pr.Message)
		}
		if !strings.Contains(strings.Join(msgs, "\n"), c.want) {
			t.Errorf("%+v: problems %q, want %q", c.spec, msgs, c.want)
		}
	}
	ok := Spec{Command: []string{"ffmpeg", "-i", "{url}", "{dir}/x"}}
	ok.Default()
	p := spec.NewProblems()
	ok.Validate(p, "s")
	if len(p.List()) != 0 {
		t.Errorf("a valid spec: %v", p.List())
	}
}
