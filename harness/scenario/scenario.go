// Package scenario is the scenario file: a thin, strict YAML decoder that composes the option
// types each stage owns — the lab's (server, streams, routes, Toxiproxy), the scripted
// clients' (fakeclient), the faults' (harness/fault) and the checkers' (harness/check) —
// resolves every default once, and reports every mistake with file:line:column and the field.
package scenario

import (
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/internal/spec"
)

// DefaultTimeout bounds a run whose scenario sets no timeout.
const DefaultTimeout = 60 * time.Second

// ServerName is the name of the scenario's reference server when server.instances is not set.
const ServerName = lab.ServerName

// Duration is a time.Duration written in YAML as a Go duration string ("4s", "250ms").
type Duration = spec.Duration

// Scenario is one test: a lab, actors, a fault timeline and the checks that must hold.
type Scenario struct {
	// Name identifies the scenario in reports; letters, digits, '.', '_' and '-'.
	Name string `yaml:"name" json:"name"`
	// Description says what the scenario proves.
	Description string `yaml:"description" json:"description,omitempty"`
	// Labels select scenarios (Ginkgo label filters).
	Labels []string `yaml:"labels" json:"labels,omitempty"`
	// Requires names programs the scenario needs besides those it names itself (a process
	// client's program, nginx for an nginx subject), e.g. ffmpeg inside a wrapper script, or
	// files beside the scenario ({dir}/servers/node_modules/node-media-server: something an
	// installer puts there); without them the suite skips the scenario and run refuses it.
	Requires []string `yaml:"requires" json:"requires,omitempty"`
	// Timeout bounds the whole run (default 60s).
	Timeout spec.Duration `yaml:"timeout" json:"timeout,omitempty"`
	// Toxiproxy selects an external toxiproxy-server; omitted, one is embedded in the process
	// (or the TOXIPROXY_URL environment variable names one).
	Toxiproxy *lab.Toxiproxy `yaml:"toxiproxy" json:"toxiproxy,omitempty"`
	// Server is the reference RTMP server and its catalogue.
	Server lab.Server `yaml:"server" json:"server"`
	// Routes are named network paths to the server, one Toxiproxy proxy each.
	Routes []lab.Route `yaml:"routes" json:"routes"`
	// Clients are the RTMP clients: scripted ones and programs under test.
	Clients []Client `yaml:"clients" json:"clients"`
	// Faults is the fault timeline.
	Faults []fault.Fault `yaml:"faults" json:"faults,omitempty"`
	// Nemesis adds a seeded random schedule of faults to the timeline.
	Nemesis *fault.Nemesis `yaml:"nemesis" json:"nemesis,omitempty"`
	// Expect lists the checkers to run.
	Expect []check.Expectation `yaml:"expect" json:"expect"`
	// ExpectFailures names checkers that must fail (negative controls): a checker's name for
	// all its verdicts, or checker(client) for one client's, so that a mutant and a correct
	// client can share a scenario.
	ExpectFailures []string `yaml:"expectFailures" json:"expectFailures,omitempty"`
	// ExpectUnknown names checkers (checker or checker(client)) that must say unknown: controls
	// showing that a checker refuses to pass when what it judges never happened.
	ExpectUnknown []string `yaml:"expectUnknown" json:"expectUnknown,omitempty"`

	// Path is the file the scenario was loaded from.
	Path string `yaml:"-" json:"path,omitempty"`
	// declared are the client entries as written (Clients holds every group's members once
	// the scenario is loaded); groups maps a group's name to its members.
	declared []Client
	groups   map[string][]string
}

