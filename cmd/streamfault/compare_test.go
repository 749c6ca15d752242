package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
)

// compare runs one scenario against the reference server and nginx-rtmp and prints both
// columns: the reference server resumes at the offset, nginx-rtmp serves from 0 again.
func TestCompareReferenceAndNginx(t *testing.T) {
	dir := t.TempDir()
	f := writeScenario(t, dir, "cmp", "")
	stall := filepath.Join(dir, "inside.yaml")
	src := strings.Replace(strings.Replace(quickScenario, "%NAME%", "inside", 1), "drop: {route: wifi}", "for: 500ms, stallMedia: {}", 1)
	if err := os.WriteFile(stall, []byte(strings.Replace(src, "%MUTANT%", "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	html := filepath.Join(dir, "html")
	code := run([]string{"compare", "-p", "2", "--html", html, f, stall}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	table := out.String()
	var row, na string
	for _, l := range strings.Split(table, "\n") {
		if strings.HasPrefix(l, "| cmp |") {
			row = l
		}
		if strings.HasPrefix(l, "| inside |") {
			na = l
		}
	}
	if !strings.Contains(table, "| scenario | reference | nginx |") {
		t.Fatalf("no table head:\n%s", table)
	}
	cells := strings.Split(row, " | ")
	if len(cells) != 3 || !strings.Contains(cells[1], "resumesAtOffset=pass") || !strings.Contains(cells[2], "resumesAtOffset=fail") {
		t.Fatalf("row %q: want resumesAtOffset=pass against the reference server and fail against nginx", row)
	}
	if !strings.Contains(na, "n/a: ") || !strings.Contains(na, "stallMedia acts inside the reference server") {
		t.Fatalf("row %q: a fault only the reference server takes must make the nginx cell n/a", na)
	}
	index, err := os.ReadFile(filepath.Join(html, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(index), "Side by side") || !strings.Contains(string(index), "resumesAtOffset=fail") {
		t.Fatal("the HTML index has no side-by-side table")
	}
}

// compare takes named subjects of any kind: an external address (here the reference server
// started by the test, so its verdict is known) beside the reference server, and a subjects
// file naming a server program; a name that is nothing is refused.
func TestCompareNamedSubjects(t *testing.T) {
	srv, err := fakeserver.New(fakeserver.Config{Apps: []string{"*"}, Streams: []media.Spec{{Name: "s", Duration: 4 * time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	dir := t.TempDir()
	f := writeScenario(t, dir, "cmp", "")
	var out, errb bytes.Buffer
	code := run([]string{"compare", "-p", "2", "--subject", "theirs={external: {address: " + srv.Addr() + "}}", f}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "| scenario | reference | theirs |") {
		t.Fatalf("no table head for reference and theirs:\n%s", out.String())
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "| cmp |") && strings.Count(l, "resumesAtOffset=pass") != 2 {
			t.Fatalf("row %q: the external server is the reference server, so both resume at the offset", l)
		}
	}
	file := filepath.Join(dir, "subjects.yaml")
	if err := os.WriteFile(file, []byte("mine: {process: {command: [my-server, \"{port}\"]}}\nbroken: {process: {command: [x]}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run([]string{"compare", "--subjects-file", file, f}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "broken") || !strings.Contains(errb.String(), "names no {port}") {
		t.Fatalf("a subjects file with a broken entry: exit %d, %s", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"compare", "--subjects", "reference,nope", f}, &out, &errb); code != 2 || !strings.Contains(errb.String(), `"nope" is neither a named subject nor a kind`) {
		t.Fatalf("an unknown subject: exit %d, %s", code, errb.String())
	}
}
