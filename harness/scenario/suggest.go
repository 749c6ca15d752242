package scenario

import (
	"reflect"
	"regexp"
	"strings"

	"github.com/streamfault/streamfault/internal/spec"
)

var unknownField = regexp.MustCompile(`unknown field "([^"]+)"`)

// suggest adds a "did you mean" to an unknown-field message when a known key of the same
// mapping is close to the misspelt one.
func suggest(msg, path string) string {
	m := unknownField.FindStringSubmatch(msg)
	if m == nil || m[0] != msg { // not found, or already explained
		return msg
	}
	bad := m[1]
	best, bestDist := "", 3
	for _, k := range keysAt(parentPath(path)) {
		if d := spec.EditDistance(strings.ToLower(bad), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return msg
	}
	return msg + `; did you mean "` + best + `"?`
}

// keysAt lists the YAML keys of the mapping at path (e.g. "clients[0]"), following the
// scenario's Go types (and the tables of fault kinds and checkers).
func keysAt(path string) []string {
	t := reflect.TypeOf(Scenario{})
	if path != "" {
		for _, seg := range strings.Split(path, ".") {
			if i := strings.IndexByte(seg, '['); i >= 0 {
				seg = seg[:i]
			}
			f, ok := spec.FieldType(t, seg)
			if !ok {
				return nil
			}
			t = f
		}
	}
	return spec.StructKeys(t)
}