// Client is a client of the scenario, or with Count a group of alike ones: its name, its
// role and its route, and the options of its role (the entry's other keys).
type Client struct {
	// Name identifies the client in the history. With count, it holds one *, replaced by
	// 1…count to name each client of the group (p*: p1, p2, …); a checker naming the group
	// (client: p*) judges every member and gives one verdict for the group.
	Name string `yaml:"name" json:"name"`
	// Count makes the entry that many alike clients (a load scenario in a few lines).
	Count int `yaml:"count" json:"count,omitempty"`
	// Role is what the client is: player (VOD, Stream Reconnect), publisher (live, Streaming
	// Auto Restore), viewer (a live player), or process (a client program under test, run
	// behind a wire tap); the entry's other keys are the role's options.
	Role string `yaml:"role" json:"role"`
	// Route is the route the client connects through.
	Route string `yaml:"route" json:"route"`
	// Options are the role's options (nil when the role is unknown).
	Options role.Options `yaml:"-" json:"-"`
}

// clientFields is the part of a client entry decoded as plain fields.
type clientFields struct {
	Name  string `yaml:"name"`
	Count int    `yaml:"count"`
	Role  string `yaml:"role"`
	Route string `yaml:"route"`
}

// UnmarshalYAML decodes the entry's own fields, then the rest as the options of its role,
// strictly.
func (c *Client) UnmarshalYAML(n ast.Node) error {
	var own clientFields
	opts, err := spec.DecodeSwitched(n, &own, "role", role.Roles.Make)
	if err != nil {
		return err
	}
	*c = Client{Name: own.Name, Count: own.Count, Role: own.Role, Route: own.Route}
	if opts != nil {
		c.Options = opts.(role.Options)
	}
	return nil
}

// SwitchKey is the key whose value picks the options' type: role.
func (Client) SwitchKey() string { return "role" }

// SwitchTypes lists the roles with their options' types.
func (Client) SwitchTypes() []spec.KeyType { return role.Roles.KeyTypes() }

// Traits are the client's role's traits (zero for an unknown role).
func (c *Client) Traits() role.Traits {
	if c.Options == nil {
		return role.Traits{}
	}
	return c.Options.Traits()
}

// Default fills the role's defaults.
func (c *Client) Default() {
	if c.Options != nil {
		c.Options.Default()
	}
}

// Validate reports what is wrong with the (defaulted) client into p; routes are the
// scenario's, sc what its role may look up.
func (c *Client) Validate(p spec.Problems, routes spec.Names, sc role.Scope) {
	if !routes[c.Route] {
		p.Add("route", "%q is not a defined route%s", c.Route, routes.Known())
	}
	if c.Options == nil {
		p.Add("role", "%s", role.Roles.Unknown("role", c.Role))
		return
	}
	c.Options.Validate(p, sc)
}

// GroupMark is what a client group's name holds, replaced by each member's number.
const GroupMark = "*"

// members are the names of a client entry's clients: its name, or with a count one per member.
func (c Client) members() []string {
	if c.Count <= 0 {
		return []string{c.Name}
	}
	out := make([]string, c.Count)
	for i := range out {
		out[i] = strings.Replace(c.Name, GroupMark, strconv.Itoa(i+1), 1)
	}
	return out
}

// Client returns the client called name, or nil.
func (s *Scenario) Client(name string) *Client {
	for i := range s.Clients {
		if s.Clients[i].Name == name {
			return &s.Clients[i]
		}
	}
	return nil
}

// clientOptions returns the role options of the client called name (or of a group's
// members), or nil.
func (s *Scenario) clientOptions(name string) role.Options {
	if m := s.groups[name]; len(m) > 0 {
		name = m[0]
	}
	if c := s.Client(name); c != nil {
		return c.Options
	}
	return nil
}

// roleScope is what the clients' roles may look up in the scenario.
func (s *Scenario) roleScope() role.Scope {
	streams := spec.Names{}
	for _, st := range s.Server.Streams {
		streams[st.Name] = true
	}
	return role.Scope{Streams: streams, Stream: s.Server.Stream}
}

// Stream returns the catalogue entry called name.
func (s *Scenario) Stream(name string) (lab.Stream, bool) { return s.Server.Stream(name) }

// Controls are the verdicts the scenario expects not to pass.
func (s *Scenario) Controls() check.Controls {
	return check.Controls{Failures: s.ExpectFailures, Unknown: s.ExpectUnknown}
}
