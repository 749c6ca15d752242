package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/internal/spec"
)

// Problem is one thing wrong with a scenario file, located in the source.
type Problem struct {
	// File is the scenario file.
	File string
	// Line and Column locate the problem (1-based; 0 when unknown).
	Line, Column int
	// Field is the YAML path of the offending field, e.g. clients[0].route.
	Field string
	// Message says what is wrong.
	Message string
}

// String formats the problem as file:line:column: field: message.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, p.Column)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error lists every problem found in one file.
type Error struct {
	// Problems are in source order.
	Problems []Problem
}

// Error joins the problems one per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Load reads, decodes, defaults and validates a scenario file (at most MaxFileSize bytes).
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("scenario: %s: %w", path, err)
	}
	return Parse(path, data)
}

// Files expands paths into scenario files: a file as given, a directory to its *.yaml and
// *.yml files; sorted, each once.
func Files(paths ...string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("scenario: %w", err)
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		for _, pat := range []string{"*.yaml", "*.yml"} {
			m, err := filepath.Glob(filepath.Join(p, pat))
			if err != nil {
				return nil, fmt.Errorf("scenario: %w", err)
			}
			files = append(files, m...)
		}
	}
	sort.Strings(files)
	return slices.Compact(files), nil
}

// Loaded is one file of a set: its scenario, or why it was refused.
type Loaded struct {
	// File is the scenario file.
	File string
	// Scenario is the loaded scenario (nil when refused).
	Scenario *Scenario
	// Err lists every problem of the file, or names the file that already uses its name.
	Err error
}

// LoadFiles loads files as one set, in order: each is loaded on its own, and a scenario whose
// name an earlier file of the set already uses is refused, naming both files. The CLI and the
// suite load through it, so they refuse the same sets with the same messages.
func LoadFiles(files []string) []Loaded {
	out := make([]Loaded, 0, len(files))
	names := map[string]string{}
	for _, f := range files {
		s, err := Load(f)
		if err == nil {
			if prev, dup := names[s.Name]; dup {
				s, err = nil, fmt.Errorf("%s: name %q is already used by %s", f, s.Name, prev)
			} else {
				names[s.Name] = f
			}
		}
		out = append(out, Loaded{File: f, Scenario: s, Err: err})
	}
	return out
}

// LoadPaths loads the scenario files of paths (see Files) as one set (see LoadFiles). It
// returns the scenarios that loaded and, when any file was refused, every problem of every
// file in one error.
func LoadPaths(paths ...string) ([]*Scenario, error) {
	files, err := Files(paths...)
	if err != nil {
		return nil, err
	}
	var out []*Scenario
	var errs []error
	for _, l := range LoadFiles(files) {
		if l.Err != nil {
			errs = append(errs, l.Err)
			continue
		}
		out = append(out, l.Scenario)
	}
	return out, errors.Join(errs...)
}

// Parse decodes a scenario from data; file names the source in error messages. Every problem
// is reported at once, each located: unknown keys (which are then left out), and, when the
// rest decodes (no syntax, duplicate-key or type error), every semantic problem.
func Parse(file string, data []byte) (*Scenario, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{Problems: []Problem{{File: file, Message: fmt.Sprintf("the file is larger than %d bytes, the limit of a scenario", MaxFileSize)}}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{Problems: []Problem{{File: file, Message: "empty scenario file"}}}
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		var s Scenario // the decoder's message and position for a syntax error
		return nil, &Error{Problems: []Problem{decodeProblem(file, data, yaml.UnmarshalWithOptions(data, &s, yaml.Strict()))}}
	}
	probs, body, stop := shape(file, data, f)
	if stop {
		return nil, &Error{Problems: probs}
	}
	var s Scenario
	if err := yaml.NodeToValue(body, &s, yaml.Strict()); err != nil {
		return nil, &Error{Problems: sorted(append(probs, decodeProblem(file, data, err)))}
	}
	s.Path = file
	applyDefaults(&s)
	found := validate(&s)
	sem := make([]Problem, len(found))
	for i, f := range found {
		sem[i] = Problem{Field: f.Field, Message: f.Message}
	}
	locate(file, data, sem)
	if probs = sorted(append(probs, sem...)); len(probs) > 0 {
		return nil, &Error{Problems: probs}
	}
	return &s, nil
}

// sorted orders problems by position (unlocated ones first), keeping equal ones in order.
func sorted(probs []Problem) []Problem {
	sort.SliceStable(probs, func(a, b int) bool {
		if probs[a].Line != probs[b].Line {
			return probs[a].Line < probs[b].Line
		}
		return probs[a].Column < probs[b].Column
	})
	return probs
}

