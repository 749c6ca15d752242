package scenario

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Fault is one step of the fault timeline: exactly one trigger (at, after, when,
// atStreamTime), an optional duration, and exactly one fault kind.
type Fault struct {
	// Name labels the fault in the history and for after-triggers (default: kind-index).
	Name string `yaml:"name" json:"name,omitempty"`

	// At fires the fault at this time since the start of the run.
	At *Duration `yaml:"at" json:"at,omitempty"`
	// After fires the fault a delay after another fault has ended.
	After *AfterTrigger `yaml:"after" json:"after,omitempty"`
	// When fires the fault the first time a client reports an event or status code.
	When *WhenTrigger `yaml:"when" json:"when,omitempty"`
	// AtStreamTime fires the fault when a client has rendered up to a stream time.
	AtStreamTime *StreamTimeTrigger `yaml:"atStreamTime" json:"atStreamTime,omitempty"`

	// For is how long the fault lasts before it is undone; zero keeps it until the final heal
	// (instantaneous actions — drop, reset, restart — ignore it).
	For Duration `yaml:"for" json:"for,omitempty"`

	// Drop ends every live connection of a route with a clean close (EOF on both sides).
	Drop *RouteRef `yaml:"drop" json:"drop,omitempty"`
	// Reset ends every live connection of a route with a TCP reset (ECONNRESET).
	Reset *RouteRef `yaml:"reset" json:"reset,omitempty"`
	// Disable closes a route's live connections and refuses new ones (until For or Enable).
	Disable *RouteRef `yaml:"disable" json:"disable,omitempty"`
	// Enable accepts connections on a disabled route again.
	Enable *RouteRef `yaml:"enable" json:"enable,omitempty"`
	// Stall pauses a route in both directions without losing a byte; For resumes it.
	Stall *RouteRef `yaml:"stall" json:"stall,omitempty"`
	// Blackhole makes a route's bytes vanish while sockets stay open; undoing it closes them.
	Blackhole *RouteRef `yaml:"blackhole" json:"blackhole,omitempty"`
	// Flap drops a route every Every, Times times.
	Flap *Flap `yaml:"flap" json:"flap,omitempty"`
	// SwitchRoute is a network change for a client (e.g. Wi-Fi to LTE): its later
	// connections go through another route; its current one is left as it is.
	SwitchRoute *SwitchRoute `yaml:"switchRoute" json:"switchRoute,omitempty"`
	// Move is a load-balance move of a client: it attaches to a new connection through
	// Route (typically to another server), closes the old one once attached, and resumes there.
	Move *SwitchRoute `yaml:"move" json:"move,omitempty"`
	// ManualStop stops a publisher by hand: it clears its state and must not restore.
	ManualStop *ClientRef `yaml:"manualStop" json:"manualStop,omitempty"`
	// Kill aborts the server's every socket (RST) and stops it listening; For restarts it.
	Kill *ServerRef `yaml:"kill" json:"kill,omitempty"`
	// Restart kills the server and starts it again on the same address at once.
	Restart *ServerRef `yaml:"restart" json:"restart,omitempty"`
	// Shutdown closes the server gracefully (FIN) and stops it listening; For restarts it.
	Shutdown *ServerRef `yaml:"shutdown" json:"shutdown,omitempty"`
	// StallMedia makes the server stop sending media while every socket stays open and
	// read (a server-side stall); For resumes it.
	StallMedia *ServerRef `yaml:"stallMedia" json:"stallMedia,omitempty"`

	// Latency delays every chunk of data (Toxiproxy latency toxic).
	Latency *LatencyToxic `yaml:"latency" json:"latency,omitempty"`
	// Bandwidth limits throughput (Toxiproxy bandwidth toxic).
	Bandwidth *BandwidthToxic `yaml:"bandwidth" json:"bandwidth,omitempty"`
	// SlowClose delays the close of a connection (Toxiproxy slow_close toxic).
	SlowClose *SlowCloseToxic `yaml:"slowClose" json:"slowClose,omitempty"`
	// Timeout stops data and closes the connection after an idle time (Toxiproxy timeout toxic).
	Timeout *TimeoutToxic `yaml:"timeout" json:"timeout,omitempty"`
	// ResetPeer resets connections after a timeout (Toxiproxy reset_peer toxic); it acts on
	// connections opened while it is present.
	ResetPeer *TimeoutToxic `yaml:"resetPeer" json:"resetPeer,omitempty"`
	// LimitData closes a connection after some bytes (Toxiproxy limit_data toxic).
	LimitData *LimitDataToxic `yaml:"limitData" json:"limitData,omitempty"`
	// Slicer slices data into small delayed bits (Toxiproxy slicer toxic).
	Slicer *SlicerToxic `yaml:"slicer" json:"slicer,omitempty"`
}

// FaultKinds lists the YAML keys of every fault kind.
var FaultKinds = []string{"drop", "reset", "disable", "enable", "stall", "blackhole", "flap", "switchRoute", "move", "manualStop", "kill", "restart",
	"shutdown", "stallMedia", "latency", "bandwidth", "slowClose", "timeout", "resetPeer", "limitData", "slicer"}

// Kind is the fault's YAML key ("" when none is set; the first when several are).
func (f Fault) Kind() string {
	for i, set := range f.kinds() {
		if set {
			return FaultKinds[i]
		}
	}
	return ""
}

func (f Fault) kinds() []bool {
	return []bool{f.Drop != nil, f.Reset != nil, f.Disable != nil, f.Enable != nil, f.Stall != nil, f.Blackhole != nil,
		f.Flap != nil, f.SwitchRoute != nil, f.Move != nil, f.ManualStop != nil, f.Kill != nil, f.Restart != nil, f.Shutdown != nil, f.StallMedia != nil, f.Latency != nil, f.Bandwidth != nil,
		f.SlowClose != nil, f.Timeout != nil, f.ResetPeer != nil, f.LimitData != nil, f.Slicer != nil}
}

func (f Fault) kindCount() int {
	n := 0
	for _, set := range f.kinds() {
		if set {
			n++
		}
	}
	return n
}

// lastsUntilHeal tells whether the fault, once applied, is only undone by the final heal.
func (f Fault) lastsUntilHeal() bool {
	if f.For > 0 {
		return false
	}
	revertible := f.Disable != nil || f.Stall != nil || f.Blackhole != nil || f.Kill != nil || f.Shutdown != nil ||
		f.StallMedia != nil || f.Toxic() != nil
	return revertible
}

func (f Fault) triggerCount() int {
	n := 0
	for _, set := range []bool{f.At != nil, f.After != nil, f.When != nil, f.AtStreamTime != nil} {
		if set {
			n++
		}
	}
	return n
}

// Route is the route the fault acts on ("" for server faults).
func (f Fault) Route() string {
	for _, r := range []*RouteRef{f.Drop, f.Reset, f.Disable, f.Enable, f.Stall, f.Blackhole} {
		if r != nil {
			return r.Route
		}
	}
	if f.Flap != nil {
		return f.Flap.Route
	}
	if f.SwitchRoute != nil {
		return f.SwitchRoute.Route
	}
	if f.Move != nil {
		return f.Move.Route
	}
	if t := f.Toxic(); t != nil {
		return t.Route
	}
	return ""
}

// Toxic returns the common toxic settings when the fault is a Toxiproxy toxic.
func (f Fault) Toxic() *ToxicCommon {
	switch {
	case f.Latency != nil:
		return &f.Latency.ToxicCommon
	case f.Bandwidth != nil:
		return &f.Bandwidth.ToxicCommon
	case f.SlowClose != nil:
		return &f.SlowClose.ToxicCommon
	case f.Timeout != nil:
		return &f.Timeout.ToxicCommon
	case f.ResetPeer != nil:
		return &f.ResetPeer.ToxicCommon
	case f.LimitData != nil:
		return &f.LimitData.ToxicCommon
	case f.Slicer != nil:
		return &f.Slicer.ToxicCommon
	}
	return nil
}

// AfterTrigger fires a delay after another fault ended.
type AfterTrigger struct {
	// Fault is the name of the earlier fault.
	Fault string `yaml:"fault" json:"fault"`
	// Delay is the wait after that fault's end.
	Delay Duration `yaml:"delay" json:"delay,omitempty"`
}

// WhenTrigger fires the first time a client reports Event: a status code such as
// NetStream.Buffer.Full, or an event kind such as frames.rendered.
type WhenTrigger struct {
	// Client is the client to watch.
	Client string `yaml:"client" json:"client"`
	// Event is the status code or event kind.
	Event string `yaml:"event" json:"event"`
	// Count fires on the Count-th such event (default 1), e.g. 2 with
	// NetConnection.Connect.Success for the first reconnect.
	Count int `yaml:"count" json:"count,omitempty"`
}

// StreamTimeTrigger fires when a client has rendered the frame at Time of the stream it plays.
type StreamTimeTrigger struct {
	// Client is the client to watch.
	Client string `yaml:"client" json:"client"`
	// Time is the stream time.
	Time Duration `yaml:"time" json:"time"`
}

// RouteRef names a route.
type RouteRef struct {
	// Route is the route's name.
	Route string `yaml:"route" json:"route"`
}

// SwitchRoute moves a client to another route.
type SwitchRoute struct {
	// Client is the client whose network changes.
	Client string `yaml:"client" json:"client"`
	// Route is the route its later connections take.
	Route string `yaml:"route" json:"route"`
}

// ServerRef names a server.
type ServerRef struct {
	// Server is the server's name (default: the first of server.instances, "origin").
	Server string `yaml:"server" json:"server,omitempty"`
}

// Flap drops a route repeatedly.
type Flap struct {
	// Route is the route to drop.
	Route string `yaml:"route" json:"route"`
	// Every is the time between drops.
	Every Duration `yaml:"every" json:"every"`
	// Times is the number of drops.
	Times int `yaml:"times" json:"times"`
}

// Directions of a toxic.
const (
	Upstream   = "upstream"   // client to server
	Downstream = "downstream" // server to client
	Both       = "both"
)

// ToxicCommon holds what every toxic has.
type ToxicCommon struct {
	// Route is the route the toxic is added to.
	Route string `yaml:"route" json:"route"`
	// Direction is upstream (client to server), downstream (server to client, the default) or both.
	Direction string `yaml:"direction" json:"direction,omitempty"`
	// Toxicity is the share of connections affected, 0..1 (default 1).
	Toxicity *float64 `yaml:"toxicity" json:"toxicity,omitempty"`
}

// LatencyToxic adds latency ± jitter to every chunk.
type LatencyToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// Latency is the added delay.
	Latency Duration `yaml:"latency" json:"latency"`
	// Jitter is the random variation (±).
	Jitter Duration `yaml:"jitter" json:"jitter,omitempty"`
}

