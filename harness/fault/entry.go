package fault

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/streamfault/streamfault/internal/spec"
)

// Fault is one step of the fault timeline: exactly one trigger (at, after, when,
// atStreamTime), an optional duration, and exactly one fault kind.
type Fault struct {
	// Name labels the fault in the history and for after-triggers (default: kind-index).
	Name string `yaml:"name" json:"name,omitempty"`

	// At fires the fault at this time since the start of the run.
	At *spec.Duration `yaml:"at" json:"at,omitempty"`
	// After fires the fault a delay after another fault has ended.
	After *AfterTrigger `yaml:"after" json:"after,omitempty"`
	// When fires the fault the first time a client reports an event or status code (with a
	// group: once every member has).
	When *WhenTrigger `yaml:"when" json:"when,omitempty"`
	// AtStreamTime fires the fault when a client has rendered up to a stream time.
	AtStreamTime *StreamTimeTrigger `yaml:"atStreamTime" json:"atStreamTime,omitempty"`

	// For is how long the fault lasts before it is undone; zero keeps it until the final heal
	// (instantaneous actions — drop, reset, restart — ignore it).
	For spec.Duration `yaml:"for" json:"for,omitempty"`
	// Optional lets the fault never fire without failing the run (a `when` trigger on an event
	// that may not happen); a fault that is not optional and never fires fails the run.
	Optional bool `yaml:"optional" json:"optional,omitempty"`

	// Kind is the fault kind's YAML key (the first when several are given).
	Kind string `yaml:"-" json:"-"`
	// Spec is the kind's options (nil when the entry names no kind).
	Spec Spec `yaml:"-" json:"-"`
	// kinds counts the kinds the entry named (validation reports more than one).
	kinds int
}

// fields is the part of an entry decoded as plain fields.
type fields struct {
	Name         string             `yaml:"name"`
	At           *spec.Duration     `yaml:"at"`
	After        *AfterTrigger      `yaml:"after"`
	When         *WhenTrigger       `yaml:"when"`
	AtStreamTime *StreamTimeTrigger `yaml:"atStreamTime"`
	For          spec.Duration      `yaml:"for"`
	Optional     bool               `yaml:"optional"`
}

// UnmarshalYAML decodes the trigger fields and every fault kind key of the table, strictly.
func (f *Fault) UnmarshalYAML(n ast.Node) error {
	var own fields
	members, err := spec.DecodeKeyed(n, &own, Kinds.Make)
	if err != nil {
		return err
	}
	*f = Fault{Name: own.Name, At: own.At, After: own.After, When: own.When, AtStreamTime: own.AtStreamTime, For: own.For,
		Optional: own.Optional, kinds: len(members)}
	if len(members) > 0 {
		f.Kind, f.Spec = members[0].Key, members[0].Value.(Spec)
	}
	return nil
}

// TableKeys lists the fault kinds' keys (for "did you mean" suggestions).
func (Fault) TableKeys() []spec.KeyType { return Kinds.KeyTypes() }

// New makes an entry of a kind, as the YAML would (for code that builds scenarios).
func New(name string, s Spec) Fault {
	f := Fault{Name: name, Spec: s, kinds: 1}
	f.Kind, _ = Kinds.KeyOf(s)
	return f
}

// Lasting tells whether the entry, once applied, is only undone by the final heal.
func (f *Fault) lastsUntilHeal() bool {
	return f.For <= 0 && f.Spec != nil && f.Spec.Lasting()
}

func (f *Fault) triggerCount() int {
	n := 0
	for _, set := range []bool{f.At != nil, f.After != nil, f.When != nil, f.AtStreamTime != nil} {
		if set {
			n++
		}
	}
	return n
}

// Trigger says when the fault is due to fire, for reports.
func (f *Fault) Trigger() string {
	switch {
	case f.At != nil:
		return "at " + f.At.String()
	case f.After != nil:
		return fmt.Sprintf("%s after %s ended", f.After.Delay, f.After.Fault)
	case f.When != nil:
		w := f.When
		if len(w.Members) > 0 {
			s := fmt.Sprintf("when every one of the %d clients of %s has reported %s", len(w.Members), w.Client, w.Event)
			if w.Count > 1 {
				s += fmt.Sprintf(" %d times", w.Count)
			}
			return s
		}
		s := fmt.Sprintf("when %s reports %s", w.Client, w.Event)
		if w.Count > 1 {
			s += fmt.Sprintf(" for the %d. time", w.Count)
		}
		return s
	case f.AtStreamTime != nil:
		return fmt.Sprintf("when %s has rendered stream time %s", f.AtStreamTime.Client, f.AtStreamTime.Time)
	}
	return "no trigger"
}

// Describe is the entry as the history's schedule line shows it: kind@at/for.
func (f *Fault) Describe() string {
	var b strings.Builder
	b.WriteString(f.Name + "=" + f.Kind)
	if f.At != nil {
		fmt.Fprintf(&b, "@%s", f.At)
	}
	if f.For > 0 {
		fmt.Fprintf(&b, "/%s", f.For)
	}
	return b.String()
}
