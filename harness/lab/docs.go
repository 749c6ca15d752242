package lab

import (
	"embed"

	"github.com/streamfault/streamfault/internal/spec"
)

//go:embed options.go servertls.go subject_*.go
var optionSources embed.FS

// OptionDocs returns the doc comments of the lab's option types, for the JSON Schema.
func OptionDocs() (map[string]string, error) {
	return spec.DocComments(optionSources, "github.com/streamfault/streamfault/harness/lab")
}
