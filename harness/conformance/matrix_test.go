package conformance

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/nginx"
)

// TestMatrix runs the table against the reference server (every cell must pass, or fail as
// its row's known difference says) and, when it is installed, nginx-rtmp (its cells are the
// control: logged, not asserted).
func TestMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ffmpeg, ffprobe, rtmpdump and nginx")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ref, err := StartReference()
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	subjects := []Subject{ref}
	if ng, err := StartNginx(ctx, nginx.Config{}); err == nil {
		defer ng.Close()
		subjects = append(subjects, ng)
	} else if RequireTools() {
		t.Fatal(err)
	} else {
		t.Logf("nginx-rtmp: %v", err)
	}
	cells, err := Run(ctx, subjects, Rows, t.TempDir(), func(c Cell) {
		t.Logf("%-9s %-40s %-10s %-4s %s", c.Row.Program, c.Row.Operation, c.Subject, c.Status, c.Detail)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Problems(cells, RequireTools()) {
		t.Errorf("reference server: %s", p)
	}
}

// TestProblemsAndMarkdown: a failed reference cell is a problem, a known failure is not but a
// known failure that passes is; nginx's cells never are; the table has a column per subject.
func TestProblemsAndMarkdown(t *testing.T) {
	ok := Row{Program: "p", Operation: "a|b"}
	known := Row{Program: "p", Operation: "k", Known: "on purpose"}
	cells := []Cell{
		{Row: ok, Subject: ReferenceName, Result: Result{Fail, "broke"}},
		{Row: ok, Subject: NginxName, Result: Result{Fail, "also"}},
		{Row: known, Subject: ReferenceName, Result: Result{Fail, "as known"}},
		{Row: known, Subject: NginxName, Result: Result{Pass, "fine"}},
	}
	if p := Problems(cells, false); len(p) != 1 || !strings.Contains(p[0], "broke") {
		t.Fatalf("problems %q", p)
	}
	cells[2].Status = Pass
	if p := Problems(cells, false); len(p) != 2 || !strings.Contains(p[1], "passes now") {
		t.Fatalf("problems %q", p)
	}
	cells[0].Status = Skip
	if p := Problems(cells, true); len(p) != 2 || !strings.Contains(p[0], "skipped") {
		t.Fatalf("problems with tools required %q", p)
	}
	md := Markdown(cells, []string{ReferenceName, NginxName})
	for _, want := range []string{"| program | operation | reference | nginx-rtmp |", `| p | a\|b | skip: broke | fail: also |`,
		"- p k: on purpose"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
