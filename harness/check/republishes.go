package check

import (
	"fmt"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"
	"github.com/streamfault/streamfault/internal/wiretap"
)

// NameRepublishes is the republishesAfterZeroBitrate checker's YAML key.
const NameRepublishes = "republishesAfterZeroBitrate"

// Republishes parameterises republishesAfterZeroBitrate.
type Republishes struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// Viewer, when set, must receive frames again within Within of the republish.
	Viewer string `yaml:"viewer" json:"viewer,omitempty"`
	// Within is the viewer's deadline (default 5s); for a process, also the deadline of the
	// republish after its bytes stopped.
	Within spec.Duration `yaml:"within" json:"within,omitempty"`
	// Codec, when set, is the codec the republish must announce (codec change).
	Codec string `yaml:"codec" json:"codec,omitempty"`

	// Interval and MaxTries are the publisher's bitrate check, resolved from its options.
	Interval spec.Duration `yaml:"-" json:"interval,omitempty" jsonschema:"-"`
	MaxTries int           `yaml:"-" json:"maxTries,omitempty" jsonschema:"-"`
}

// Default sets the viewer's deadline to 5s and takes the publisher's bitrate check.
func (c *Republishes) Default(s *Scope) {
	if c.Within == 0 {
		c.Within = spec.Duration(5 * time.Second)
	}
	if b := bitrateCheck(s.Client(c.Client)); b != nil {
		c.Interval, c.MaxTries = b.Interval, b.MaxTries
	}
}

// Validate checks that the client is a publisher with a bitrate check and the viewer exists.
func (c *Republishes) Validate(p spec.Problems, s *Scope) {
	if cl := s.Client(c.Client); cl != nil && !cl.Traits().Tapped && bitrateCheck(cl) == nil {
		p.Add("client", "%q is not a publisher with a bitrateCheck (or a process)", c.Client)
	}
	if c.Viewer != "" && !s.Clients[c.Viewer] {
		p.Add("viewer", "%q is not a defined client%s", c.Viewer, s.Clients.Known())
	}
	if c.Within <= 0 {
		p.Add("within", "must be positive")
	}
}

// bitrateCheck is a client's zero-bitrate detection (nil: none, or a role without one).
func bitrateCheck(opts role.Options) *fakeclient.BitrateCheck {
	if b, ok := opts.(interface {
		BitrateChecks() *fakeclient.BitrateCheck
	}); ok {
		return b.BitrateChecks()
	}
	return nil
}

// Judge applies the checker.
func (c *Republishes) Judge(h *history.History) Verdict { return republishesAfterZeroBitrate(h, *c) }

