package spec

import (
	"fmt"
	"reflect"
	"strings"
)

// Entry is one row of a table: the YAML key that selects it, what it is (the JSON Schema's
// description) and how to make its options value.
type Entry[T any] struct {
	// Key is the entry's YAML key (or value, for a role).
	Key string
	// Doc says what the entry is or does.
	Doc string
	// New returns a new, empty options value of the entry.
	New func() T
}

// Table is an explicit extension point — fault kinds, checkers, server subjects, client
// roles: its entries in the order the documentation and the schema list them. Adding an
// entry is a file with its options and behaviour, and a line in the table (no registry).
type Table[T any] []Entry[T]

// Lookup returns the entry with key.
func (t Table[T]) Lookup(key string) (Entry[T], bool) {
	for _, e := range t {
		if e.Key == key {
			return e, true
		}
	}
	return Entry[T]{}, false
}

// Make is a new options value of the entry with key, for DecodeKeyed and DecodeSwitched.
func (t Table[T]) Make(key string) (any, bool) {
	if e, ok := t.Lookup(key); ok {
		return e.New(), true
	}
	return nil, false
}

// Keys lists the entries' keys in table order.
func (t Table[T]) Keys() []string {
	out := make([]string, len(t))
	for i, e := range t {
		out[i] = e.Key
	}
	return out
}

// KeyTypes lists the keys with the types of their values (for Keyed types).
func (t Table[T]) KeyTypes() []KeyType {
	out := make([]KeyType, len(t))
	for i, e := range t {
		out[i] = KeyType{Key: e.Key, Type: reflect.TypeOf(e.New())}
	}
	return out
}

// KeyOf is the key of the entry whose values have v's type.
func (t Table[T]) KeyOf(v T) (string, bool) {
	for _, e := range t {
		if reflect.TypeOf(e.New()) == reflect.TypeOf(v) {
			return e.Key, true
		}
	}
	return "", false
}

// Unknown says that key is none of the table's (what names the table's kind of entry, e.g.
// "role"), with the known keys and, when one is close, a "did you mean".
func (t Table[T]) Unknown(what, key string) string {
	msg := fmt.Sprintf("%q is not a known %s (known: %s)", key, what, strings.Join(t.Keys(), ", "))
	if best, ok := Closest(key, t.Keys()); ok {
		msg += fmt.Sprintf("; did you mean %q?", best)
	}
	return msg
}
