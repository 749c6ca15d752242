package scenario

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"strings"

	"github.com/invopop/jsonschema"
	orderedmap "github.com/pb33f/ordered-map/v2"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/procactor"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/internal/spec"
)

// SchemaID is the $id of the scenario JSON Schema.
const SchemaID = "https://github.com/streamfault/streamfault/scenarios/schema.json"

//go:embed scenario.go
var modelSources embed.FS

// Schema returns the JSON Schema of a scenario file, generated from the Go types of every
// stage's options, with the types' doc comments as descriptions; a fault entry's kinds and an
// expect entry's checkers come from their tables. It is committed as scenarios/schema.json.
func Schema() ([]byte, error) {
	comments := map[string]string{}
	for _, docs := range []func() (map[string]string, error){
		func() (map[string]string, error) {
			return spec.DocComments(modelSources, reflect.TypeOf(Scenario{}).PkgPath())
		},
		spec.OptionDocs, lab.OptionDocs, fakeclient.OptionDocs, procactor.OptionDocs, role.OptionDocs, fault.OptionDocs, check.OptionDocs,
	} {
		m, err := docs()
		if err != nil {
			return nil, fmt.Errorf("scenario schema: %w", err)
		}
		maps.Copy(comments, m)
	}
	r := &jsonschema.Reflector{
		CommentMap:                 comments,
		RequiredFromJSONSchemaTags: true, // the loader applies defaults; nothing is required here
		AllowAdditionalProperties:  false,
	}
	s := r.Reflect(&Scenario{})
	s.ID = SchemaID
	s.Title = "streamfault scenario"
	for _, k := range fault.Kinds {
		addKey(r, s, "Fault", k.Key, k.Doc, k.New())
	}
	for _, k := range check.Checkers {
		addKey(r, s, "Expectation", k.Key, k.Doc, k.New())
	}
	for _, k := range lab.Subjects {
		addKey(r, s, "Server", k.Key, k.Doc, k.New())
	}
	addRoles(r, s)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("scenario schema: %w", err)
	}
	return append(b, '\n'), nil
}

// addKey adds a table key (a fault kind, a checker) to the definition def of the root
// schema: a property referring to the value's type, whose definitions join the root's.
func addKey(r *jsonschema.Reflector, root *jsonschema.Schema, def, key, doc string, value any) {
	vs := r.Reflect(value)
	maps.Copy(root.Definitions, vs.Definitions)
	root.Definitions[def].Properties.Set(key, &jsonschema.Schema{Ref: vs.Ref, Description: doc})
}

// addRoles makes the client entry's schema: its own keys, the role an enum of the table's,
// every role's options as properties (for completion), and per role (if role is R) only R's
// options beside the entry's own keys.
func addRoles(r *jsonschema.Reflector, root *jsonschema.Schema) {
	client := root.Definitions["Client"]
	roleProp, _ := client.Properties.Get("role")
	var keys []any
	for _, e := range role.Roles {
		keys = append(keys, e.Key)
	}
	roleProp.Enum = keys
	own := []string{}
	for p := client.Properties.Oldest(); p != nil; p = p.Next() {
		own = append(own, p.Key)
	}
	for _, e := range role.Roles {
		vs := r.Reflect(e.New())
		def := vs.Definitions[strings.TrimPrefix(vs.Ref, "#/$defs/")]
		maps.Copy(root.Definitions, vs.Definitions)
		delete(root.Definitions, strings.TrimPrefix(vs.Ref, "#/$defs/"))
		only := jsonschema.NewProperties()
		for _, k := range own {
			only.Set(k, &jsonschema.Schema{})
		}
		for p := def.Properties.Oldest(); p != nil; p = p.Next() {
			if _, dup := client.Properties.Get(p.Key); !dup {
				client.Properties.Set(p.Key, p.Value)
			}
			only.Set(p.Key, p.Value)
		}
		client.AllOf = append(client.AllOf, &jsonschema.Schema{
			If:   &jsonschema.Schema{Properties: props("role", &jsonschema.Schema{Const: e.Key}), Required: []string{"role"}},
			Then: &jsonschema.Schema{Description: e.Doc, Properties: only, AdditionalProperties: jsonschema.FalseSchema},
		})
	}
}

// props is a properties map of one key.
func props(key string, s *jsonschema.Schema) *orderedmap.OrderedMap[string, *jsonschema.Schema] {
	p := jsonschema.NewProperties()
	p.Set(key, s)
	return p
}
