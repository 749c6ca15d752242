package scenario

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/streamfault/streamfault/harness/check"
)

// runLine is one line of the README's sample `make run` output: state, scenario, time, then
// the verdicts as checker=status.
var runLine = regexp.MustCompile(`^(PASSED|FAILED|SKIPPED)\s+(\S+)\s+[0-9.]+s\s*(.*)$`)

// The README's sample `make run` output cannot drift from the bundled scenarios: it lists each
// of them once, with its checkers in the order of its expect list, each with a status
// its controls demand (pass, or fail/unknown for a declared control). Times and recovery
// figures are measured and not compared.
func TestReadmeRunSampleMatchesTheScenarios(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sample, ok := strings.Cut(string(readme), "A `make run` prints, once all")
	if !ok {
		t.Fatal("the README has no sample make run output")
	}
	_, sample, _ = strings.Cut(sample, "```\n")
	sample, _, _ = strings.Cut(sample, "```")
	all, err := LoadPaths(filepath.Join("..", "..", "scenarios"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]string{}
	lines := strings.Split(strings.TrimSpace(sample), "\n")
	for _, line := range lines {
		m := runLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("sample line %q is not a scenario's", line)
			continue
		}
		if byName[m[2]] != nil {
			t.Errorf("the sample lists %s twice", m[2])
		}
		byName[m[2]] = m
	}
	if len(lines) != len(all) {
		t.Errorf("the sample lists %d scenarios, the suite has %d", len(lines), len(all))
	}
	for _, s := range all {
		m := byName[s.Name]
		if m == nil {
			t.Errorf("the sample does not list %s", s.Name)
			continue
		}
		verdictsText := m[3]
		for _, cut := range []string{"recovery(", "unfired("} {
			if i := strings.Index(verdictsText, cut); i >= 0 {
				verdictsText = verdictsText[:i]
			}
		}
		var verdicts []check.Verdict
		for _, tok := range strings.Fields(verdictsText) {
			name, status, ok := strings.Cut(tok, "=")
			if !ok {
				t.Errorf("%s: %q is not checker=status", s.Name, tok)
				continue
			}
			verdicts = append(verdicts, check.Verdict{Checker: name, Status: check.Status(status)})
		}
		if len(verdicts) != len(s.Expect) {
			t.Errorf("%s: the sample shows %d verdicts, the scenario expects %d", s.Name, len(verdicts), len(s.Expect))
			continue
		}
		for k, e := range s.Expect {
			verdicts[k].Subject = e.Params.Subject()
			if verdicts[k].Checker != e.Name {
				t.Errorf("%s: verdict %d is %s in the sample, %s in the scenario", s.Name, k+1, verdicts[k].Checker, e.Name)
			}
		}
		if problems := s.Controls().Problems(verdicts); len(problems) > 0 {
			t.Errorf("%s: the sample's statuses are not what its controls demand: %v", s.Name, problems)
		}
	}
}

// Every complete scenario the README shows (a yaml block with a name) loads as it stands.
func TestReadmeScenariosLoad(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	n := 0
	for _, b := range blocks {
		if !strings.HasPrefix(b[1], "name:") {
			continue // a fragment (a server or clients block)
		}
		n++
		if _, err := Parse("README.md", []byte(b[1])); err != nil {
			t.Errorf("the README's scenario does not load:\n%v\n%s", err, b[1])
		}
	}
	if n == 0 {
		t.Fatal("no complete scenario in the README")
	}
}
