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
