package spec

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// Member is one key of a table found in a keyed mapping, with its decoded value.
type Member struct {
	// Key is the YAML key.
	Key string
	// Value points to the decoded value (the table's New for Key).
	Value any
}

// KeyType is a key of a table with the type of its value, for suggestions and schemas.
type KeyType struct {
	// Key is the YAML key.
	Key string
	// Type is the type its value decodes into.
	Type reflect.Type
}

// Keyed is implemented by types whose YAML mapping holds, besides their own fields, keys of
// a table (a fault's kind, a checker's name); the scenario decoder follows it for "did you
// mean" suggestions.
type Keyed interface {
	// TableKeys lists the table's keys in order with their value types.
	TableKeys() []KeyType
}

// DecodeKeyed decodes a YAML mapping whose keys are either fields of fixed (a pointer to a
// struct) or keys of a table: newValue returns a pointer to a new value for a table key (ok
// false for a key not in the table). Every table key present is decoded strictly into its own
// value and returned in source order. Errors are those of strict decoding: an unknown key is
// reported at the key, a type error at the value.
func DecodeKeyed(n ast.Node, fixed any, newValue func(key string) (any, bool)) ([]Member, error) {
	own, rest, ok := splitOwn(n, fixed)
	if !ok {
		return nil, yaml.NodeToValue(n, fixed, yaml.Strict()) // the decoder's own type error
	}
	var members []Member
	var unknown *ast.MappingValueNode
	for _, kv := range rest {
		key := keyString(kv.Key)
		v, ok := newValue(key)
		if !ok {
			if unknown == nil {
				unknown = kv
			}
			continue
		}
		members = append(members, Member{Key: key, Value: v})
		if err := yaml.NodeToValue(kv.Value, v, yaml.Strict()); err != nil {
			return nil, err
		}
	}
	if err := yaml.NodeToValue(mappingOf(n, own), fixed, yaml.Strict()); err != nil {
		return nil, err
	}
	if unknown != nil {
		return nil, &yaml.UnknownFieldError{Message: fmt.Sprintf(`unknown field "%s"`, keyString(unknown.Key)), Token: unknown.Key.GetToken()}
	}
	return members, nil
}

func keyString(k ast.MapKeyNode) string {
	if s, ok := k.(*ast.StringNode); ok {
		return s.Value
	}
	return k.String()
}

// StructKeys lists the YAML keys of a struct type (through pointers and slices), inline
// embedded structs included, then the table keys of a Keyed type, then the keys of every type
// a Switched type may pick.
func StructKeys(t reflect.Type) []string {
	t = Deref(t)
	if t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case strings.Contains(opts, "inline"):
			keys = append(keys, StructKeys(f.Type)...)
		case name != "" && name != "-":
			keys = append(keys, name)
		}
	}
	if k, ok := reflect.New(t).Interface().(Keyed); ok {
		for _, kt := range k.TableKeys() {
			keys = append(keys, kt.Key)
		}
	}
	if sw, ok := reflect.New(t).Interface().(Switched); ok {
		seen := map[string]bool{}
		for _, k := range keys {
			seen[k] = true
		}
		for _, st := range sw.SwitchTypes() {
			for _, k := range StructKeys(st.Type) {
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
	}
	return keys
}

// FieldType is the type of the value under YAML key in struct type t (through pointers and
// slices; inline embedded structs and table keys included).
func FieldType(t reflect.Type, key string) (reflect.Type, bool) {
	t = Deref(t)
	if t.Kind() != reflect.Struct {
		return nil, false
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if strings.Contains(opts, "inline") {
			if ft, ok := FieldType(f.Type, key); ok {
				return ft, true
			}
			continue
		}
		if name == key {
			return f.Type, true
		}
	}
	if k, ok := reflect.New(t).Interface().(Keyed); ok {
		for _, kt := range k.TableKeys() {
			if kt.Key == key {
				return kt.Type, true
			}
		}
	}
	if sw, ok := reflect.New(t).Interface().(Switched); ok {
		for _, st := range sw.SwitchTypes() {
			if ft, ok := FieldType(st.Type, key); ok {
				return ft, true
			}
		}
	}
	return nil, false
}

// Deref strips pointers and slices from t.
func Deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t
}

// Switched is implemented by types whose YAML mapping holds, besides their own fields, the
// fields of a type picked by the value of one of them (a client entry's role); the scenario
// decoder follows it to report keys that are not options of the picked type.
type Switched interface {
	// SwitchKey is the field whose value picks the type.
	SwitchKey() string
	// SwitchTypes lists every value with the type of the fields it brings, in order.
	SwitchTypes() []KeyType
}

// SwitchValue is the value of key in mapping n ("" when absent or not a scalar).
func SwitchValue(n ast.Node, key string) string {
	mn, ok := n.(ast.MapNode)
	if !ok {
		return ""
	}
	it := mn.MapRange()
	for it.Next() {
		if keyString(it.Key()) != key {
			continue
		}
		if s, ok := it.Value().(*ast.StringNode); ok {
			return s.Value
		}
		return it.Value().String()
	}
	return ""
}

// DecodeSwitched decodes a YAML mapping whose keys are either fields of fixed (a pointer to a
// struct) or fields of the value newValue returns for the value of switchKey (a role's
// options); a value newValue does not know decodes nothing more (nil, for validation to
// report). Both parts decode strictly: an unknown key is reported at the key.
func DecodeSwitched(n ast.Node, fixed any, switchKey string, newValue func(value string) (any, bool)) (any, error) {
	own, rest, ok := splitOwn(n, fixed)
	if !ok {
		return nil, yaml.NodeToValue(n, fixed, yaml.Strict()) // the decoder's own type error
	}
	if err := yaml.NodeToValue(mappingOf(n, own), fixed, yaml.Strict()); err != nil {
		return nil, err
	}
	v, ok := newValue(SwitchValue(n, switchKey))
	if !ok {
		return nil, nil
	}
	if err := yaml.NodeToValue(mappingOf(n, rest), v, yaml.Strict()); err != nil {
		return nil, err
	}
	return v, nil
}

// splitOwn parts the entries of mapping n into those naming fields of fixed (a pointer to a
// struct) and the rest, in source order; ok is false when n is not a mapping.
func splitOwn(n ast.Node, fixed any) (own, rest []*ast.MappingValueNode, ok bool) {
	mn, ok := n.(ast.MapNode)
	if !ok {
		return nil, nil, false
	}
	fields := map[string]bool{}
	for _, k := range StructKeys(reflect.TypeOf(fixed)) {
		fields[k] = true
	}
	it := mn.MapRange()
	for it.Next() {
		kv := it.KeyValue()
		if fields[keyString(kv.Key)] {
			own = append(own, kv)
		} else {
			rest = append(rest, kv)
		}
	}
	return own, rest, true
}

// mappingOf is a mapping of entries, in the style (flow or block) of n.
func mappingOf(n ast.Node, entries []*ast.MappingValueNode) ast.Node {
	flow := false
	if m, ok := n.(*ast.MappingNode); ok {
		flow = m.IsFlowStyle
	}
	return ast.Mapping(n.GetToken(), flow, entries...)
}