// republishesAfterZeroBitrate checks WCS's bitrate check on a publisher: the stall (the last
// check that still saw bytes leave) is followed by the detection exactly maxTries intervals
// later — so between interval×maxTries and interval×(maxTries+1) after the bytes stopped —
// then by a new publish on the server (with codec, when set), and, when viewer is set, by
// frames at the viewer within `within` of that publish.
func republishesAfterZeroBitrate(h *history.History, p Republishes) Verdict {
	interval, maxTries := p.Interval.D(), p.MaxTries
	v := Verdict{Checker: NameRepublishes, Subject: p.Client}
	zeros := h.Of(p.Client, history.KindClientZero)
	if len(zeros) == 0 {
		v.Status, v.Message = Fail, p.Client+"'s bitrate check never detected a zero bitrate"
		var deltas []string
		for _, e := range h.Of(p.Client, history.KindClientBitrate) {
			deltas = append(deltas, fmt.Sprintf("%s: %d bytes", sec(e.At), e.BytesOut))
		}
		if len(deltas) == 0 {
			deltas = []string{"no bitrate check ran"}
		}
		v.Evidence = limit(deltas)
		return v
	}
	var problems, evidence []string
	for _, z := range zeros {
		var lastData *history.Event
		for _, e := range h.Of(p.Client, history.KindClientBitrate) {
			if e.At < z.At && e.BytesOut > 0 {
				ev := e
				lastData = &ev
			}
		}
		if lastData == nil {
			problems = append(problems, fmt.Sprintf("zero bitrate detected at %s with no earlier check that saw data", sec(z.At)))
			continue
		}
		lag := z.At - lastData.At
		want := interval * time.Duration(maxTries)
		strikes := 0
		for _, e := range h.Of(p.Client, history.KindClientBitrate) {
			if e.At > lastData.At && e.At <= z.At && e.BytesOut == 0 {
				strikes++
			}
		}
		line := fmt.Sprintf("last bytes seen by the check at %s, detection at %s: %s and %d empty checks after (interval %v × maxTries %d = %v)",
			sec(lastData.At), sec(z.At), sec(lag), strikes, interval, maxTries, want)
		// The checks run on a fixed grid, so only the wake-up delays of the two ends count;
		// a busy machine (race detector, parallel specs) can delay one by tens of ms.
		tol := max(schedTolerance, interval/5)
		if strikes != maxTries || lag < want-tol || lag > want+tol {
			problems = append(problems, "detection off schedule: "+line)
			continue
		}
		evidence = append(evidence, line)
		pub, by := republished(h, p.Client, z.At)
		if pub == nil {
			problems = append(problems, fmt.Sprintf("no server saw %s publish again after the detection at %s", p.Client, sec(z.At)))
			continue
		}
		evidence = append(evidence, fmt.Sprintf("republished: %s at %s", by, sec(pub.At)))
		if p.Codec != "" {
			var codec string
			for _, e := range h.Of(p.Client, history.KindClientPublish) {
				if e.At > z.At && e.At <= pub.At {
					codec = e.Message
				}
			}
			if codec != p.Codec {
				problems = append(problems, fmt.Sprintf("the republish announced codec %q, want %q (codec change)", codec, p.Codec))
			}
		}
		if p.Viewer != "" {
			problems, evidence = viewerAgain(h, p.Viewer, pub.At, p.Within.D(), problems, evidence)
		}
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%d zero-bitrate detection(s) on schedule, each followed by a republish", len(zeros)))
}

// JudgeWire judges a process publisher from its wire tap: each publishing connection whose
// bytes stopped (the link went dark, or the connection was lost) must be followed, within
// `within` of the moment its bytes last moved, by a publish on a new connection that the
// server accepted (NetStream.Publish.Start delivered), and with viewer, by frames at the
// viewer within `within` of that. How the program noticed is not visible from outside.
func (c *Republishes) JudgeWire(h *history.History) Verdict {
	v := Verdict{Checker: NameRepublishes, Subject: c.Client}
	conns := wireConns(h, c.Client)
	var pubs []wireConn
	for _, wc := range conns {
		if wc.first("publish") != nil {
			pubs = append(pubs, wc)
		}
	}
	if len(pubs) == 0 {
		v.Status, v.Message = Unknown, fmt.Sprintf("%s never published (its wire tap saw %d connection(s))", c.Client, len(conns))
		return v
	}
	var problems, evidence []string
	stalls := 0
	for i, pc := range pubs {
		end := pc.lastActive()
		dark := pc.lost() || (i+1 < len(pubs) && pc.lostBy(pubs[i+1].opened)) || (pc.closed != nil && pc.closed.ClosedBy == wiretap.ByTap && pc.darkAt(pc.closed.At))
		if !dark {
			continue
		}
		stalls++
		var next *history.Event
		var on int
		for _, nx := range pubs[i+1:] {
			if st := nx.status(status.PublishStart); st != nil {
				if ok, how := heldOnWire(h, c.Client, nx, *st); !ok {
					evidence = append(evidence, fmt.Sprintf("the publish on connection %d was accepted at %s but did not hold: %s", nx.n, sec(st.At), how))
					continue
				}
				next, on = st, nx.n
				break
			}
		}
		if next == nil {
			msg := fmt.Sprintf("%s's bytes stopped at %s (%s) and no later publish was accepted", c.Client, sec(end), pc.how())
			if x := exitOf(h, c.Client); x != "" {
				msg += "; " + x
			}
			problems = append(problems, msg)
			continue
		}
		took := next.At - end
		line := fmt.Sprintf("bytes stopped at %s on connection %d; the publish on connection %d was accepted at %s, %s later", sec(end), pc.n, on, sec(next.At), sec(took))
		if took > c.Within.D() {
			problems = append(problems, line+fmt.Sprintf(" (within %v expected)", c.Within))
			continue
		}
		evidence = append(evidence, line)
		if c.Viewer != "" {
			problems, evidence = viewerAgain(h, c.Viewer, next.At, c.Within.D(), problems, evidence)
		}
	}
	if stalls == 0 {
		v.Status, v.Message = Unknown, fmt.Sprintf("%s's bytes never stopped on a publishing connection: there is no republish to judge", c.Client)
		return v
	}
	return conclude(v, problems, evidence, fmt.Sprintf("after each of %d stop(s) of its bytes, %s published again in time", stalls, c.Client))
}

// viewerAgain adds to problems or evidence whether viewer got frames within `within` of a
// republish at pub.
func viewerAgain(h *history.History, viewer string, pub, within time.Duration, problems, evidence []string) ([]string, []string) {
	got := firstAfter(h.Of(viewer, history.KindClientReceived), pub)
	switch {
	case got == nil:
		problems = append(problems, fmt.Sprintf("%s got no frame after the republish at %s", viewer, sec(pub)))
	case got.At-pub > within:
		problems = append(problems, fmt.Sprintf("%s got frames again %s after the republish, later than %v", viewer, sec(got.At-pub), within))
	default:
		evidence = append(evidence, fmt.Sprintf("%s got frames again at %s (%s after the republish)", viewer, sec(got.At), sec(got.At-pub)))
	}
	return problems, evidence
}

// republished is the first publish of client after t that a server accepted: from the
// reference server's access log (by identity), or for a server without one from the status
// the client got (a NetStream.Publish.Start that held AcceptHold); by says which.
func republished(h *history.History, client string, t time.Duration) (*history.Event, string) {
	if srv := serverOf(h, routeAt(h, client, t)); !hasAccessLog(h, srv) {
		a := heldAccept(h, client, status.PublishStart, t)
		if a == nil {
			return nil, ""
		}
		for _, e := range h.Of(client, history.KindClientStatus) {
			if e.At == a.at && e.Conn == a.conn {
				return &e, fmt.Sprintf("%s accepted it (NetStream.Publish.Start on connection %d, and it held)", srv, e.Conn)
			}
		}
		return nil, ""
	}
	pub := firstAfter(h.Declared(client, history.KindServerPublish), t)
	if pub == nil {
		return nil, ""
	}
	return pub, fmt.Sprintf("%s session %s", pub.Source, pub.Session)
}
