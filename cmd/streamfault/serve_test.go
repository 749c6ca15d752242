package main

import (
	"strings"
	"testing"
)

func TestServeLogsPeerStringsPrintably(t *testing.T) {
	for in, want := range map[string]string{"cam": "cam", "a b": "a b", "x\nFAKE line": `"x\nFAKE line"`, "\x1b[2J": `"\x1b[2J"`, "\xff": `"\xff"`} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %s, want %s", in, got, want)
		}
	}
	if got := printable(strings.Repeat("n", 10000)); len(got) > maxLogged+8 {
		t.Errorf("a 10,000-byte name logged as %d bytes", len(got))
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range []string{"run", "compare", "validate", "list", "check", "schema", "serve", "bench", "conformance", "version"} {
		for _, flag := range []string{"-h", "--help"} {
			var out, errb strings.Builder
			if code := run([]string{c, flag}, &out, &errb); code != 0 || !strings.Contains(out.String(), "streamfault "+c) || !strings.Contains(out.String(), "exit status") {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q", c, flag, code, out.String(), errb.String())
			}
		}
	}
	var out strings.Builder
	if code := run([]string{"version"}, &out, &out); code != 0 || !strings.HasPrefix(out.String(), "streamfault ") || !strings.Contains(out.String(), "github.com/yutopp/go-rtmp v0.0.7") {
		t.Errorf("version: exit %d, %q", code, out.String())
	}
}
