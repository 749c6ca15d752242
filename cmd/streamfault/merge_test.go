package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	toxiclient "github.com/Shopify/toxiproxy/v2/client"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/toolcheck"
	"github.com/streamfault/streamfault/reports"
)

// junitSuites reads a JUnit file's testsuites by name, each as its XML with the attributes a
// merge may change (id) blanked.
func junitSuites(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name  string     `xml:"name,attr"`
			Inner string     `xml:",innerxml"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]string{}
	for _, s := range doc.Suites {
		var attrs []string
		for _, a := range s.Attrs {
			if a.Name.Local != "id" {
				attrs = append(attrs, a.Name.Local+"="+a.Value)
			}
		}
		slices.Sort(attrs)
		out[s.Name] = strings.Join(attrs, " ") + "\n" + s.Inner
	}
	return out
}

var repeatRow = regexp.MustCompile(`(?m)^(good|broken|other) +(\d+) `)

// TestMergeRoundTripsShards: three scenarios repeated twice, run whole and as two shards (at
// once); merging the shards gives the whole run's testcases with the same outcomes, each
// testsuite exactly as its shard wrote it, one JUnit valid against the Ant schema, one HTML
// index, one summary and the repeat table over both shards.
func TestMergeRoundTripsShards(t *testing.T) {
	dir := t.TempDir()
	set := filepath.Join(dir, "set")
	if err := os.Mkdir(set, 0o755); err != nil {
		t.Fatal(err)
	}
	writeScenario(t, set, "good", "")
	writeScenario(t, set, "other", "")
	writeScenario(t, set, "broken", ", mutant: resume-from-start")
	whole := filepath.Join(dir, "whole")
	var wout, werr bytes.Buffer
	if code := run([]string{"run", set, "-p", "6", "--repeat", "2", "--junit", filepath.Join(whole, "junit.xml")}, &wout, &werr); code != 1 {
		t.Fatalf("whole run: exit %d, want 1\n%s%s", code, wout.String(), werr.String())
	}
	shards := []string{filepath.Join(dir, "s1"), filepath.Join(dir, "s2")}
	outs := make([]bytes.Buffer, 2)
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i, sd := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var errb bytes.Buffer
			codes[i] = run([]string{"run", set, "-p", "4", "--repeat", "2", "--shard", []string{"1/2", "2/2"}[i],
				"--json", sd, "--junit", filepath.Join(sd, "junit.xml")}, &outs[i], &errb)
		}()
	}
	wg.Wait()
	merged := filepath.Join(dir, "merged")
	var mout, merr bytes.Buffer
	code := run([]string{"merge", shards[0], shards[1], "--junit", filepath.Join(merged, "junit.xml"),
		"--html", filepath.Join(merged, "html"), "--json", filepath.Join(merged, "json")}, &mout, &merr)
	if code != 1 {
		t.Fatalf("merge: exit %d, want 1 (broken fails)\n%s%s", code, mout.String(), merr.String())
	}
	toolcheck.ValidJUnit(t, filepath.Join(merged, "junit.xml"))

	wholeSuites, mergedSuites := junitSuites(t, filepath.Join(whole, "junit.xml")), junitSuites(t, filepath.Join(merged, "junit.xml"))
	var names []string
	for n := range wholeSuites {
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"broken#1", "broken#2", "good#1", "good#2", "other#1", "other#2"}; !slices.Equal(names, want) {
		t.Fatalf("the whole run's testcases: %v", names)
	}
	if len(mergedSuites) != len(wholeSuites) {
		t.Fatalf("merged %d testsuites, the whole run %d", len(mergedSuites), len(wholeSuites))
	}
	shardSuites := map[string]string{}
	for i, sd := range shards {
		if codes[i] > 1 {
			t.Fatalf("shard %d: exit %d\n%s", i+1, codes[i], outs[i].String())
		}
		for n, s := range junitSuites(t, filepath.Join(sd, "junit.xml")) {
			shardSuites[n] = s
		}
	}
	for _, n := range names {
		m, ok := mergedSuites[n]
		if !ok {
			t.Fatalf("merged lacks %s", n)
		}
		if failed := strings.Contains(m, "<failure"); failed != strings.HasPrefix(n, "broken") || failed != strings.Contains(wholeSuites[n], "<failure") {
			t.Errorf("%s: failed %v in the merge; the whole run's:\n%.300s", n, failed, wholeSuites[n])
		}
		if m != shardSuites[n] {
			t.Errorf("%s: the merged testsuite differs from its shard's:\nmerged:\n%.1500s\nshard:\n%.1500s", n, m, shardSuites[n])
		}
	}
	if !strings.Contains(mout.String(), "4 passed, 2 failed") || !strings.Contains(wout.String(), "4 passed, 2 failed") {
		t.Fatalf("summaries: merged %q, whole %q", mout.String(), wout.String())
	}
	wholeRows, mergedRows := repeatRow.FindAllStringSubmatch(wout.String(), -1), repeatRow.FindAllStringSubmatch(mout.String(), -1)
	if len(mergedRows) != 3 || len(wholeRows) != 3 {
		t.Fatalf("repeat tables: merged %v, whole %v", mergedRows, wholeRows)
	}
	for _, m := range mergedRows {
		if m[2] != "2" { // each scenario's two runs lost the connection once each
			t.Errorf("merged repeat row %q: n %s, want 2 (both runs, from whichever shard)", m[0], m[2])
		}
	}
	index, err := os.ReadFile(filepath.Join(merged, "html", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !strings.Contains(string(index), n) {
			t.Errorf("the merged HTML index lacks %s", n)
		}
	}
	jsons, _ := filepath.Glob(filepath.Join(merged, "json", "*.json"))
	if len(jsons) != 6 {
		t.Errorf("merged JSON reports: %v", jsons)
	}
}

// writeReport writes a minimal report of a run named name into dir.
func writeReport(t *testing.T, dir, name string, err error) {
	t.Helper()
	base, _, _ := strings.Cut(name, "#")
	s := &scenario.Scenario{Name: base, Path: base + ".yaml"}
	r := reports.Run{Name: name, File: s.Path, Err: err, Started: time.Now(), Elapsed: time.Second}
	if err == nil {
		r.Result = &harness.Result{Scenario: s, History: &history.History{Scenario: base}}
	}
	if _, werr := reports.WriteJSONFile(dir, reports.FromRun(r)); werr != nil {
		t.Fatal(werr)
	}
}

// TestMergeRefusesWhatItCannotJoin: overlapping shards, a file that is no report and a folder
// that does not exist are refused with exit 2 and nothing written; an empty shard (more
// shards than scenarios) is said and joined; a run a harness error left without a result
// stays an error in the merged JUnit.
func TestMergeRefusesWhatItCannotJoin(t *testing.T) {
	dir := t.TempDir()
	a, b, empty, junk := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "empty"), filepath.Join(dir, "junk")
	writeReport(t, a, "x", nil)
	writeReport(t, b, "y#1", errors.New("lab: toxiproxy unreachable"))
	writeReport(t, b, "y#2", nil)
	for _, d := range []string{empty, junk} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(junk, "package.json"), []byte(`{"name": "not a report"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	junit := filepath.Join(dir, "out", "junit.xml")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{a, a}, "is in " + filepath.Join(a, "x.json") + " and in " + filepath.Join(a, "x.json")},
		{[]string{a, junk}, "package.json: not a streamfault report"},
		{[]string{a, filepath.Join(dir, "missing")}, "no such file or directory"},
		{[]string{empty}, "no report in"},
		{nil, "usage: streamfault merge"},
	} {
		var out, errb bytes.Buffer
		if code := run(append([]string{"merge", "--junit", junit}, c.args...), &out, &errb); code != 2 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("merge %v: exit %d, stderr %q; want 2 and %q", c.args, code, errb.String(), c.want)
		}
		if _, err := os.Stat(junit); err == nil {
			t.Fatalf("merge %v wrote %s although it refused", c.args, junit)
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"merge", a, b, empty, "--junit", junit}, &out, &errb); code != 1 {
		t.Fatalf("merge with a harness error: exit %d, want 1\n%s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "shard "+empty+" holds no report") || !strings.Contains(out.String(), "2 passed, 1 failed") {
		t.Fatalf("stdout %q stderr %q", out.String(), errb.String())
	}
	suites := junitSuites(t, junit)
	if len(suites) != 3 || !strings.Contains(suites["y#1"], `type="harness"`) || !strings.Contains(suites["y#1"], "toxiproxy unreachable") {
		t.Fatalf("merged JUnit: %v", suites)
	}
	toolcheck.ValidJUnit(t, junit)
}