// BandwidthToxic limits throughput.
type BandwidthToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// Rate is the limit in KB/s (0 stalls the route).
	Rate int `yaml:"rate" json:"rate"`
}

// SlowCloseToxic delays the close of a connection.
type SlowCloseToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// Delay is how long the close is held back.
	Delay Duration `yaml:"delay" json:"delay"`
}

// TimeoutToxic is the timeout or reset_peer toxic.
type TimeoutToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// Timeout is the idle time (timeout) or the delay before the reset (resetPeer); 0 means
	// never close (timeout: a blackhole) or at once (resetPeer).
	Timeout Duration `yaml:"timeout" json:"timeout"`
}

// LimitDataToxic closes a connection after some bytes.
type LimitDataToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// Bytes is the number of bytes let through per connection.
	Bytes int64 `yaml:"bytes" json:"bytes"`
}

// SlicerToxic slices data into smaller bits with a delay between them.
type SlicerToxic struct {
	ToxicCommon `yaml:",inline" json:",inline"`
	// AverageSize is the mean slice size in bytes.
	AverageSize int `yaml:"averageSize" json:"averageSize"`
	// SizeVariation is the random variation of the size in bytes.
	SizeVariation int `yaml:"sizeVariation" json:"sizeVariation,omitempty"`
	// Delay is the wait between slices.
	Delay Duration `yaml:"delay" json:"delay,omitempty"`
}

