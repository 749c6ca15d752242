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
	if m == nil {
		return msg
	}
	bad := m[1]
	best, bestDist := "", 3
	for _, k := range keysAt(parentPath(path)) {
		if d := editDistance(strings.ToLower(bad), strings.ToLower(k)); d < bestDist {
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

// editDistance is the optimal-string-alignment distance between a and b: insertions,
// deletions, substitutions and transpositions of neighbours ("dorp" is 1 from "drop").
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
