package scenario

import (
	"embed"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"

	"github.com/invopop/jsonschema"
)

// SchemaID is the $id of the scenario JSON Schema.
const SchemaID = "https://github.com/streamfault/streamfault/scenarios/schema.json"

// The model's own sources, for the schema's descriptions.
//
//go:embed scenario.go faults.go
var modelSources embed.FS

// Schema returns the JSON Schema of a scenario file, generated from the Go types, with the
// types' doc comments as descriptions. It is committed as scenarios/schema.json.
func Schema() ([]byte, error) {
	comments, err := docComments()
	if err != nil {
		return nil, err
	}
	r := &jsonschema.Reflector{
		CommentMap:                 comments,
		RequiredFromJSONSchemaTags: true, // the loader applies defaults; nothing is required here
		AllowAdditionalProperties:  false,
	}
	s := r.Reflect(&Scenario{})
	s.ID = SchemaID
	s.Title = "streamfault scenario"
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("scenario schema: %w", err)
	}
	return append(b, '\n'), nil
}

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

// docComments maps "pkgpath.Type" and "pkgpath.Type.Field" to their doc comments.
func docComments() (map[string]string, error) {
	pkg := reflect.TypeOf(Scenario{}).PkgPath()
	out := map[string]string{}
	files, err := modelSources.ReadDir(".")
	if err != nil {
		return nil, fmt.Errorf("scenario schema: %w", err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		src, err := modelSources.ReadFile(f.Name())
		if err != nil {
			return nil, fmt.Errorf("scenario schema: %w", err)
		}
		file, err := parser.ParseFile(fset, f.Name(), src, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("scenario schema: %w", err)
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil {
					doc = gd.Doc
				}
				if text := strings.TrimSpace(doc.Text()); text != "" {
					out[pkg+"."+ts.Name.Name] = text
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, field := range st.Fields.List {
					text := strings.TrimSpace(field.Doc.Text())
					for _, name := range field.Names {
						if text != "" {
							out[pkg+"."+ts.Name.Name+"."+name.Name] = text
						}
					}
				}
			}
		}
	}
	return out, nil
}