// Nemesis is a seeded random fault schedule (Jepsen style): Count faults of the listed kinds
// on one route, separated by random gaps in [MinGap, MaxGap]. The same seed gives the same
// schedule.
type Nemesis struct {
	// Seed makes the schedule reproducible; 0 picks one at load time (printed and recorded).
	Seed uint64 `yaml:"seed" json:"seed"`
	// Kinds are drawn from: drop, reset, stall, blackhole, disable.
	Kinds []string `yaml:"kinds" json:"kinds"`
	// Route is the route the faults act on.
	Route string `yaml:"route" json:"route"`
	// Count is the number of faults.
	Count int `yaml:"count" json:"count"`
	// Start is when the first gap begins (default 1s).
	Start Duration `yaml:"start" json:"start,omitempty"`
	// MinGap and MaxGap bound the time between faults.
	MinGap Duration `yaml:"minGap" json:"minGap"`
	MaxGap Duration `yaml:"maxGap" json:"maxGap"`
	// For is how long stall, blackhole and disable last (default 1s).
	For Duration `yaml:"for" json:"for,omitempty"`
}

// NemesisKinds are the fault kinds a nemesis can draw.
var NemesisKinds = []string{"drop", "reset", "stall", "blackhole", "disable"}

// Schedule expands the nemesis into faults named nemesis-1, nemesis-2, …
func (n *Nemesis) Schedule() []Fault {
	rng := rand.New(rand.NewPCG(n.Seed, n.Seed^0x5eed))
	at := n.Start.D()
	var out []Fault
	for i := 0; i < n.Count && len(n.Kinds) > 0; i++ {
		gap := n.MinGap.D()
		if span := n.MaxGap.D() - n.MinGap.D(); span > 0 {
			gap += time.Duration(rng.Int64N(int64(span) + 1))
		}
		at += gap
		t := Duration(at)
		f := Fault{Name: fmt.Sprintf("nemesis-%d", i+1), At: &t}
		ref := &RouteRef{Route: n.Route}
		switch n.Kinds[rng.IntN(len(n.Kinds))] {
		case "drop":
			f.Drop = ref
		case "reset":
			f.Reset = ref
		case "stall":
			f.Stall, f.For = ref, n.For
		case "blackhole":
			f.Blackhole, f.For = ref, n.For
		case "disable":
			f.Disable, f.For = ref, n.For
		}
		out = append(out, f)
		at += f.For.D()
	}
	return out
}

