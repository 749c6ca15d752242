package fakeclient

import (
	"embed"

	"github.com/streamfault/streamfault/internal/spec"
)

//go:embed options.go options_player.go options_live.go
var optionSources embed.FS

// OptionDocs returns the doc comments of the client option types, for the JSON Schema.
func OptionDocs() (map[string]string, error) {
	return spec.DocComments(optionSources, "github.com/streamfault/streamfault/fakeclient")
}