// TestShardsShareOneExternalToxiproxy: both shards of a suite, and shard 1 of a second
// pipeline (the same scenario names), as separate processes at the same time against one
// toxiproxy-server, with routes of one name and drops at the same moment: each run sees
// exactly its own drop (one reconnect per viewer), all pass, and the server holds no proxy
// afterwards.
func TestShardsShareOneExternalToxiproxy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds streamfault and toxiproxy-server")
	}
	bin := buildCLI(t)
	url, _ := toolcheck.ToxiproxyServer(t)
	dir := t.TempDir()
	set := filepath.Join(dir, "set")
	if err := os.Mkdir(set, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b", "c", "d"} {
		f := writeScenario(t, set, n, "")
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, []byte("  - reconnects: {client: viewer, count: 1}\n")...)
		if err := os.WriteFile(f, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type result struct {
		out  string
		code int
	}
	shards := []string{"1/2", "2/2", "1/2"}
	results := make([]result, len(shards))
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "run", set, "-p", "2", "--toxiproxy", url, "--shard", shards[i],
				"--json", filepath.Join(dir, fmt.Sprintf("s%d", i+1)))
			out, err := cmd.CombinedOutput()
			results[i] = result{string(out), cmd.ProcessState.ExitCode()}
			if err != nil && cmd.ProcessState == nil {
				results[i] = result{err.Error(), -1}
			}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 || strings.Count(r.out, "PASS ") != 2 || !strings.Contains(r.out, "reconnects=pass") {
			t.Errorf("shard %s (process %d): exit %d\n%s", shards[i], i+1, r.code, r.out)
		}
	}
	proxies, err := toxiclient.NewClient(url).Proxies()
	if err != nil || len(proxies) != 0 {
		t.Fatalf("toxiproxy-server after both shards: %v, %d proxies left", err, len(proxies))
	}
	var out, errb bytes.Buffer
	if code := run([]string{"merge", filepath.Join(dir, "s1"), filepath.Join(dir, "s2")}, &out, &errb); code != 0 || !strings.Contains(out.String(), "4 passed, 0 failed") {
		t.Fatalf("merge: exit %d\n%s%s", code, out.String(), errb.String())
	}
}
