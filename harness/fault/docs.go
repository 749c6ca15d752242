package fault

import (
	"embed"

	"github.com/streamfault/streamfault/internal/spec"
)

// The package's sources (test files are skipped by spec.DocComments).
//
//go:embed *.go
var optionSources embed.FS

// OptionDocs returns the doc comments of the fault option types, for the JSON Schema.
func OptionDocs() (map[string]string, error) {
	return spec.DocComments(optionSources, "github.com/streamfault/streamfault/harness/fault")
}
