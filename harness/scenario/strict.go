package scenario

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

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
// promise: every key that names no field — all of them, in source order (strict decoding
// reports one, picked from a map) — and a second YAML document. It returns the document's
// body with the unknown keys left out, for the decoder to find every other problem; stop is
// true when there is nothing to decode (a second document).
func shape(file string, data []byte, f *ast.File) (probs []Problem, body ast.Node, stop bool) {
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
			return []Problem{p}, nil, true
		}
		if unknownKeys(d.Body, reflect.TypeOf(Scenario{}), "", func(path string, key ast.MapKeyNode, msg string) {
			p := Problem{File: file, Field: path, Message: suggest(msg, path)}
			if tk := key.GetToken(); tk != nil && tk.Position != nil {
				p.Line, p.Column = tk.Position.Line, tk.Position.Column
			}
			probs = append(probs, p)
		}) {
			d.Body = emptyMapping(d.Body)
		}
		body = d.Body
	}
	return probs, body, false
}

// emptyMapping is an empty flow mapping where n was (a mapping whose every key was unknown).
func emptyMapping(n ast.Node) ast.Node { return ast.Mapping(n.GetToken(), true) }

var nodeUnmarshaler = reflect.TypeOf((*yaml.NodeUnmarshaler)(nil)).Elem()
var keyed = reflect.TypeOf((*spec.Keyed)(nil)).Elem()
var switched = reflect.TypeOf((*spec.Switched)(nil)).Elem()

// unknownKeys walks node along the Go type t and calls bad, with its message, for every
// mapping key that names no field of the type at that place; such keys are left out of the
// node. It returns true when node is a one-key mapping whose key was unknown: the caller puts
// an empty mapping in its place.
func unknownKeys(n ast.Node, t reflect.Type, path string, bad func(path string, key ast.MapKeyNode, msg string)) bool {
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
	switch {
	case pt.Implements(switched):
		return walkMapping(n, path, bad, switchedFields(n, t))
	case pt.Implements(nodeUnmarshaler) && !pt.Implements(keyed):
		return false // decodes itself (a duration)
	}
	switch t.Kind() {
	case reflect.Struct:
		return walkMapping(n, path, bad, func(name string) (reflect.Type, string) {
			if ft, ok := spec.FieldType(t, name); ok {
				return ft, ""
			}
			return nil, fmt.Sprintf("unknown field %q", name)
		})
	case reflect.Slice:
		if sq, ok := n.(*ast.SequenceNode); ok {
			for i, v := range sq.Values {
				if unknownKeys(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i), bad) {
					sq.Values[i] = emptyMapping(v)
				}
			}
		}
	}
	return false
}

// walkMapping checks every key of mapping n with field (its value's type, or why it is not
// a key here), reports and leaves out the unknown ones, and walks into the values.
func walkMapping(n ast.Node, path string, bad func(path string, key ast.MapKeyNode, msg string), field func(name string) (reflect.Type, string)) bool {
	check := func(kv *ast.MappingValueNode) bool { // false: leave kv out
		name := kv.Key.String()
		if s, ok := kv.Key.(*ast.StringNode); ok {
			name = s.Value
		}
		if _, merge := kv.Key.(*ast.MergeKeyNode); merge {
			return true
		}
		at := name
		if path != "" {
			at = path + "." + name
		}
		ft, why := field(name)
		if ft == nil {
			bad(at, kv.Key, why)
			return false
		}
		if unknownKeys(kv.Value, ft, at, bad) {
			kv.Value = emptyMapping(kv.Value)
		}
		return true
	}
	switch m := n.(type) {
	case *ast.MappingNode:
		m.Values = slices.DeleteFunc(m.Values, func(kv *ast.MappingValueNode) bool { return !check(kv) })
	case *ast.MappingValueNode:
		return !check(m)
	}
	return false // not a mapping: a type error, the decoder's to report
}

// switchedFields checks the keys of a mapping of a Switched type (a client entry): its own
// keys and those of the type its switch value picks (the role's options). A key of neither is
// unknown, and the message says which other values take it; with an unknown switch value
// (reported by validation) any key some value takes is let through.
func switchedFields(n ast.Node, t reflect.Type) func(name string) (reflect.Type, string) {
	sw := reflect.New(t).Interface().(spec.Switched)
	value := spec.SwitchValue(n, sw.SwitchKey())
	var picked reflect.Type
	for _, st := range sw.SwitchTypes() {
		if st.Key == value {
			picked = st.Type
		}
	}
	return func(name string) (reflect.Type, string) {
		if ft, ok := ownField(t, name); ok {
			return ft, ""
		}
		if picked == nil {
			if ft, ok := spec.FieldType(t, name); ok {
				return ft, ""
			}
			return nil, fmt.Sprintf("unknown field %q", name)
		}
		if ft, ok := spec.FieldType(picked, name); ok {
			return ft, ""
		}
		var others []string
		for _, st := range sw.SwitchTypes() {
			if _, ok := spec.FieldType(st.Type, name); ok {
				others = append(others, st.Key)
			}
		}
		msg := fmt.Sprintf("unknown field %q", name)
		if len(others) > 0 {
			return nil, msg + fmt.Sprintf(": not an option of %s %s (it is one of %s)", sw.SwitchKey(), value, strings.Join(others, ", "))
		}
		if best, ok := spec.Closest(name, append(spec.StructKeys(picked), ownKeys(t)...)); ok {
			msg += fmt.Sprintf("; did you mean %q?", best)
		}
		return nil, msg
	}
}

// ownField is the type of a field the struct type t declares itself.
func ownField(t reflect.Type, name string) (reflect.Type, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag == name && tag != "" && tag != "-" {
			return f.Type, true
		}
	}
	return nil, false
}

// ownKeys lists the YAML keys the struct type t declares itself.
func ownKeys(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	return out
}
