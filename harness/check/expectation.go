// Package check holds the checkers: pure functions from a History and parameters to a
// Verdict. They never look at anything but the history and their parameters (resolved from
// the scenario once, when it is loaded, and saved with the report), so they are unit-tested on
// hand-written histories and re-runnable offline on a saved report alone. Each checker lives
// in its own file — its parameters, their defaults and validation, and its judgement — and is
// listed in the explicit table Checkers.
package check

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/internal/spec"
)

// Checker is one checker's parameters; it judges a history.
type Checker interface {
	// Subject is the client the checker looks at.
	Subject() string
	// Default fills the parameters left out (and resolves what the checker needs to know of
	// its client).
	Default(s *Scope)
	// Validate reports what is wrong into p (the checker's own path, e.g. expect[2].reconnects).
	Validate(p spec.Problems, s *Scope)
	// Judge is the verdict on a history.
	Judge(h *history.History) Verdict
}

// Scope is what a checker's defaults and validation may look up in its scenario.
type Scope struct {
	// Timeout is the scenario's timeout.
	Timeout spec.Duration
	// Clients, Faults and Servers are the names the scenario defines.
	Clients, Faults, Servers spec.Names
	// FirstServer is the server a checker judges when it names none.
	FirstServer string
	// Client returns a client's role options (nil when undefined).
	Client func(name string) role.Options
}

// FaultJudge is a checker that judges a client by what one fault did to it: the fault must be
// able to act on the client's path, or the verdict proves nothing (the loader refuses such a
// pair unless it is a declared negative control).
type FaultJudge interface {
	// FaultName is the fault's name.
	FaultName() string
}

// Expectation names exactly one checker with its parameters.
type Expectation struct {
	// Name is the checker's YAML key ("" when the entry names none).
	Name string `yaml:"-" json:"-"`
	// Params are the checker's parameters.
	Params Checker `yaml:"-" json:"-"`
	// Members, when the checker names a group of clients, are its members: each is judged
	// with the same parameters, and the group gets one verdict.
	Members []string `yaml:"-" json:"-"`
	// keys counts the checker keys the entry named (validation reports other than one).
	keys int
}

// New makes an expectation of a checker, as the YAML would.
func New(c Checker) Expectation {
	e := Expectation{Params: c, keys: 1}
	e.Name, _ = Checkers.KeyOf(c)
	return e
}

// UnmarshalYAML decodes the one checker key of the entry, strictly.
func (e *Expectation) UnmarshalYAML(n ast.Node) error {
	var none struct{}
	members, err := spec.DecodeKeyed(n, &none, Checkers.Make)
	if err != nil {
		return err
	}
	*e = Expectation{keys: len(members)}
	if len(members) > 0 {
		e.Name, e.Params = members[0].Key, members[0].Value.(Checker)
	}
	return nil
}

// TableKeys lists the checkers' keys (for "did you mean" suggestions).
func (Expectation) TableKeys() []spec.KeyType { return Checkers.KeyTypes() }

// membersKey holds a group's members beside the checker in an expectation's JSON.
const membersKey = "members"

// MarshalJSON writes {"<checker>": parameters}, resolved parameters included, and the members
// of a group.
func (e Expectation) MarshalJSON() ([]byte, error) {
	m := map[string]any{e.Name: e.Params}
	if len(e.Members) > 0 {
		m[membersKey] = e.Members
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (e *Expectation) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("expectation: %w", err)
	}
	var members []string
	if raw, ok := m[membersKey]; ok {
		if err := json.Unmarshal(raw, &members); err != nil {
			return fmt.Errorf("expectation members: %w", err)
		}
		delete(m, membersKey)
	}
	if len(m) != 1 {
		return fmt.Errorf("expectation: %d checkers in one entry", len(m))
	}
	for name, raw := range m {
		k, ok := Checkers.Lookup(name)
		if !ok {
			return fmt.Errorf("expectation: unknown checker %q", name)
		}
		c := k.New()
		if err := json.Unmarshal(raw, c); err != nil {
			return fmt.Errorf("expectation %s: %w", name, err)
		}
		*e = Expectation{Name: name, Params: c, Members: members, keys: 1}
	}
	return nil
}

// Default fills every expectation's defaults.
func Default(expects []Expectation, s *Scope) {
	for _, e := range expects {
		if e.Params != nil {
			e.Params.Default(s)
		}
	}
}

// MaxExpectations bounds a scenario's expect list.
const MaxExpectations = 5000

// Validate reports every problem of the expectations into p (the scenario's root) and
// returns the names of the checkers in use.
func Validate(expects []Expectation, s *Scope, p spec.Problems) spec.Names {
	used := spec.Names{}
	if len(expects) == 0 {
		p.Add("expect", "at least one checker is required")
	}
	if len(expects) > MaxExpectations {
		p.Add("expect", "%d checkers exceed the limit of %d", len(expects), MaxExpectations)
		return used
	}
	for i, e := range expects {
		f := p.At(fmt.Sprintf("expect[%d]", i))
		if e.keys != 1 {
			f.Add("", "each entry names exactly one checker (known: %s)", strings.Join(Checkers.Keys(), ", "))
			continue
		}
		used[e.Name] = true
		own := f.At(e.Name)
		e.Params.Validate(own, s)
		if _, server := e.Params.(interface{ judgesServer() }); server {
			if c := e.Params.Subject(); !s.Servers[c] {
				own.Add("server", "%q is not a server of this scenario%s", c, s.Servers.Known())
			}
		} else if c := e.Params.Subject(); !s.Clients[c] {
			own.Add("client", "%q is not a defined client%s", c, s.Clients.Known())
		}
	}
	return used
}

// Run applies every checker in order: one verdict per expectation, a group's included.
func Run(h *history.History, expects []Expectation) []Verdict {
	out := make([]Verdict, 0, len(expects))
	for _, e := range expects {
		if len(e.Members) > 0 {
			out = append(out, judgeGroup(h, e))
			continue
		}
		out = append(out, judge(h, e.Params, e.Name))
	}
	return out
}
