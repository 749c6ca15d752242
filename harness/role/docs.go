package role

import (
	"embed"

	"github.com/streamfault/streamfault/internal/spec"
)

//go:embed player.go publisher.go viewer.go process.go
var optionSources embed.FS

// OptionDocs returns the doc comments of the roles' option types, for the JSON Schema.
func OptionDocs() (map[string]string, error) {
	return spec.DocComments(optionSources, "github.com/streamfault/streamfault/harness/role")
}
