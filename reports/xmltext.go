package reports

import (
	"strings"
	"unicode/utf8"
)

// xmlText makes s valid XML character data whatever it holds: a program's or a server's output
// may carry control characters, escape sequences or invalid UTF-8, which XML 1.0 cannot carry
// (encoding/xml escapes them in attributes and text, but writes CDATA sections as they are).
// Each such character becomes U+FFFD.
func xmlText(s string) string {
	ok := true
	for _, r := range s {
		if !xmlChar(r) {
			ok = false
			break
		}
	}
	if ok && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s { // invalid UTF-8 ranges as utf8.RuneError, itself U+FFFD
		if !xmlChar(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

// xmlChar tells whether r is a character XML 1.0 allows.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
