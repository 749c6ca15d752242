package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/toolcheck"
)

// hostileStrings are what a program or a server may print or send.
var hostileStrings = []string{"\x00\x01\x02", "\x1b[31mred\x1b[0m", "]]>", "<![CDATA[", "\xff\xfe invalid", "a\rb\nc", "</system-out>", "&amp;&", "\u2028\ufffe", `<script>document.title="pwned"</script>`, `"><img src=x onerror="document.title='pwned'">`, strings.Repeat("x", 9<<20)}

// hostileResult is a failed run whose history holds every hostile string (in a program's
// output and command, a status) and numbers that are not finite, recorded as the harness does.
func hostileResult() *harness.Result {
	r := history.NewRecorder(nil, "hostile")
	nan, inf := math.NaN(), math.Inf(1)
	for _, s := range hostileStrings {
		r.Record(history.Event{Source: "p", Kind: history.KindProcOutput, Code: "stderr", Message: s})
		r.Record(history.Event{Source: "p", Kind: history.KindTapCommand, Command: "play2", Stream: s, Offset: &nan, Start: &inf})
		r.Record(history.Event{Source: "p", Kind: history.KindTapStatus, Code: s, Kbps: nan})
	}
	h := r.History()
	s := &scenario.Scenario{Name: "hostile", Expect: []check.Expectation{check.New(&check.StatusReceived{ClientRef: spec.ClientRef{Client: "p"}, Code: "NetStream.Play.Start"})}}
	return &harness.Result{Scenario: s, History: h, Verdicts: check.Run(h, s.Expect), Elapsed: time.Second}
}

func TestReportsAreWrittenWhateverTheContent(t *testing.T) {
	res := hostileResult()
	if res.Passed() {
		t.Fatal("the hostile run should fail (no Play.Start), so that JUnit carries its timeline")
	}
	// JSON: written, parsed back, every string bounded, the non-finite numbers gone and said so.
	dir := t.TempDir()
	path, err := WriteJSONFile(dir, FromResult(res))
	if err != nil {
		t.Fatalf("the JSON report of a run with hostile content: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatal("the JSON report does not parse")
	}
	if len(b) > 1<<20 {
		t.Fatalf("the JSON report is %d bytes: a 9 MiB string was kept whole", len(b))
	}
	if !bytes.Contains(b, []byte("not a finite number, dropped")) || !bytes.Contains(b, []byte("[cut: 9437184 bytes]")) {
		t.Fatal("the report does not say what it dropped and cut")
	}
	// JUnit: a well-formed document (Go's decoder refuses characters XML cannot carry).
	var out bytes.Buffer
	if err := WriteJUnit(&out, "scenarios", time.Now(), []Run{{Name: "hostile", File: "h.yaml", Result: res, Elapsed: time.Second}}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Out string `xml:"system-out"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("the JUnit report is not well-formed XML: %v", err)
	}
	if len(doc.Suites) != 1 || !strings.Contains(doc.Suites[0].Out, "]]>") || !strings.Contains(doc.Suites[0].Out, "\ufffd") {
		t.Fatalf("system-out should carry the timeline with the unrepresentable characters replaced: %q", doc.Suites[0].Out)
	}
	// The JUnit file validates against the published Ant schema (xmllint).
	junitFile := filepath.Join(dir, "junit.xml")
	if err := os.WriteFile(junitFile, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	toolcheck.ValidJUnit(t, junitFile)
	// HTML: written, and what Chromium makes of it holds the hostile strings as text only: no
	// script ran, no element was injected, the console stayed clean.
	if err := WriteHTML(filepath.Join(dir, "html"), []Run{{Name: "hostile", File: "h.yaml", Result: res}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"index.html", "hostile.html"} {
		dom, log := toolcheck.Chromium(t, filepath.Join(dir, "html", page), "--dump-dom")
		for _, line := range toolcheck.ConsoleErrors(log) {
			t.Errorf("%s console: %s", page, line)
		}
		if bytes.Contains(dom, []byte("pwned</title>")) || bytes.Contains(dom, []byte(`<img src="x"`)) || bytes.Contains(dom, []byte("<script>")) {
			t.Errorf("%s: a hostile string became markup in Chromium's DOM", page)
		}
		if page != "index.html" && !bytes.Contains(dom, []byte("&lt;script&gt;document.title")) {
			t.Errorf("%s: the hostile string is not shown as text", page)
		}
	}
}
