package scenario

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// node is a schema read as plain JSON.
type node = map[string]any

// TestEverySchemaKeyIsKnownToTheLoader walks every property of the committed schema and loads
// a scenario that uses it (its value made from its schema: an enum's or an example's first,
// a duration, a string, a number…): the loader may find the value wrong for the scenario, but
// never the key unknown — so nothing the schema offers an editor is refused as a key.
func TestEverySchemaKeyIsKnownToTheLoader(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var root node
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	defs := root["$defs"].(node)
	// place[def] puts a value of def where the loader reads it, in a document of its own.
	place := map[string]func(v any) node{"Scenario": func(v any) node { return v.(node) }}
	queue := []string{"Scenario"}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		props, _ := defs[name].(node)["properties"].(node)
		for _, key := range sortedKeys(props) {
			sub, list := refOf(props[key].(node))
			if sub == "" || place[sub] != nil || defs[sub].(node)["properties"] == nil {
				continue
			}
			outer := place[name]
			place[sub] = func(v any) node {
				if list {
					v = []any{v}
				}
				return outer(node{key: v})
			}
			queue = append(queue, sub)
		}
	}
	checked := 0
	for _, name := range sortedKeys(defs) {
		props, _ := defs[name].(node)["properties"].(node)
		if props == nil {
			continue
		}
		if place[name] == nil {
			t.Errorf("%s: no way from the scenario's root to this definition", name)
			continue
		}
		for _, key := range sortedKeys(props) {
			obj := node{key: valueOf(defs, props[key].(node))}
			if name == "Client" {
				obj["role"] = roleWith(defs[name].(node), key)
			}
			doc := withBase(place[name](obj))
			src, _ := json.Marshal(doc)
			_, err := Parse("walk.yaml", src)
			if err != nil && strings.Contains(err.Error(), fmt.Sprintf("unknown field %q", key)) {
				t.Errorf("%s.%s: the schema offers it, the loader refuses it: %v\n%s", name, key, err, src)
			}
			checked++
		}
	}
	if checked < 200 {
		t.Fatalf("only %d keys walked", checked)
	}
}

// withBase fills the top-level keys a scenario needs around doc's own.
func withBase(doc node) node {
	base := node{"name": "walk", "server": node{"streams": []any{node{"name": "s", "duration": "2s"}}},
		"routes":  []any{node{"name": "r"}},
		"clients": []any{node{"name": "v", "role": "player", "route": "r", "play": []any{node{"stream": "s"}}}},
		"expect":  []any{node{"playsToEnd": node{"client": "v"}}}}
	for k, v := range doc {
		base[k] = v
	}
	return base
}

// refOf is the definition a property refers to, and whether through a list.
func refOf(p node) (string, bool) {
	if items, ok := p["items"].(node); ok {
		p = items
		name, _ := refOf(p)
		return name, true
	}
	ref, _ := p["$ref"].(string)
	return strings.TrimPrefix(ref, "#/$defs/"), false
}

// valueOf makes a value a property's schema accepts.
func valueOf(defs node, p node) any {
	for _, k := range []string{"enum", "examples"} {
		if vs, ok := p[k].([]any); ok && len(vs) > 0 {
			return vs[0]
		}
	}
	if ref, list := refOf(p); ref != "" {
		var v any = node{}
		switch d := defs[ref].(node); {
		case ref == "Duration":
			v = "1s"
		case d["type"] == "string":
			v = "x"
		case d["properties"] == nil && d["type"] != "object":
			v = "x"
		}
		if list {
			return []any{v}
		}
		return v
	}
	switch p["type"] {
	case "string":
		return "x"
	case "integer", "number":
		return 1
	case "boolean":
		return true
	case "array":
		if items, ok := p["items"].(node); ok {
			return []any{valueOf(defs, items)}
		}
		return []any{}
	}
	return node{}
}

// roleWith is a role whose options include key (a client entry's own keys: any role).
func roleWith(client node, key string) string {
	all, _ := client["allOf"].([]any)
	for _, a := range all {
		cond := a.(node)
		then, _ := cond["then"].(node)
		props, _ := then["properties"].(node)
		if _, ok := props[key]; ok {
			role := cond["if"].(node)["properties"].(node)["role"].(node)["const"]
			return role.(string)
		}
	}
	return "player"
}

func sortedKeys(m node) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
