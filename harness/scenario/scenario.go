// Package scenario is the scenario file: a thin, strict YAML decoder that composes the option
// types each stage owns — the lab's (server, streams, routes, Toxiproxy), the scripted
// clients' (fakeclient), the faults' (harness/fault) and the checkers' (harness/check) —
// resolves every default once, and reports every mistake with file:line:column and the field.
package scenario

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/procactor"
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
	// client's program, nginx for an nginx subject), e.g. ffmpeg inside a wrapper script;
	// without them the suite skips the scenario and run refuses it.
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
	// Clients are the scripted RTMP clients.
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

// Client is a scripted RTMP client, or with Count a group of alike ones.
type Client struct {
	// Name identifies the client in the history. With count, it holds one *, replaced by
	// 1…count to name each client of the group (p*: p1, p2, …); a checker naming the group
	// (client: p*) judges every member and gives one verdict for the group.
	Name string `yaml:"name" json:"name"`
	// Count makes the entry that many alike clients (a load scenario in a few lines).
	Count int `yaml:"count" json:"count,omitempty"`
	// Spec is the client's role, route and options.
	fakeclient.Spec `yaml:",inline" json:",inline"`
	// Process is the program of a role: process client (an external client under test: ffmpeg,
	// rtmpdump, a user's player or publisher), run by the harness behind a wire tap.
	Process *procactor.Spec `yaml:"process" json:"process,omitempty"`
}

// Default fills the client's defaults: its program's for a process, else the scripted client's.
func (c *Client) Default() {
	if c.Role == fakeclient.RoleProcess {
		if c.Process != nil {
			c.Process.Default()
		}
		return
	}
	c.Spec.Default()
}

// Validate reports what is wrong with the (defaulted) client into p; routes and streams are
// the scenario's.
func (c *Client) Validate(p spec.Problems, routes, streams spec.Names) {
	if c.Role != fakeclient.RoleProcess {
		if c.Process != nil {
			p.Add("process", "is for role: process (this client is a %s)", c.Role)
		}
		if !slices.Contains(fakeclient.Roles, c.Role) {
			p.Add("role", "%q is not a known role (known: %s, %s)", c.Role, strings.Join(fakeclient.Roles, ", "), fakeclient.RoleProcess)
			if !routes[c.Route] {
				p.Add("route", "%q is not a defined route%s", c.Route, routes.Known())
			}
			p.NonNegative("connectTimeout", c.ConnectTimeout)
			return
		}
		c.Spec.Validate(p, routes, streams)
		return
	}
	if !routes[c.Route] {
		p.Add("route", "%q is not a defined route%s", c.Route, routes.Known())
	}
	if c.Process == nil {
		p.Add("process", "is required for role: process (its command line)")
		return
	}
	rest := c.Spec
	rest.Role, rest.Route, rest.Stream, rest.Duration = "", "", "", 0
	if !reflect.DeepEqual(rest, fakeclient.Spec{}) {
		p.Add("", "a process client takes route, stream, duration and process; the other options are for scripted clients")
	}
	if c.Stream != "" && !spec.SafeName(c.Stream) {
		p.Add("stream", "%q "+spec.SafeNameRule, c.Stream)
	}
	p.NonNegative("duration", c.Duration)
	if c.Duration > 0 && c.Duration <= c.Process.At {
		p.Add("duration", "%v is over before process.at %v starts the program (both count from the start of the run)", c.Duration, c.Process.At)
	}
	c.Process.Validate(p.At("process"), c.Stream)
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

// clientSpec returns the options of the client called name (or of a group's members), or nil.
func (s *Scenario) clientSpec(name string) *fakeclient.Spec {
	if m := s.groups[name]; len(m) > 0 {
		name = m[0]
	}
	if c := s.Client(name); c != nil {
		return &c.Spec
	}
	return nil
}

// Stream returns the catalogue entry called name.
func (s *Scenario) Stream(name string) (lab.Stream, bool) { return s.Server.Stream(name) }

// Controls are the verdicts the scenario expects not to pass.
func (s *Scenario) Controls() check.Controls {
	return check.Controls{Failures: s.ExpectFailures, Unknown: s.ExpectUnknown}
}
