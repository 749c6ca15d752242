package check

import (
	"fmt"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// NameRepublishes is the republishesAfterZeroBitrate checker's YAML key.
const NameRepublishes = "republishesAfterZeroBitrate"

// Republishes parameterises republishesAfterZeroBitrate.
type Republishes struct {
	// Client is the publisher.
	Client string `yaml:"client" json:"client"`
	// Viewer, when set, must receive frames again within Within of the republish.
	Viewer string `yaml:"viewer" json:"viewer,omitempty"`
	// Within is the viewer's deadline (default 5s).
	Within spec.Duration `yaml:"within" json:"within,omitempty"`
	// Codec, when set, is the codec the republish must announce (codec change).
	Codec string `yaml:"codec" json:"codec,omitempty"`

	// Interval and MaxTries are the publisher's bitrate check, resolved from its options.
	Interval spec.Duration `yaml:"-" json:"interval,omitempty" jsonschema:"-"`
	MaxTries int           `yaml:"-" json:"maxTries,omitempty" jsonschema:"-"`
}

// Subject is the publisher.
func (c *Republishes) Subject() string { return c.Client }

// Default sets the viewer's deadline to 5s and takes the publisher's bitrate check.
func (c *Republishes) Default(s *Scope) {
	if c.Within == 0 {
		c.Within = spec.Duration(5 * time.Second)
	}
	if cl := s.Client(c.Client); cl != nil && cl.BitrateCheck != nil {
		c.Interval, c.MaxTries = cl.BitrateCheck.Interval, cl.BitrateCheck.MaxTries
	}
}

// Validate checks that the client is a publisher with a bitrate check and the viewer exists.
func (c *Republishes) Validate(p spec.Problems, s *Scope) {
	if cl := s.Client(c.Client); cl != nil && (cl.Role != fakeclient.RolePublisher || cl.BitrateCheck == nil) {
		p.Add("client", "%q is not a publisher with a bitrateCheck", c.Client)
	}
	if c.Viewer != "" && !s.Clients[c.Viewer] {
		p.Add("viewer", "%q is not a defined client%s", c.Viewer, s.Clients.Known())
	}
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
		pub := firstAfter(h.Declared(p.Client, history.KindServerPublish), z.At)
		if pub == nil {
			problems = append(problems, fmt.Sprintf("no server saw %s publish again after the detection at %s", p.Client, sec(z.At)))
			continue
		}
		evidence = append(evidence, fmt.Sprintf("republished: %s session %s at %s", pub.Source, pub.Session, sec(pub.At)))
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
			got := firstAfter(h.Of(p.Viewer, history.KindClientReceived), pub.At)
			switch {
			case got == nil:
				problems = append(problems, fmt.Sprintf("%s got no frame after the republish at %s", p.Viewer, sec(pub.At)))
			case got.At-pub.At > p.Within.D():
				problems = append(problems, fmt.Sprintf("%s got frames again %s after the republish, later than %v", p.Viewer, sec(got.At-pub.At), p.Within))
			default:
				evidence = append(evidence, fmt.Sprintf("%s got frames again at %s (%s after the republish)", p.Viewer, sec(got.At), sec(got.At-pub.At)))
			}
		}
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%d zero-bitrate detection(s) on schedule, each followed by a republish", len(zeros)))
}
