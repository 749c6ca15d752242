package procactor

import (
	"embed"

	"github.com/streamfault/streamfault/internal/spec"
)

//go:embed spec.go
var optionSources embed.FS

// OptionDocs returns the doc comments of a process client's option types, for the JSON Schema.
func OptionDocs() (map[string]string, error) {
	return spec.DocComments(optionSources, "github.com/streamfault/streamfault/harness/procactor")
}
