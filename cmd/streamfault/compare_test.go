package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
