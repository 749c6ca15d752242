package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
)

// TestOwnServerGuide walks the README's "Test your own server, step by step" literally, with
// the reference server started by the test as "a server you started": copy the bundled
// scenario, put in the README's server block with its address, run it, compare it beside the
// reference server. The steps are read from the README, so the guide and the test cannot
// drift apart.
func TestOwnServerGuide(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	guide := string(readme)
	i := strings.Index(guide, "**Test your own server, step by step**")
	if i < 0 {
		t.Fatal("the README has no own-server guide")
	}
	guide = guide[i:]
	copyStep := regexp.MustCompile("`cp (scenarios/[a-z-]+\\.yaml) mine\\.yaml`").FindStringSubmatch(guide)
	block := regexp.MustCompile("(?s)```yaml\n(.*?)\n *```").FindStringSubmatch(guide)
	if copyStep == nil || block == nil {
		t.Fatalf("the guide lost its copy step or its server block:\n%.600s", guide)
	}
	for _, step := range []string{"`streamfault run mine.yaml --html out/`", "`streamfault compare --subjects reference,own\n   mine.yaml`"} {
		if !strings.Contains(guide, step) {
			t.Fatalf("the guide lost the step %s", step)
		}
	}
	// A server you started yourself.
	srv, err := fakeserver.New(fakeserver.Config{Apps: []string{"*"}, Streams: []media.Spec{{Name: "clip", Duration: 10 * time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	// 1. Copy a bundled scenario.
	src, err := os.ReadFile(filepath.Join("../..", copyStep[1]))
	if err != nil {
		t.Fatal(err)
	}
	// 2. Replace its server block by the README's, at this server's address.
	var lines []string
	for _, l := range strings.Split(block[1], "\n") {
		lines = append(lines, strings.TrimPrefix(l, "   "))
	}
	server := strings.ReplaceAll(strings.Join(lines, "\n"), "127.0.0.1:1935", srv.Addr()) + "\n"
	s := string(src)
	from, to := strings.Index(s, "\nserver:\n"), strings.Index(s, "\nroutes:")
	if from < 0 || to < from {
		t.Fatalf("%s has no server block to replace", copyStep[1])
	}
	dir := t.TempDir()
	mine := filepath.Join(dir, "mine.yaml")
	renamed := regexp.MustCompile(`(?m)^name: .*$`).ReplaceAllString(s[:from+1]+server+s[to+1:], "name: mine")
	if err := os.WriteFile(mine, []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	// 3. Run it.
	var out, errb bytes.Buffer
	if code := run([]string{"run", mine, "--html", filepath.Join(dir, "out")}, &out, &errb); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "PASS  mine") {
		t.Fatalf("run: %s", out.String())
	}
	// 4. Beside the reference server.
	out.Reset()
	if code := run([]string{"compare", "--subjects", "reference,own", mine}, &out, &errb); code != 0 {
		t.Fatalf("compare: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	row := ""
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "| mine |") {
			row = l
		}
	}
	if !strings.Contains(out.String(), "| scenario | reference | own |") || strings.Count(row, "resumesAtOffset=pass") != 2 {
		t.Fatalf("compare:\n%s", out.String())
	}
}