// ServerName is the name of the scenario's reference server when server.instances is not set.
const ServerName = "origin"

// MaxNemesisCount bounds a random schedule.
const MaxNemesisCount = 1000

func defaultFaults(s *Scenario) {
	if n := s.Nemesis; n != nil {
		if n.Seed == 0 {
			n.Seed = rand.Uint64() | 1
		}
		if n.Start == 0 {
			n.Start = Duration(time.Second)
		}
		if n.For == 0 {
			n.For = Duration(time.Second)
		}
		if len(nemesisProblems(n, nil)) == 0 {
			s.Faults = append(s.Faults, n.Schedule()...)
		}
	}
	for i := range s.Faults {
		f := &s.Faults[i]
		if f.Name == "" {
			f.Name = fmt.Sprintf("%s-%d", f.Kind(), i+1)
		}
		for _, r := range []*ServerRef{f.Kill, f.Restart, f.Shutdown, f.StallMedia} {
			if r != nil && r.Server == "" {
				r.Server = s.Server.Names()[0]
			}
		}
		if t := f.Toxic(); t != nil {
			if t.Direction == "" {
				t.Direction = Downstream
			}
			if t.Toxicity == nil {
				one := 1.0
				t.Toxicity = &one
			}
		}
	}
}

// nemesisProblems validates a nemesis; routes may be nil to skip the route check.
func nemesisProblems(n *Nemesis, routes map[string]bool) []Problem {
	var probs []Problem
	bad := func(field, format string, args ...any) {
		probs = append(probs, Problem{Field: "nemesis." + field, Message: fmt.Sprintf(format, args...)})
	}
	if len(n.Kinds) == 0 {
		bad("kinds", "at least one kind is required (known: %v)", NemesisKinds)
	}
	for i, k := range n.Kinds {
		if !contains(NemesisKinds, k) {
			bad(fmt.Sprintf("kinds[%d]", i), "%q is not a nemesis kind (known: %v)", k, NemesisKinds)
		}
	}
	if routes != nil && !routes[n.Route] {
		bad("route", "%q is not a defined route%s", n.Route, known(routes))
	}
	if n.Count < 1 || n.Count > MaxNemesisCount {
		bad("count", "%d is outside 1..%d", n.Count, MaxNemesisCount)
	}
	if n.MinGap < 0 || n.MaxGap < n.MinGap {
		bad("maxGap", "gaps must satisfy 0 <= minGap <= maxGap")
	}
	if n.For < 0 || n.Start < 0 {
		bad("for", "durations must not be negative")
	}
	return probs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func validateFaults(s *Scenario, routes, clients map[string]bool) []Problem {
	var probs []Problem
	bad := func(field, format string, args ...any) {
		probs = append(probs, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if s.Nemesis != nil {
		probs = append(probs, nemesisProblems(s.Nemesis, routes)...)
	}
	names := map[string]int{}
	for i, ft := range s.Faults {
		if prev, dup := names[ft.Name]; dup {
			bad(fmt.Sprintf("faults[%d].name", i), "%q is already the name of faults[%d]", ft.Name, prev)
		}
		names[ft.Name] = i
	}
	clientStream := map[string]string{}
	for _, c := range s.Clients {
		if len(c.Play) > 0 {
			clientStream[c.Name] = c.Play[0].Stream
		}
	}
	route := func(field, r string) {
		if !routes[r] {
			bad(field, "%q is not a defined route%s", r, known(routes))
		}
	}
	nonNeg := func(field string, d Duration) {
		if d < 0 {
			bad(field, "must not be negative")
		}
	}
	for i, ft := range s.Faults {
		f := fmt.Sprintf("faults[%d]", i)
		switch ft.triggerCount() {
		case 0:
			bad(f, "names no trigger (one of at, after, when, atStreamTime)")
		case 1:
		default:
			bad(f, "names %d triggers; use exactly one of at, after, when, atStreamTime", ft.triggerCount())
		}
		if ft.At != nil {
			if *ft.At < 0 {
				bad(f+".at", "must not be negative")
			} else if *ft.At >= s.Timeout {
				bad(f+".at", "%s is not before the scenario timeout %s, so it can never fire", *ft.At, s.Timeout)
			}
		}
		if a := ft.After; a != nil {
			j, ok := names[a.Fault]
			switch {
			case !ok:
				bad(f+".after.fault", "%q is not the name of a fault", a.Fault)
			case j == i || afterCycle(s.Faults, names, i):
				bad(f+".after.fault", "%q makes a cycle of after-triggers, so it can never fire", a.Fault)
			case s.Faults[j].lastsUntilHeal():
				bad(f+".after.fault", "%q has no `for`, so it lasts until the final heal and this trigger can never fire", a.Fault)
			}
			nonNeg(f+".after.delay", a.Delay)
		}
		if w := ft.When; w != nil {
			if !clients[w.Client] {
				bad(f+".when.client", "%q is not a defined client%s", w.Client, known(clients))
			}
			if w.Event == "" {
				bad(f+".when.event", "is required (a status code such as NetStream.Buffer.Full, or an event kind)")
			}
			if w.Count < 0 {
				bad(f+".when.count", "must not be negative")
			}
		}
		if st := ft.AtStreamTime; st != nil {
			if !clients[st.Client] {
				bad(f+".atStreamTime.client", "%q is not a defined client%s", st.Client, known(clients))
			} else if stream, ok := s.Stream(clientStream[st.Client]); ok && st.Time >= stream.Duration {
				bad(f+".atStreamTime.time", "%s is not before the end of %s (%s), so it can never fire", st.Time, stream.Name, stream.Duration)
			}
			nonNeg(f+".atStreamTime.time", st.Time)
		}
		nonNeg(f+".for", ft.For)
		switch ft.kindCount() {
		case 0:
			bad(f, "names no fault kind (known: %v)", FaultKinds)
			continue
		case 1:
		default:
			bad(f, "names %d fault kinds; one entry is one fault", ft.kindCount())
			continue
		}
		k := f + "." + ft.Kind()
		switch {
		case ft.Drop != nil || ft.Reset != nil || ft.Disable != nil || ft.Enable != nil || ft.Stall != nil || ft.Blackhole != nil:
			route(k+".route", ft.Route())
		case ft.Flap != nil:
			route(k+".route", ft.Flap.Route)
			if ft.Flap.Every <= 0 {
				bad(k+".every", "must be positive")
			}
			if ft.Flap.Times < 1 || ft.Flap.Times > 1000 {
				bad(k+".times", "%d is outside 1..1000", ft.Flap.Times)
			}
		case ft.SwitchRoute != nil || ft.Move != nil:
			sr := ft.SwitchRoute
			if sr == nil {
				sr = ft.Move
			}
			route(k+".route", sr.Route)
			if !clients[sr.Client] {
				bad(k+".client", "%q is not a defined client%s", sr.Client, known(clients))
			} else if c := s.Client(sr.Client); ft.Move != nil && c.Role != "player" {
				bad(k+".client", "%q is a %s; a load-balance move is for VOD players", sr.Client, c.Role)
			}
		case ft.ManualStop != nil:
			if !clients[ft.ManualStop.Client] {
				bad(k+".client", "%q is not a defined client%s", ft.ManualStop.Client, known(clients))
			} else if c := s.Client(ft.ManualStop.Client); c.Role != "publisher" {
				bad(k+".client", "%q is a %s; only publishers are stopped by hand", ft.ManualStop.Client, c.Role)
			}
		case ft.Kill != nil || ft.Restart != nil || ft.Shutdown != nil || ft.StallMedia != nil:
			servers := map[string]bool{}
			for _, name := range s.Server.Names() {
				servers[name] = true
			}
			for _, r := range []*ServerRef{ft.Kill, ft.Restart, ft.Shutdown, ft.StallMedia} {
				if r != nil && !servers[r.Server] {
					bad(k+".server", "%q is not a server of this scenario%s", r.Server, known(servers))
				}
			}
		default:
			t := ft.Toxic()
			route(k+".route", t.Route)
			if !contains([]string{Upstream, Downstream, Both}, t.Direction) {
				bad(k+".direction", "%q is not a direction (upstream, downstream or both)", t.Direction)
			}
			if *t.Toxicity < 0 || *t.Toxicity > 1 {
				bad(k+".toxicity", "%g is outside 0..1", *t.Toxicity)
			}
			switch {
			case ft.Latency != nil:
				nonNeg(k+".latency", ft.Latency.Latency)
				nonNeg(k+".jitter", ft.Latency.Jitter)
			case ft.Bandwidth != nil:
				if ft.Bandwidth.Rate < 0 {
					bad(k+".rate", "must not be negative")
				}
			case ft.SlowClose != nil:
				nonNeg(k+".delay", ft.SlowClose.Delay)
			case ft.Timeout != nil:
				nonNeg(k+".timeout", ft.Timeout.Timeout)
			case ft.ResetPeer != nil:
				nonNeg(k+".timeout", ft.ResetPeer.Timeout)
			case ft.LimitData != nil:
				if ft.LimitData.Bytes < 0 {
					bad(k+".bytes", "must not be negative")
				}
			case ft.Slicer != nil:
				if ft.Slicer.AverageSize < 1 {
					bad(k+".averageSize", "must be at least 1")
				}
				if ft.Slicer.SizeVariation < 0 || ft.Slicer.SizeVariation >= ft.Slicer.AverageSize {
					bad(k+".sizeVariation", "must be in 0..averageSize-1")
				}
				nonNeg(k+".delay", ft.Slicer.Delay)
			}
		}
	}
	return probs
}

// afterCycle tells whether following after-triggers from fault i comes back to i.
func afterCycle(faults []Fault, names map[string]int, i int) bool {
	seen := map[int]bool{}
	for j := i; ; {
		a := faults[j].After
		if a == nil {
			return false
		}
		next, ok := names[a.Fault]
		if !ok {
			return false
		}
		if next == i {
			return true
		}
		if seen[next] {
			return false
		}
		seen[next] = true
		j = next
	}
}
