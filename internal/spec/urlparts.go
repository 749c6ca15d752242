package spec

import (
	"fmt"
	"strings"
	"unicode"
)

// Bounds of the parts of an RTMP URL a scenario gives.
const (
	MaxStreamKey = 1024
	MaxAppPath   = 256
)

// StreamKey checks a live stream name as publishers and players send it: real-world keys carry
// queries (cam?token=abc&exp=1), so anything printable goes but spaces, control characters
// and ':' (the separator of the synthetic media's frame identity), within MaxStreamKey bytes.
func StreamKey(s string) error {
	if err := urlPart(s, MaxStreamKey); err != nil {
		return err
	}
	if strings.ContainsRune(s, ':') {
		return fmt.Errorf("%q holds ':' (it separates a synthetic frame's stream and index)", s)
	}
	return nil
}

// AppPath checks an RTMP application as clients put it in their connect: a name, an instance
// path (live/room1) and a query (live?token=abc) are as servers in the wild take them; within
// MaxAppPath bytes, no spaces or control characters.
func AppPath(s string) error { return urlPart(s, MaxAppPath) }

// urlPart checks a part of a URL: not empty, at most max bytes, valid UTF-8, printable, no
// space.
func urlPart(s string, max int) error {
	switch {
	case s == "":
		return fmt.Errorf("is empty")
	case len(s) > max:
		return fmt.Errorf("%d bytes exceed the limit of %d", len(s), max)
	}
	for _, r := range s {
		if r == unicode.ReplacementChar || unicode.IsControl(r) || unicode.IsSpace(r) {
			return fmt.Errorf("%q holds a space, a control character or invalid UTF-8", s)
		}
	}
	return nil
}
