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
	"github.com/streamfault/streamfault/fakeserver"
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
	if err := addClosedSets(s); err != nil {
		return nil, err
	}
	if def, ok := s.Definitions["Scenario"]; ok {
		def.Required = []string{"name"}
		def.Properties.Delete("path") // set by the loader, never read from a file
	}
	walkSchema(s, describe)
	// A play item's transition is open (a scenario may send one the server does not know, to
	// see it refused): the known ones are offered as examples, not enforced.
	if item, ok := s.Definitions["PlayItem"]; ok {
		if tr, ok := item.Properties.Get("transition"); ok {
			tr.Examples = enum(fakeclient.Transitions)
		}
	}
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
	var mutants []any // every role's, for the property shared by all roles
	for p := client.Properties.Oldest(); p != nil; p = p.Next() {
		own = append(own, p.Key)
	}
	for _, e := range role.Roles {
		vs := r.Reflect(e.New())
		def := vs.Definitions[strings.TrimPrefix(vs.Ref, "#/$defs/")]
		if m, ok := def.Properties.Get("mutant"); ok {
			m.Enum = enum(roleMutants[e.Key])
			mutants = append(mutants, m.Enum...)
		}
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
	if m, ok := client.Properties.Get("mutant"); ok {
		union := *m
		union.Enum = mutants
		client.Properties.Set("mutant", &union)
	}
}

// props is a properties map of one key.
func props(key string, s *jsonschema.Schema) *orderedmap.OrderedMap[string, *jsonschema.Schema] {
	p := jsonschema.NewProperties()
	p.Set(key, s)
	return p
}

// roleMutants are the mutants each role accepts.
var roleMutants = map[string][]string{"player": fakeclient.Mutants, "publisher": fakeclient.PublisherMutants}

// closedSets are the properties whose values the loader takes from a closed set, by
// definition ("*" beginning a name: every definition that ends with the rest) and property: the schema lists
// them, so that an editor completes them and a validator refuses the others.
var closedSets = []struct {
	def, prop string
	values    []string
}{
	{"Reconnect", "on", fakeclient.ReconnectTriggers},
	{"Reconnect", "transition", fakeclient.ReconnectTransitions},
	{"Server", "quirks", fakeserver.Quirks},
	{"Client", "audio", fakeclient.Audios},
	{"*Toxic", "direction", fault.Directions},
	{"ServerTLS", "certificate", lab.CertConditions},
}

// addClosedSets sets the enums of closedSets; a set that matches no property is an error (a
// renamed type must not lose its enum silently).
func addClosedSets(root *jsonschema.Schema) error {
	for _, c := range closedSets {
		found := false
		for name, def := range root.Definitions {
			if prefix, ok := strings.CutPrefix(c.def, "*"); ok && !strings.HasSuffix(name, prefix) || !ok && name != c.def {
				continue
			}
			p, ok := def.Properties.Get(c.prop)
			if !ok {
				continue
			}
			if p.Type == "array" && p.Items != nil {
				p = p.Items
			}
			p.Enum, found = enum(c.values), true
		}
		if !found {
			return fmt.Errorf("scenario schema: no property %s.%s for its closed set", c.def, c.prop)
		}
	}
	return nil
}

// enum is values as a schema enum.
func enum(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// walkSchema calls f on s and on every schema within it.
func walkSchema(s *jsonschema.Schema, f func(*jsonschema.Schema)) {
	if s == nil {
		return
	}
	f(s)
	for _, d := range s.Definitions {
		walkSchema(d, f)
	}
	if s.Properties != nil {
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			walkSchema(p.Value, f)
		}
	}
	for _, list := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf} {
		for _, sub := range list {
			walkSchema(sub, f)
		}
	}
	for _, sub := range []*jsonschema.Schema{s.Items, s.If, s.Then, s.Else, s.Not} {
		walkSchema(sub, f)
	}
}

// describe makes the descriptions of s read well in an editor: a property that shares its
// doc comment with the one before it ("Ping and PingTimeout are …") gets that description
// too, and the doc comments' line wrapping is undone (an editor shows each line break as a
// paragraph); blank lines still separate paragraphs.
func describe(s *jsonschema.Schema) {
	s.Description = unwrap(s.Description)
	if s.Properties == nil {
		return
	}
	prev := ""
	for p := s.Properties.Oldest(); p != nil; p = p.Next() {
		p.Value.Description = unwrap(p.Value.Description)
		if w := strings.Fields(prev); p.Value.Description == "" && len(w) > 2 && w[1] == "and" {
			p.Value.Description = prev
		}
		prev = p.Value.Description
	}
}

// unwrap joins the lines of each paragraph of a doc comment.
func unwrap(doc string) string {
	paras := strings.Split(doc, "\n\n")
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(paras, "\n\n")
}
