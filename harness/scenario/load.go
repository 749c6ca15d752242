package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/streamfault/streamfault/fakeclient"
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

// Load reads, decodes, defaults and validates a scenario file.
func Load(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(path, data)
}

// LoadDir loads every *.yaml and *.yml file of dir, sorted by name, so that every parallel
// test process builds the same tree.
func LoadDir(dir string) ([]*Scenario, error) {
	var files []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return nil, fmt.Errorf("scenario: %w", err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	var out []*Scenario
	var errs []error
	names := map[string]string{}
	for _, f := range files {
		s, err := Load(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := names[s.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: name %q is already used by %s", f, s.Name, prev))
			continue
		}
		names[s.Name] = f
		out = append(out, s)
	}
	return out, errors.Join(errs...)
}

// Parse decodes a scenario from data; file names the source in error messages. Unknown keys,
// duplicate keys and type errors are reported first; when the file decodes, every semantic
// problem is reported at once.
func Parse(file string, data []byte) (*Scenario, error) {
	var s Scenario
	if err := yaml.UnmarshalWithOptions(data, &s, yaml.Strict()); err != nil {
		return nil, &Error{Problems: []Problem{decodeProblem(file, data, err)}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{Problems: []Problem{{File: file, Message: "empty scenario file"}}}
	}
	s.Path = file
	applyDefaults(&s)
	if probs := validate(&s); len(probs) > 0 {
		locate(file, data, probs)
		return nil, &Error{Problems: probs}
	}
	return &s, nil
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
		// Walk up the path until a node exists (a missing field is reported at its parent).
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
	sort.SliceStable(probs, func(a, b int) bool {
		if probs[a].Line != probs[b].Line {
			return probs[a].Line < probs[b].Line
		}
		return probs[a].Column < probs[b].Column
	})
}

func parentPath(p string) string {
	if i := strings.LastIndexAny(p, ".["); i > 0 {
		return p[:i]
	}
	return ""
}

func applyDefaults(s *Scenario) {
	if s.Timeout == 0 {
		s.Timeout = Duration(DefaultTimeout)
	}
	for i := range s.Routes {
		if s.Routes[i].Server == "" {
			s.Routes[i].Server = s.Server.Names()[0]
		}
	}
	for i := range s.Server.Streams {
		st := &s.Server.Streams[i]
		if st.FPS == 0 {
			st.FPS = DefaultFPS
		}
		if st.KeyframeInterval == 0 {
			st.KeyframeInterval = Duration(DefaultKeyframeInterval)
		}
	}
	for i := range s.Clients {
		c := &s.Clients[i]
		if c.Role == "publisher" || c.Role == "viewer" {
			liveDefaults(c)
			continue
		}
		if c.BufferTime == 0 {
			c.BufferTime = Duration(DefaultBufferTime)
		}
		for j := range c.Play {
			if c.Play[j].Transition == "" {
				c.Play[j].Transition = "append"
				if j == 0 {
					c.Play[j].Transition = "reset"
				}
			}
		}
		if m := c.StallMonitor; m != nil {
			if m.Interval == 0 {
				m.Interval = Duration(500 * time.Millisecond)
			}
			if m.Ticks == 0 {
				m.Ticks = 2
			}
		}
		if r := c.Reconnect; r != nil {
			if r.On == "" {
				r.On = "closed"
			}
			if r.Transition == "" {
				r.Transition = "resume"
			}
			if r.MaxTries == 0 {
				r.MaxTries = DefaultMaxTries
			}
			if r.Delay == 0 {
				r.Delay = Duration(DefaultReconnectDelay)
			}
		}
	}
	defaultFaults(s)
	for _, e := range s.Expect {
		if p := e.ResumesAtOffset; p != nil && p.MinResumes == nil {
			one := 1
			p.MinResumes = &one
		}
		if p := e.PlaysToEnd; p != nil && p.Within == 0 {
			p.Within = s.Timeout
		}
		if p := e.RepublishesAfterZeroBitrate; p != nil && p.Within == 0 {
			p.Within = Duration(5 * time.Second)
		}
		if p := e.LiveResumes; p != nil && p.Within == 0 {
			p.Within = Duration(5 * time.Second)
		}
		if p := e.LiveResumes; p != nil && p.MinPublishes == 0 {
			p.MinPublishes = 1
		}
		if p := e.BandwidthMeasured; p != nil && p.Tolerance == nil {
			tol := 0.2
			p.Tolerance = &tol
		}
	}
}

// liveDefaults fills a publisher's or viewer's defaults.
func liveDefaults(c *Client) {
	if c.Duration == 0 {
		c.Duration = Duration(10 * time.Second)
	}
	if r := c.Restore; r != nil {
		if r.Timeout == 0 {
			r.Timeout = Duration(fakeclient.DefaultRestoreTimeout)
		}
		if r.MaxTries == 0 {
			r.MaxTries = fakeclient.DefaultRestoreMaxTries
		}
		if b := r.Backoff; b != nil {
			if b.Factor == 0 {
				b.Factor = fakeclient.DefaultBackoffFactor
			}
			if b.Max == 0 {
				b.Max = Duration(fakeclient.DefaultBackoffMax)
			}
		}
	}
	if c.Role != "publisher" {
		return
	}
	if c.Bitrate == 0 {
		c.Bitrate = fakeclient.DefaultBitrate / 1000
	}
	if c.FPS == 0 {
		c.FPS = DefaultFPS
	}
	if len(c.Codecs) == 0 {
		c.Codecs = []string{"h264"}
	}
	if b := c.BitrateCheck; b != nil {
		if b.Interval == 0 {
			b.Interval = Duration(time.Second)
		}
		if b.MaxTries == 0 {
			b.MaxTries = fakeclient.DefaultBitrateMaxTries
		}
	}
	if p := c.Pings; p != nil {
		if p.ReceiveProbes == 0 {
			p.ReceiveProbes = 3
		}
		if p.ProbesInterval == 0 {
			p.ProbesInterval = Duration(fakeclient.DefaultProbesInterval)
		}
	}
}

var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func validate(s *Scenario) []Problem {
	var probs []Problem
	bad := func(field, format string, args ...any) {
		probs = append(probs, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if s.Name == "" {
		bad("name", "is required")
	} else if !safeName.MatchString(s.Name) {
		bad("name", "%q may hold only letters, digits, '.', '_' and '-'", s.Name)
	}
	if s.Timeout < 0 {
		bad("timeout", "must be positive")
	}
	if t := s.Toxiproxy; t != nil {
		if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("toxiproxy.url", "%q is not an http(s) URL such as http://127.0.0.1:8474", t.URL)
		}
	}
	streams := map[string]bool{}
	if len(s.Server.Streams) == 0 {
		bad("server.streams", "at least one stream is required")
	}
	for i, st := range s.Server.Streams {
		f := fmt.Sprintf("server.streams[%d]", i)
		switch {
		case st.Name == "":
			bad(f+".name", "is required")
		case streams[st.Name]:
			bad(f+".name", "stream %q is defined twice", st.Name)
		case strings.ContainsAny(st.Name, ":/ \x00"):
			bad(f+".name", "%q must not contain ':', '/', spaces or NUL", st.Name)
		}
		streams[st.Name] = true
		if st.Duration <= 0 {
			bad(f+".duration", "must be positive")
		}
		if st.FPS < 1 || st.FPS > 120 {
			bad(f+".fps", "%d is outside 1..120", st.FPS)
		}
		if st.KeyframeInterval <= 0 {
			bad(f+".keyframeInterval", "must be positive")
		}
	}
	servers := map[string]bool{}
	for i, name := range s.Server.Instances {
		f := fmt.Sprintf("server.instances[%d]", i)
		switch {
		case !safeName.MatchString(name):
			bad(f, "%q may hold only letters, digits, '.', '_' and '-'", name)
		case servers[name]:
			bad(f, "server %q is defined twice", name)
		}
		servers[name] = true
	}
	if len(s.Server.Instances) == 0 {
		servers[ServerName] = true
	}
	routes := map[string]bool{}
	if len(s.Routes) == 0 {
		bad("routes", "at least one route is required")
	}
	for i, r := range s.Routes {
		f := fmt.Sprintf("routes[%d].name", i)
		switch {
		case r.Name == "":
			bad(f, "is required")
		case !safeName.MatchString(r.Name):
			bad(f, "%q may hold only letters, digits, '.', '_' and '-'", r.Name)
		case routes[r.Name]:
			bad(f, "route %q is defined twice", r.Name)
		}
		routes[r.Name] = true
		if !servers[r.Server] {
			bad(fmt.Sprintf("routes[%d].server", i), "%q is not a server of this scenario%s", r.Server, known(servers))
		}
	}
	clients := map[string]bool{}
	if len(s.Clients) == 0 {
		bad("clients", "at least one client is required")
	}
	for i, c := range s.Clients {
		f := fmt.Sprintf("clients[%d]", i)
		switch {
		case c.Name == "":
			bad(f+".name", "is required")
		case clients[c.Name]:
			bad(f+".name", "client %q is defined twice", c.Name)
		}
		clients[c.Name] = true
		if !routes[c.Route] {
			bad(f+".route", "%q is not a defined route%s", c.Route, known(routes))
		}
		if c.ConnectTimeout < 0 {
			bad(f+".connectTimeout", "must not be negative")
		}
		switch c.Role {
		case "player":
		case "publisher", "viewer":
			probs = append(probs, validateLive(f, c)...)
			continue
		default:
			bad(f+".role", "%q is not a known role (known: player, publisher, viewer)", c.Role)
			continue
		}
		if c.Stream != "" || c.Restore != nil || c.BitrateCheck != nil || c.Pings != nil || c.Duration != 0 {
			bad(f, "stream, duration, restore, bitrateCheck and pings are for publishers and viewers; a player has a play script")
		}
		if c.BufferTime <= 0 {
			bad(f+".bufferTime", "must be positive")
		}
		if len(c.Play) == 0 {
			bad(f+".play", "at least one play item is required")
		}
		played := map[string]int{}
		for j, p := range c.Play {
			pf := fmt.Sprintf("%s.play[%d]", f, j)
			isKnown := slices.Contains(fakeclient.Transitions, p.Transition)
			switch {
			case j == 0 && p.Transition != "reset":
				bad(pf+".transition", "%q is not supported for the first item (use reset)", p.Transition)
			case !isKnown && !p.Raw:
				bad(pf+".transition", "%q is not a play2 transition (known: %s; set raw: true to send it anyway)", p.Transition, strings.Join(fakeclient.Transitions, ", "))
			case isKnown && p.Raw:
				bad(pf+".raw", "is for unknown transitions; %q is known", p.Transition)
			}
			if j == 0 && p.At != 0 {
				bad(pf+".at", "the first item is played at 0, not %v", p.At)
			}
			if j > 0 && p.At < c.Play[j-1].At {
				bad(pf+".at", "%v comes before the previous item's %v", p.At, c.Play[j-1].At)
			}
			if p.Transition == "stop" {
				if p.Stream != "" {
					bad(pf+".stream", "stop takes no stream")
				}
			} else if !streams[p.Stream] {
				bad(pf+".stream", "%q is not a stream of the server%s", p.Stream, known(streams))
			} else if prev, dup := played[p.Stream]; dup && isKnown {
				bad(pf+".stream", "%q is already in the play script (item %d); the checkers follow frames per stream, so each stream may appear once", p.Stream, prev)
			} else {
				played[p.Stream] = j
			}
			if p.OldStream != "" && !streams[p.OldStream] {
				bad(pf+".oldStream", "%q is not a stream of the server%s", p.OldStream, known(streams))
			}
			if p.Transition == "swap" && p.OldStream == "" {
				bad(pf+".oldStream", "swap needs the item it replaces")
			}
			if p.OldStream != "" && p.Transition != "switch" && p.Transition != "swap" {
				bad(pf+".oldStream", "only switch and swap take an oldStream")
			}
			if p.Start < 0 {
				bad(pf+".start", "must not be negative")
			}
			if p.Len < 0 {
				bad(pf+".len", "must not be negative")
			}
		}
		if r := c.Reconnect; r != nil {
			if r.On != "closed" {
				bad(f+".reconnect.on", "%q is not a known trigger (known: closed)", r.On)
			}
			if r.Transition != "resume" {
				bad(f+".reconnect.transition", "%q is not supported (known: resume)", r.Transition)
			}
			if r.MaxTries < 1 {
				bad(f+".reconnect.maxTries", "must be at least 1")
			}
			if r.Delay < 0 {
				bad(f+".reconnect.delay", "must not be negative")
			}
		}
		if m := c.StallMonitor; m != nil {
			if m.Interval <= 0 {
				bad(f+".stallMonitor.interval", "must be positive")
			}
			if m.Ticks < 1 {
				bad(f+".stallMonitor.ticks", "must be at least 1")
			}
		}
		if c.Mutant != "" && !slices.Contains(fakeclient.Mutants, c.Mutant) {
			bad(f+".mutant", "%q is not a known mutant (known: %s)", c.Mutant, strings.Join(fakeclient.Mutants, ", "))
		}
	}
	probs = append(probs, validateFaults(s, routes, clients)...)
	checks := map[string]bool{}
	if len(s.Expect) == 0 {
		bad("expect", "at least one checker is required")
	}
	for i, e := range s.Expect {
		f := fmt.Sprintf("expect[%d]", i)
		if e.count() != 1 {
			bad(f, "each entry names exactly one checker (known: %s)", strings.Join(Checkers, ", "))
			continue
		}
		checks[e.Name()] = true
		var client string
		switch {
		case e.ResumesAtOffset != nil:
			client = e.ResumesAtOffset.Client
			if *e.ResumesAtOffset.MinResumes < 0 {
				bad(f+".resumesAtOffset.minResumes", "must not be negative")
			}
		case e.PlaysToEnd != nil:
			client = e.PlaysToEnd.Client
			if e.PlaysToEnd.Within <= 0 {
				bad(f+".playsToEnd.within", "must be positive")
			}
		case e.Reconnects != nil:
			client = e.Reconnects.Client
			if e.Reconnects.Count < 0 {
				bad(f+".reconnects.count", "must not be negative")
			}
		case e.StallDetected != nil:
			client = e.StallDetected.Client
			if e.StallDetected.Within <= 0 {
				bad(f+".stallDetected.within", "must be positive")
			}
			if !faultNamed(s, e.StallDetected.Fault) {
				bad(f+".stallDetected.fault", "%q is not the name of a fault", e.StallDetected.Fault)
			}
		case e.BandwidthMeasured != nil:
			p := e.BandwidthMeasured
			client = p.Client
			if p.Kbps <= 0 {
				bad(f+".bandwidthMeasured.kbps", "must be positive")
			}
			if *p.Tolerance <= 0 || *p.Tolerance >= 1 {
				bad(f+".bandwidthMeasured.tolerance", "%g is outside (0, 1)", *p.Tolerance)
			}
			if !bandwidthChecked(s, p.Client) {
				bad(f+".bandwidthMeasured.client", "%q does not set bandwidthCheck: true, so nothing is measured", p.Client)
			}
		case e.PlaylistRebuilt != nil:
			client = e.PlaylistRebuilt.Client
		case e.OldConnectionClosedAfterAttach != nil:
			client = e.OldConnectionClosedAfterAttach.Client
		case e.RepublishesAfterZeroBitrate != nil:
			p := e.RepublishesAfterZeroBitrate
			client = p.Client
			if c := s.Client(p.Client); c != nil && (c.Role != "publisher" || c.BitrateCheck == nil) {
				bad(f+".republishesAfterZeroBitrate.client", "%q is not a publisher with a bitrateCheck", p.Client)
			}
			if p.Viewer != "" && !clients[p.Viewer] {
				bad(f+".republishesAfterZeroBitrate.viewer", "%q is not a defined client%s", p.Viewer, known(clients))
			}
		case e.RestorePolicy != nil:
			client = e.RestorePolicy.Client
			if c := s.Client(client); c != nil && c.Restore == nil {
				bad(f+".restorePolicy.client", "%q has no restore policy to check", client)
			}
		case e.NoRestoreAfterManualStop != nil:
			client = e.NoRestoreAfterManualStop.Client
		case e.DeadPeerDetected != nil:
			p := e.DeadPeerDetected
			client = p.Client
			if p.Within <= 0 {
				bad(f+".deadPeerDetected.within", "must be positive")
			}
			if !faultNamed(s, p.Fault) {
				bad(f+".deadPeerDetected.fault", "%q is not the name of a fault", p.Fault)
			}
		case e.LiveResumes != nil:
			client = e.LiveResumes.Client
		case e.StatusReceived != nil:
			client = e.StatusReceived.Client
			if !strings.HasPrefix(e.StatusReceived.Code, "NetStream.") && !strings.HasPrefix(e.StatusReceived.Code, "NetConnection.") {
				bad(f+".statusReceived.code", "%q is not a NetStream.* or NetConnection.* status code", e.StatusReceived.Code)
			}
		}
		if !clients[client] {
			bad(f+"."+e.Name()+".client", "%q is not a defined client%s", client, known(clients))
		}
	}
	for i, name := range s.ExpectFailures {
		if !checks[name] {
			bad(fmt.Sprintf("expectFailures[%d]", i), "%q is not one of this scenario's checkers", name)
		}
	}
	return probs
}

// validateLive checks a publisher or viewer.
func validateLive(f string, c Client) []Problem {
	var probs []Problem
	bad := func(field, format string, args ...any) {
		probs = append(probs, Problem{Field: f + field, Message: fmt.Sprintf(format, args...)})
	}
	if c.Stream == "" {
		bad(".stream", "is required: the live name the %s uses", c.Role)
	} else if !safeName.MatchString(c.Stream) {
		bad(".stream", "%q may hold only letters, digits, '.', '_' and '-'", c.Stream)
	}
	if len(c.Play) > 0 || c.Reconnect != nil || c.StallMonitor != nil || c.BandwidthCheck {
		bad("", "play, reconnect, stallMonitor and bandwidthCheck are for VOD players")
	}
	if c.Duration <= 0 {
		bad(".duration", "must be positive")
	}
	if r := c.Restore; r != nil {
		if r.Timeout <= 0 {
			bad(".restore.timeout", "must be positive")
		}
		if r.MaxTries < 1 {
			bad(".restore.maxTries", "must be at least 1")
		}
		if b := r.Backoff; b != nil {
			if b.Factor < 1 {
				bad(".restore.backoff.factor", "%g must be at least 1", b.Factor)
			}
			if b.Jitter < 0 || b.Jitter > 1 {
				bad(".restore.backoff.jitter", "%g is outside 0..1", b.Jitter)
			}
			if c.Role != "publisher" {
				bad(".restore.backoff", "is for publishers")
			}
		}
	}
	if c.Role == "viewer" {
		if c.BitrateCheck != nil || c.Pings != nil || c.Bitrate != 0 || len(c.Codecs) > 0 || c.Mutant != "" {
			bad("", "bitrate, codecs, bitrateCheck, pings and mutants are for publishers")
		}
		return probs
	}
	if c.Bitrate < 1 || c.Bitrate > 100000 {
		bad(".bitrate", "%d kbit/s is outside 1..100000", c.Bitrate)
	}
	if c.FPS < 1 || c.FPS > 120 {
		bad(".fps", "%d is outside 1..120", c.FPS)
	}
	if b := c.BitrateCheck; b != nil {
		if b.Interval <= 0 {
			bad(".bitrateCheck.interval", "must be positive")
		}
		if b.MaxTries < 1 {
			bad(".bitrateCheck.maxTries", "must be at least 1")
		}
		if b.CodecChange && len(c.Codecs) < 2 {
			bad(".codecs", "codecChange needs at least two codecs to fall back through")
		}
	}
	if p := c.Pings; p != nil {
		if p.ReceiveProbes < 1 {
			bad(".pings.receiveProbes", "must be at least 1")
		}
		if p.ProbesInterval <= 0 {
			bad(".pings.probesInterval", "must be positive")
		}
	}
	if c.SendBuffer < 0 {
		bad(".sendBuffer", "must not be negative")
	}
	if c.Mutant != "" && !slices.Contains(fakeclient.PublisherMutants, c.Mutant) {
		bad(".mutant", "%q is not a known publisher mutant (known: %s)", c.Mutant, strings.Join(fakeclient.PublisherMutants, ", "))
	}
	return probs
}

func bandwidthChecked(s *Scenario, client string) bool {
	if c := s.Client(client); c != nil {
		return c.BandwidthCheck
	}
	return true // an undefined client is reported on its own
}

func faultNamed(s *Scenario, name string) bool {
	for _, f := range s.Faults {
		if f.Name == name {
			return true
		}
	}
	return false
}

func known(set map[string]bool) string {
	var names []string
	for n := range set {
		if n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return " (defined: " + strings.Join(names, ", ") + ")"
}
