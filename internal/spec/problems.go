package spec

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Problem is one thing wrong with an option, named by its YAML path (e.g. clients[0].route).
type Problem struct {
	// Field is the YAML path of the offending field.
	Field string
	// Message says what is wrong.
	Message string
}

// Problems collects problems under a field path; the zero value is not usable, start with
// NewProblems.
type Problems struct {
	prefix string
	list   *[]Problem
}

// NewProblems starts an empty collection.
func NewProblems() Problems { return Problems{list: new([]Problem)} }

// At is the collection seen from field (relative to the current path): problems added to it
// are named under that field.
func (p Problems) At(field string) Problems {
	return Problems{prefix: p.join(field), list: p.list}
}

// Add records a problem of field (relative; "" is the current path itself).
func (p Problems) Add(field, format string, args ...any) {
	*p.list = append(*p.list, Problem{Field: p.join(field), Message: fmt.Sprintf(format, args...)})
}

// List returns every problem recorded so far, in the order they were added.
func (p Problems) List() []Problem { return *p.list }

func (p Problems) join(field string) string {
	switch {
	case field == "":
		return p.prefix
	case p.prefix == "":
		return field
	case strings.HasPrefix(field, "["):
		return p.prefix + field
	}
	return p.prefix + "." + field
}

// NonNegative adds "must not be negative" for a negative duration.
func (p Problems) NonNegative(field string, d Duration) {
	if d < 0 {
		p.Add(field, "must not be negative")
	}
}

// Names is a set of the names a scenario defines (routes, clients, servers, ...), for
// cross-reference checks.
type Names map[string]bool

// Known formats the set for a message: " (defined: a, b)", or "" when empty.
func (n Names) Known() string {
	var names []string
	for k := range n {
		if k != "" {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return " (defined: " + strings.Join(names, ", ") + ")"
}

var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// SafeName tells whether s holds only letters, digits, '.', '_' and '-' (and starts with a
// letter or digit): names that travel in URLs, proxy names and file names.
func SafeName(s string) bool { return safeName.MatchString(s) }

// SafeNameRule is the message for a name that is not SafeName.
const SafeNameRule = "may hold only letters, digits, '.', '_' and '-'"