// decodeProblem turns a go-yaml error into a located Problem.
func decodeProblem(file string, data []byte, err error) Problem {
	p := Problem{File: file, Message: err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		p.Message = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Column = tk.Position.Line, tk.Position.Column
			p.Field = fieldAt(data, p.Line, p.Column)
		}
		p.Message = suggest(p.Message, p.Field)
	}
	return p
}

// fieldAt returns the YAML path of the node at line:column, when it can be found.
func fieldAt(data []byte, line, col int) string {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return ""
	}
	var found string
	for _, doc := range f.Docs {
		ast.Walk(visitor(func(n ast.Node) {
			if tk := n.GetToken(); tk != nil && tk.Position != nil && tk.Position.Line == line && tk.Position.Column == col && found == "" {
				found = strings.TrimPrefix(n.GetPath(), "$.")
			}
		}), doc)
	}
	return found
}

type visitor func(ast.Node)

func (v visitor) Visit(n ast.Node) ast.Visitor { v(n); return v }

// locate fills Line/Column of problems from their Field path, then sorts them by position.
func locate(file string, data []byte, probs []Problem) {
	f, perr := parser.ParseBytes(data, 0)
	for i := range probs {
		probs[i].File = file
		if perr != nil || probs[i].Field == "" {
			continue
		}
		// Walk up the path until a node exists (a missing field is reported at its parent, a
		// missing top-level one at the document's start).
		probs[i].Line, probs[i].Column = documentStart(f)
		for path := probs[i].Field; path != ""; path = parentPath(path) {
			yp, err := yaml.PathString("$." + path)
			if err != nil {
				break
			}
			n, err := yp.FilterFile(f)
			if err == nil && n != nil {
				if tk := n.GetToken(); tk != nil && tk.Position != nil {
					probs[i].Line, probs[i].Column = tk.Position.Line, tk.Position.Column
				}
				break
			}
		}
	}
	sorted(probs)
}

