// Package spec is the vocabulary every stage's options share: a YAML duration, problems located
// by field path, sets of names for cross-references, decoding of "one key of a table" entries
// (a fault kind, a checker) and doc comments for the JSON Schema. Each stage (fakeclient, lab,
// fault, check) owns its option types, defaults and validation; the scenario decoder composes
// them with these pieces.
package spec

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/invopop/jsonschema"
)

// Duration is a time.Duration written in YAML as a Go duration string ("4s", "250ms").
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML parses "4s", "1.5s", "250ms" (a bare 0 is zero); an error carries the
// node's position.
func (d *Duration) UnmarshalYAML(n ast.Node) error {
	if err := d.parse(n.String()); err != nil {
		return &yaml.SyntaxError{Message: err.Error(), Token: n.GetToken()}
	}
	return nil
}

func (d *Duration) parse(text string) error {
	s := strings.TrimSpace(text)
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	} else if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		s = s[1 : len(s)-1]
	}
	if s == "0" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (write e.g. 4s, 1.5s or 250ms)", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a Go duration string (for JSON).
func (d *Duration) UnmarshalText(b []byte) error { return d.parse(string(b)) }

// JSONSchema describes a Duration: a Go duration string, or 0.
func (Duration) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Description: `A Go duration such as "4s", "1.5s", "250ms" or "1m30s".`,
		AnyOf: []*jsonschema.Schema{
			{Type: "string", Pattern: `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$`},
			{Type: "integer", Enum: []any{0}},
		},
	}
}
