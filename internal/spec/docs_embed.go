package spec

import "embed"

//go:embed duration.go refs.go
var sources embed.FS

// OptionDocs returns the doc comments of this package's option types, for the JSON Schema.
func OptionDocs() (map[string]string, error) {
	return DocComments(sources, "github.com/streamfault/streamfault/internal/spec")
}