// documentStart is where the first document's first key is (0, 0 when there is none).
func documentStart(f *ast.File) (line, col int) {
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return 0, 0
	}
	n := f.Docs[0].Body
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		n = m.Values[0]
	}
	if kv, ok := n.(*ast.MappingValueNode); ok {
		n = kv.Key
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

func parentPath(p string) string {
	if i := strings.LastIndexAny(p, ".["); i > 0 {
		return p[:i]
	}
	return ""
}

// scopes are what the stages' defaults and validation look up in the scenario.
func (s *Scenario) scopes() (*fault.Scope, *check.Scope) {
	_, servers := s.Server.Validate(spec.NewProblems())
	routes, clients, faults := spec.Names{}, spec.Names{}, spec.Names{}
	for _, r := range s.Routes {
		routes[r.Name] = true
	}
	for _, c := range s.Clients {
		clients[c.Name] = true
	}
	for _, f := range s.Faults {
		faults[f.Name] = true
	}
	judged := spec.Names{} // checkers may name a group as well
	for n := range clients {
		judged[n] = true
	}
	for g := range s.groups {
		judged[g] = true
	}
	fs := &fault.Scope{Timeout: s.Timeout, Routes: routes, Servers: servers, Clients: clients, Groups: s.groups,
		FirstServer: s.Server.Names()[0], Client: s.clientOptions, Stream: s.Server.Stream, ServerKind: s.Server.Kind(),
		ServerTraits: s.Server.Traits()}
	cs := &check.Scope{Timeout: s.Timeout, Clients: judged, Faults: faults, Client: s.clientOptions, Servers: servers, FirstServer: s.Server.Names()[0]}
	return fs, cs
}

// applyDefaults resolves every default once, each by the stage that owns the option.
func applyDefaults(s *Scenario) {
	if s.Timeout == 0 {
		s.Timeout = Duration(DefaultTimeout)
	}
	for i := range s.Routes {
		s.Routes[i].Default(s.Server)
	}
	s.Server.Default()
	for i := range s.Clients {
		s.Clients[i].Default()
	}
	s.expandGroups()
	if n := s.Nemesis; n != nil {
		n.Default()
		if n.Valid() {
			s.Faults = append(s.Faults, n.Schedule()...)
		}
	}
	fs, _ := s.scopes()
	fault.Default(s.Faults, fs)
	_, cs := s.scopes() // fault names are final now
	check.Default(s.Expect, cs)
	for i, e := range s.Expect {
		if e.Params != nil {
			s.Expect[i].Members = s.groups[e.Params.Subject()]
		}
	}
}

// expandGroups replaces every client entry with a count by its members (the entries as
// written stay in declared, for validation); entries that are not valid groups stay as they
// are, for validation to report.
func (s *Scenario) expandGroups() {
	s.declared = s.Clients
	total := 0
	for _, c := range s.Clients {
		total += max(c.Count, 1)
	}
	if total > MaxClients {
		return // validation refuses the scenario
	}
	s.groups = map[string][]string{}
	out := make([]Client, 0, total)
	for _, c := range s.Clients {
		if c.Count <= 0 || strings.Count(c.Name, GroupMark) != 1 {
			out = append(out, c)
			continue
		}
		names := c.members()
		s.groups[c.Name] = names
		for _, n := range names {
			m := c
			m.Name, m.Count = n, 0
			out = append(out, m)
		}
	}
	s.Clients = out
}

// validate reports every semantic problem, each stage validating its own options.
func validate(s *Scenario) []spec.Problem {
	p := spec.NewProblems()
	if s.Name == "" {
		p.Add("name", "is required")
	} else if !spec.SafeName(s.Name) {
		p.Add("name", "%q "+spec.SafeNameRule, s.Name)
	}
	if s.Timeout < 0 {
		p.Add("timeout", "must be positive")
	}
	if t := s.Toxiproxy; t != nil {
		t.Validate(p.At("toxiproxy"))
	}
	_, servers := s.Server.Validate(p.At("server"))
	routes := lab.ValidateRoutes(s.Routes, servers, p)
	clients := spec.Names{}
	if len(s.declared) == 0 {
		p.Add("clients", "at least one client is required")
	}
	total := 0
	for _, c := range s.declared {
		total += max(c.Count, 1)
	}
	if total > MaxClients {
		p.Add("clients", "%d clients exceed the limit of %d", total, MaxClients)
		return p.List()
	}
	if len(s.Requires) > MaxLabels {
		p.Add("requires", "%d programs exceed the limit of %d", len(s.Requires), MaxLabels)
	}
	for i, r := range s.Requires {
		switch {
		case strings.HasPrefix(r, dirPlaceholder+"/") && !strings.Contains(r, "..") && !strings.ContainsRune(r, 0):
		case strings.TrimSpace(r) == "" || strings.ContainsAny(r, "/\x00"):
			p.Add(fmt.Sprintf("requires[%d]", i), "%q is neither a program name (found in PATH) nor a file {dir}/… beside the scenario", r)
		}
	}
	if len(s.Labels) > MaxLabels {
		p.Add("labels", "%d labels exceed the limit of %d", len(s.Labels), MaxLabels)
	}
	for i, c := range s.declared {
		f := p.At(fmt.Sprintf("clients[%d]", i))
		tlsOfClient(f, c, s.Server)
		marks := strings.Count(c.Name, GroupMark)
		switch {
		case c.Count < 0:
			f.Add("count", "must be positive")
		case c.Count > 0 && marks != 1:
			f.Add("name", "%q: a client with a count needs %s once in its name (p%s names p1, p2, …)", c.Name, GroupMark, GroupMark)
		case c.Count == 0 && marks > 0:
			f.Add("name", "%q: %s names the members of a group: give the entry a count", c.Name, GroupMark)
		}
		for _, n := range c.members() {
			switch {
			case n == "":
				f.Add("name", "is required")
			case clients[n]:
				f.Add("name", "client %q is defined twice", n)
			}
			clients[n] = true
		}
		c.Validate(f, routes, s.roleScope())
	}
	fs, cs := s.scopes()
	if n := s.Nemesis; n != nil {
		n.Validate(p.At("nemesis"), routes)
	}
	fault.Validate(s.Faults, fs, p)
	check.Validate(s.Expect, cs, p)
	check.ValidateControls(s.ExpectFailures, "expectFailures", s.Expect, p)
	check.ValidateControls(s.ExpectUnknown, "expectUnknown", s.Expect, p)
	s.validatePaths(p)
	return p.List()
}

// WithSubject is a copy of a loaded scenario whose server is swapped to kind (see lab.Server.As),
// validated again: a fault only the reference server can take, for one, refuses the swap.
func (s *Scenario) WithSubject(kind string) (*Scenario, error) {
	srv, err := s.Server.As(kind)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	return s.withServer(kind, srv)
}

// WithServerKind is a copy of a loaded scenario whose server's subject is replaced by k (see
// lab.Server.Swap), named name in messages, validated again.
func (s *Scenario) WithServerKind(name string, k lab.Kind) (*Scenario, error) {
	srv, err := s.Server.Swap(k)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}
	return s.withServer(name, srv)
}

// withServer is a copy of s with srv as its server, validated again.
func (s *Scenario) withServer(kind string, srv lab.Server) (*Scenario, error) {
	c := *s
	c.Server = srv
	if probs := validate(&c); len(probs) > 0 {
		var msgs []string
		for _, p := range probs {
			msgs = append(msgs, p.Field+": "+p.Message)
		}
		return nil, fmt.Errorf("%s as %s: %s", s.Name, kind, strings.Join(msgs, "; "))
	}
	return &c, nil
}
