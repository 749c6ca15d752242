package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateBundledScenarios(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"validate", "../../scenarios"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), " 0 invalid") {
		t.Fatalf("output: %s", out.String())
	}
}

func TestValidateReportsPositions(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(f, []byte("name: x\nroutes: [{name: r}]\nclientz: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"validate", f}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errb.String(), f+":3:1: ") || !strings.Contains(errb.String(), "clientz") {
		t.Fatalf("stderr: %s", errb.String())
	}
}

func TestUsageAndSchema(t *testing.T) {
	var out, errb bytes.Buffer
	for _, args := range [][]string{nil, {"nope"}, {"validate"}, {"validate", "/does/not/exist"},
		{"conformance", "extra"}, {"conformance", "--bogus"}, {"bench"}, {"bench", "nope"}, {"bench", "relay", "--readers", "0"},
		{"bench", "players", "a.yaml", "b.yaml"}} {
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	out.Reset()
	if code := run([]string{"schema"}, &out, &errb); code != 0 || !strings.Contains(out.String(), `"$schema"`) {
		t.Fatalf("schema: exit %d", code)
	}
}
