package scenario

import (
	"fmt"
	"reflect"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/streamfault/streamfault/internal/spec"
)

// Bounds of a scenario: a file asking for more is refused with a located message instead of
// running out of file handles or memory (the lab, the faults and the checkers bound their own
// lists).
const (
	MaxFileSize = 4 << 20
	MaxClients  = 2000
	MaxLabels   = 64
)

// shape reports, before decoding, what the decoder would refuse in an order it does not
// promise: a second YAML document, and every key that names no field — all of them, in
// source order (strict decoding reports one, picked from a map).
func shape(file string, data []byte, f *ast.File) []Problem {
	var probs []Problem
	docs := 0
	for _, d := range f.Docs {
		if d == nil || d.Body == nil {
			continue
		}
		docs++
		if docs == 2 {
			p := Problem{File: file, Message: "a scenario file holds one YAML document; a second one starts here"}
			tk := d.Start
			if tk == nil {
				tk = d.Body.GetToken()
			}
			if tk != nil && tk.Position != nil {
				p.Line, p.Column = tk.Position.Line, tk.Position.Column
			}
			return []Problem{p}
		}
		unknownKeys(d.Body, reflect.TypeOf(Scenario{}), "", func(path string, key ast.MapKeyNode, name string) {
			p := Problem{File: file, Field: path, Message: suggest(fmt.Sprintf("unknown field %q", name), path)}
			if tk := key.GetToken(); tk != nil && tk.Position != nil {
				p.Line, p.Column = tk.Position.Line, tk.Position.Column
			}
			probs = append(probs, p)
		})
	}
	return probs
}

var nodeUnmarshaler = reflect.TypeOf((*yaml.NodeUnmarshaler)(nil)).Elem()
var keyed = reflect.TypeOf((*spec.Keyed)(nil)).Elem()

// unknownKeys walks node along the Go type t and calls bad for every mapping key that names
// no field of the type at that place.
func unknownKeys(n ast.Node, t reflect.Type, path string, bad func(path string, key ast.MapKeyNode, name string)) {
	for {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
			continue
		case *ast.AnchorNode:
			n = v.Value
			continue
		}
		break
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(nodeUnmarshaler) && !pt.Implements(keyed) {
		return // decodes itself (a duration)
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := n.(ast.MapNode)
		if !ok {
			return // a type error, the decoder's to report
		}
		it := m.MapRange()
		for it.Next() {
			k := it.Key()
			name := k.String()
			if s, ok := k.(*ast.StringNode); ok {
				name = s.Value
			}
			if _, merge := k.(*ast.MergeKeyNode); merge {
				continue
			}
			field := name
			if path != "" {
				field = path + "." + name
			}
			ft, ok := spec.FieldType(t, name)
			if !ok {
				bad(field, k, name)
				continue
			}
			unknownKeys(it.Value(), ft, field, bad)
		}
	case reflect.Slice:
		s, ok := n.(*ast.SequenceNode)
		if !ok {
			return
		}
		for i, v := range s.Values {
			unknownKeys(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i), bad)
		}
	}
}
