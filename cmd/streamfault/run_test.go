package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/joshdk/go-junit"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/toolcheck"
	"github.com/streamfault/streamfault/reports"
)

const quickScenario = `name: %NAME%
labels: [quick]
server: {streams: [{name: s, duration: 4s}]}
routes: [{name: wifi}]
clients:
  - {name: viewer, role: player, route: wifi, bufferTime: 1s, play: [{stream: s}], reconnect: {}%MUTANT%}
faults: [{at: 1500ms, drop: {route: wifi}}]
expect:
  - resumesAtOffset: {client: viewer}
  - playsToEnd: {client: viewer, within: 10s}
`

func writeScenario(t *testing.T, dir, name, mutant string) string {
	t.Helper()
	src := strings.NewReplacer("%NAME%", name, "%MUTANT%", mutant).Replace(quickScenario)
	f := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

type junitDoc struct {
	Suites []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Props    []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		SystemOut string `xml:"system-out"`
		Cases     []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
			} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestRunWritesJUnitAndJSONAndCheckAgrees(t *testing.T) {
	dir := t.TempDir()
	writeScenario(t, dir, "good", "")
	writeScenario(t, dir, "broken", ", mutant: resume-from-start")
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := run([]string{"run", dir, "-p", "2", "--junit", filepath.Join(out, "junit.xml"), "--json", out}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one scenario fails)\n%s%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "1 passed, 1 failed") || !strings.Contains(stdout.String(), "FAIL  broken") {
		t.Fatalf("progress/summary: %s", stdout.String())
	}
	b, err := os.ReadFile(filepath.Join(out, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("junit does not parse: %v", err)
	}
	if len(doc.Suites) != 2 {
		t.Fatalf("junit: %d testsuites, want one per run", len(doc.Suites))
	}
	for _, s := range doc.Suites {
		if s.Tests != 1 || len(s.Cases) != 1 || s.Cases[0].Name != s.Name {
			t.Fatalf("junit suite %s: %+v", s.Name, s)
		}
		c := s.Cases[0]
		props := map[string]string{}
		for _, p := range s.Props {
			props[p.Name] = p.Value
		}
		if props["viewer.reconnects"] != "1" || props["viewer.recovery.ms"] == "" || !strings.Contains(props["viewer.resume.offsets"], "requested=") {
			t.Errorf("%s: properties %v", c.Name, props)
		}
		if c.Name == "broken" {
			if s.Failures != 1 || c.Failure == nil || !strings.Contains(c.Failure.Message, "rendered twice") {
				t.Fatalf("the failure message must say what broke: %+v", c.Failure)
			}
			if !strings.Contains(s.SystemOut, "NetConnection.Connect.Closed") {
				t.Fatalf("system-out should hold the timeline: %q", s.SystemOut)
			}
		} else if c.Failure != nil || s.Failures != 0 {
			t.Fatalf("good failed: %s", c.Failure.Message)
		}
	}
	toolcheck.ValidJUnit(t, filepath.Join(out, "junit.xml"))
	// A real JUnit consumer reads the same thing.
	suites, err := junit.IngestFile(filepath.Join(out, "junit.xml"))
	if err != nil || len(suites) != 2 {
		t.Fatalf("go-junit: %v (%d suites)", err, len(suites))
	}
	failed, passed := 0, 0
	for _, su := range suites {
		failed += su.Totals.Failed
		passed += su.Totals.Passed
		for _, tc := range su.Tests {
			if tc.Name == "broken" && (tc.Status != junit.StatusFailed || !strings.Contains(tc.Message, "rendered twice")) {
				t.Errorf("go-junit: broken is %s %q", tc.Status, tc.Message)
			}
		}
		if su.Properties["scenario.file"] == "" {
			t.Errorf("go-junit: suite %s has no scenario.file property: %v", su.Name, su.Properties)
		}
	}
	if failed != 1 || passed != 1 {
		t.Fatalf("go-junit totals: %d failed, %d passed", failed, passed)
	}

	// Offline re-check of the saved histories gives the same outcome.
	stdout.Reset()
	if code := run([]string{"check", filepath.Join(out, "broken.json")}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stdout.String(), "resumesAtOffset(viewer): fail: frames 0..") {
		t.Fatalf("check broken: exit %d %s", code, stdout.String())
	}
	stdout.Reset()
	if code := run([]string{"check", filepath.Join(out, "good.json")}, &stdout, &stderr); code != 0 {
		t.Fatalf("check good: exit %d %s", code, stdout.String())
	}
}

func TestRunUsageAndInvalid(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("name: x\nbogus: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	for _, args := range [][]string{
		{"run", dir},                              // invalid scenario
		{"run", "/does/not/exist"},                // missing path
		{"run", "--repeat", "0", dir},             // bad flag value
		{"run", "--label-filter", "((", dir},      // bad filter
		{"check"},                                 // no report
		{"check", filepath.Join(dir, "bad.yaml")}, // not a report
	} {
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	good := t.TempDir()
	writeScenario(t, good, "good", "")
	if code := run([]string{"run", good, "--label-filter", "slow"}, &stdout, &stderr); code != 2 ||
		!strings.Contains(stderr.String(), "no scenario selected") {
		t.Errorf("a filter that selects nothing: exit %d", code)
	}
	stderr.Reset()
	if code := run([]string{"run", "--shard", "3/2", good}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "1 ≤ K ≤ N") {
		t.Errorf("--shard 3/2: exit %d, %s", code, stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"run", "--shard", "2/2", good}, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "shard 2/2: 0 of the 1 scenarios selected") {
		t.Errorf("an empty shard: exit %d, %s (want 0: nothing to run is no failure)", code, stderr.String())
	}
	stdout.Reset()
	if code := run([]string{"list", good}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "good") || !strings.Contains(stdout.String(), "[quick]") {
		t.Errorf("list: %d %s", code, stdout.String())
	}
}

func TestRepeatsGetTheirOwnSeeds(t *testing.T) {
	src := strings.Replace(quickScenario, "faults: [{at: 1500ms, drop: {route: wifi}}]",
		"nemesis: {seed: 5, kinds: [drop, stall], route: wifi, count: 2, minGap: 1s, maxGap: 2s}", 1)
	dir := t.TempDir()
	f := filepath.Join(dir, "n.yaml")
	if err := os.WriteFile(f, []byte(strings.NewReplacer("%NAME%", "n", "%MUTANT%", "").Replace(src)), 0o644); err != nil {
		t.Fatal(err)
	}
	all, ok := loadScenarios([]string{f}, &bytes.Buffer{})
	if !ok {
		t.Fatal("load")
	}
	a, b := withSeed(all[0], 100, 0, 2), withSeed(all[0], 100, 1, 2)
	if a.Nemesis.Seed != 100 || b.Nemesis.Seed != 101 || len(a.Faults) != 2 || len(b.Faults) != 2 {
		t.Fatalf("seeds %d %d, faults %d %d", a.Nemesis.Seed, b.Nemesis.Seed, len(a.Faults), len(b.Faults))
	}
	again := withSeed(all[0], 100, 0, 2)
	for i := range a.Faults {
		if *a.Faults[i].At != *again.Faults[i].At || a.Faults[i].Kind != again.Faults[i].Kind {
			t.Fatal("the same seed must give the same schedule")
		}
	}
	if all[0].Nemesis.Seed != 5 {
		t.Fatal("the loaded scenario must not be modified")
	}
	if same := withSeed(all[0], 0, 0, 1); same != all[0] {
		t.Fatal("a single run keeps the scenario's own seed")
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one poller.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestServePrintsPlayableURLs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- serveCmd(ctx, []string{"--stream", "a:5s", "--stream", "b:2s"}, out, &bytes.Buffer{}) }()
	re := regexp.MustCompile(`ffplay rtmp://(127\.0\.0\.1:\d+)/vod/a`)
	deadline := time.Now().Add(5 * time.Second)
	var addr string
	for addr == "" {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no URL printed: %q", out.String())
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	c, err := rtmpconn.Dial(ctx, addr, rtmpconn.Options{})
	if err != nil {
		t.Fatalf("the printed address does not answer RTMP: %v", err)
	}
	c.Close()
	if !strings.Contains(out.String(), "vod/b") {
		t.Fatalf("stream b missing: %s", out.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
	if code := serveCmd(ctx, []string{"--stream", "nocolon"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Fatalf("bad --stream: exit %d", code)
	}
	var errb bytes.Buffer
	if code := serveCmd(ctx, []string{"--addr", "0.0.0.0:0"}, &bytes.Buffer{}, &errb); code != 2 || !strings.Contains(errb.String(), "--allow-remote") {
		t.Fatalf("every interface without --allow-remote: exit %d: %s", code, errb.String())
	}
	// With the opt-in, the printed URL is one a client can dial (not rtmp://[::]:PORT).
	ctx2, cancel2 := context.WithCancel(context.Background())
	out2 := &syncBuffer{}
	done2 := make(chan int, 1)
	go func() {
		done2 <- serveCmd(ctx2, []string{"--addr", "0.0.0.0:0", "--allow-remote", "--app", "vod", "--app", "live", "--live", "cam"}, out2, &bytes.Buffer{})
	}()
	re2 := regexp.MustCompile(`ffplay rtmp://(127\.0\.0\.1:\d+)/vod/myStream`)
	for deadline := time.Now().Add(5 * time.Second); re2.FindStringSubmatch(out2.String()) == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no loopback URL printed: %q", out2.String())
		}
	}
	if !strings.Contains(out2.String(), "every interface") || !strings.Contains(out2.String(), "live cam: publish") {
		t.Fatalf("output: %s", out2.String())
	}
	cancel2()
	<-done2
}

func TestRepeatTableCountsRepublishesAndShowsNothingMeasured(t *testing.T) {
	vod, live := &scenario.Scenario{Name: "vod"}, &scenario.Scenario{Name: "quiet"}
	pub := &scenario.Scenario{Name: "pub"}
	result := func(s *scenario.Scenario, i int, client string, took ...time.Duration) reports.Run {
		r := &harness.Result{Scenario: s, History: &history.History{}, Recoveries: map[string][]check.Recovery{}}
		for _, d := range took {
			r.Recoveries[client] = append(r.Recoveries[client], check.Recovery{Took: d})
		}
		return reports.Run{Name: fmt.Sprintf("%s#%d", s.Name, i), Result: r}
	}
	runs := []reports.Run{
		result(vod, 1, "viewer", 250*time.Millisecond), result(vod, 2, "viewer", 260*time.Millisecond),
		result(pub, 1, "cam", 10020*time.Millisecond), result(pub, 2, "cam", 10030*time.Millisecond),
		result(live, 1, "cam"), result(live, 2, "cam"),
	}
	var out bytes.Buffer
	code := finish(runs, runOptions{repeat: 2}, time.Now(), &out, io.Discard)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	for _, want := range []string{
		"recovery (fault to first frame or republish)",
		"vod                                                  2      250ms      260ms      260ms",
		"pub                                                  2    10020ms    10030ms    10030ms",
		"quiet                                                0         -         -         -",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the repeat table lacks %q:\n%s", want, out.String())
		}
	}
}

// TestCLIAndSuiteRefuseTheSameSets: run, list, validate and the scenario suite (which loads
// with scenario.LoadPaths) refuse a set with a name used twice and a broken file with the
// same messages, the duplicate naming both files.
func TestCLIAndSuiteRefuseTheSameSets(t *testing.T) {
	dir := t.TempDir()
	first := writeScenario(t, dir, "a", "")
	dup := filepath.Join(dir, "b.yaml")
	src, _ := os.ReadFile(first)
	if err := os.WriteFile(dup, src, 0o644); err != nil { // b.yaml says name: a
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c.yaml"), []byte("name: c\nrootes: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, suiteErr := scenario.LoadPaths(dir)
	if suiteErr == nil {
		t.Fatal("the suite's loader accepted a set with a name used twice")
	}
	want := suiteErr.Error()
	for _, frag := range []string{dup + `: name "a" is already used by ` + first, "c.yaml:2:1: rootes: unknown field"} {
		if !strings.Contains(want, frag) {
			t.Fatalf("the suite's loader says\n%s\nwithout %q", want, frag)
		}
	}
	for _, args := range [][]string{{"run", dir}, {"list", dir}, {"compare", dir}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stdout %s)", args, code, stdout.String())
		}
		if got := strings.TrimSpace(stderr.String()); got != want {
			t.Errorf("%v says\n%s\nthe suite's loader\n%s", args, got, want)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"validate", dir}, &stdout, &stderr); code != 1 {
		t.Errorf("validate: exit %d, want 1", code)
	}
	if got := strings.TrimSpace(stderr.String()); got != want {
		t.Errorf("validate says\n%s\nthe suite's loader\n%s", got, want)
	}
	if !strings.Contains(stdout.String(), "1 valid, 2 invalid") {
		t.Errorf("validate: %s", stdout.String())
	}
}
