package check

import (
	"fmt"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/wiretap"
)

// NameStallDetected is the stallDetected checker's YAML key.
const NameStallDetected = "stallDetected"

// StallDetected parameterises the stallDetected checker.
type StallDetected struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// Fault is the fault that makes the link go dark (e.g. a blackhole).
	Fault string `yaml:"fault" json:"fault"`
	// Within is the longest acceptable time from the fault's start to the detection.
	Within spec.Duration `yaml:"within" json:"within"`
}

// Default leaves the parameters as they are.
func (c *StallDetected) Default(*Scope) {}

// FaultName is the fault whose detection is judged.
func (c *StallDetected) FaultName() string { return c.Fault }

// Validate checks the deadline and the fault's name.
func (c *StallDetected) Validate(p spec.Problems, s *Scope) {
	if c.Within <= 0 {
		p.Add("within", "must be positive")
	}
	if !s.Faults[c.Fault] {
		p.Add("fault", "%q is not the name of a fault", c.Fault)
	}
}

// Judge applies the checker.
func (c *StallDetected) Judge(h *history.History) Verdict {
	return stallDetected(h, c.Client, c.Fault, c.Within.D())
}

// stallDetected checks that the client's stall monitor gave up on a dark link within `within`
// of the named fault's start (the link going dark), that the fault acted on the client's
// path, and that the monitor raised no false alarm.
func stallDetected(h *history.History, client, faultName string, within time.Duration) Verdict {
	v := Verdict{Checker: NameStallDetected, Subject: client}
	return detected(h, v, faultName, history.KindClientStall, "stall", within)
}

// detected judges a detection (the client's events of kind, e.g. a stall or missing pings)
// credited to a fault: the fault fired on the client's path (its route, that route's server,
// or the client itself), the first detection after its start came within `within`, and every
// detection of the client is explained by some fault on its path (none is a false alarm on a
// healthy session).
func detected(h *history.History, v Verdict, faultName, kind, what string, within time.Duration) Verdict {
	client := v.Subject
	f, ok := spanOf(h, faultName)
	if !ok {
		v.Status, v.Message = Unknown, fmt.Sprintf("fault %s never started, so there was nothing to detect", faultName)
		return v
	}
	if !touches(h, f, client, f.start) {
		v.Status = Fail
		v.Message = fmt.Sprintf("fault %s acted on %s, not on %s's path (%s): no detection can be credited to it",
			faultName, f.where(), client, pathOf(h, client, f.start))
		v.Evidence = limit(falseAlarms(h, client, kind, what, within))
		return v
	}
	problems := falseAlarms(h, client, kind, what, within)
	var evidence []string
	first := firstAfter(h.Of(client, kind), f.start-1)
	switch {
	case first == nil:
		problems = append([]string{fmt.Sprintf("%s never detected the %s that %s caused (at %s on %s)", client, what, faultName, sec(f.start), f.where())}, problems...)
		for _, e := range h.Of(client, history.KindClientStatus) {
			if e.At >= f.start {
				evidence = append(evidence, fmt.Sprintf("%s %s %s", sec(e.At), e.Code, e.Message))
			}
		}
	case first.At-f.start > within:
		problems = append([]string{fmt.Sprintf("%s detected %s after %s started, later than %s", what, sec(first.At-f.start), faultName, sec(within))}, problems...)
	default:
		evidence = append(evidence, fmt.Sprintf("%s started at %s on %s; %s detected at %s on connection %d (%s)",
			faultName, sec(f.start), f.where(), what, sec(first.At), first.Conn, first.Message))
	}
	if len(problems) > 0 {
		return fail(v, problems, evidence)
	}
	return conclude(v, nil, evidence, fmt.Sprintf("%s detected %s after %s started on %s's path (limit %s)",
		what, sec(first.At-f.start), faultName, client, sec(within)))
}

// JudgeWire judges a program from its wire tap: a program detects a stall by giving up on the
// dark link, so the connection it had when the fault started must have been closed by the
// program itself, with nothing having moved on it since the fault began, within `within` of
// the fault's start. A close from the server's side (the route or the server ended it first),
// or the program's normal end, is no detection.
func (c *StallDetected) JudgeWire(h *history.History) Verdict {
	v := Verdict{Checker: NameStallDetected, Subject: c.Client}
	f, ok := spanOf(h, c.Fault)
	switch {
	case !ok:
		v.Status, v.Message = Unknown, fmt.Sprintf("fault %s never started, so there was nothing to detect", c.Fault)
		return v
	case !touches(h, f, c.Client, f.start):
		v.Status = Fail
		v.Message = fmt.Sprintf("fault %s acted on %s, not on %s's path (%s): no detection can be credited to it", c.Fault, f.where(), c.Client, pathOf(h, c.Client, f.start))
		return v
	}
	held, since := darkened(wireConns(h, c.Client), f)
	if held == nil {
		v.Status, v.Message = Unknown, fmt.Sprintf("%s had no connection when %s started at %s nor while it lasted: there was no link to go dark", c.Client, c.Fault, sec(f.start))
		return v
	}
	dark, started := fmt.Sprintf("%s made it dark at %s", c.Fault, sec(since)), c.Fault+" started"
	if since > f.start {
		dark = fmt.Sprintf("it opened at %s while %s (from %s) kept it dark", sec(since), c.Fault, sec(f.start))
		started = fmt.Sprintf("it opened while %s kept the route dark", c.Fault)
	}
	cl := held.closed
	switch {
	case cl == nil || cl.ClosedBy == wiretap.ByTap:
		return fail(v, []string{fmt.Sprintf("%s never gave up on connection %d after %s (%s)", c.Client, held.n, dark, held.how())}, nil)
	case cl.ClosedBy != wiretap.ByClient:
		return fail(v, []string{fmt.Sprintf("%s did not detect the stall: %s before it gave up", c.Client, held.how())}, nil)
	case held.ended != "":
		return fail(v, []string{fmt.Sprintf("%s did not detect the stall: %s", c.Client, held.how())}, nil)
	case lastIn(*held, cl.At) > since+darkSlack:
		return fail(v, []string{fmt.Sprintf("%s closed connection %d at %s, but bytes still came from the server at %s after %s: not a dark link it gave up on",
			c.Client, held.n, sec(cl.At), sec(lastIn(*held, cl.At)), dark)}, nil)
	case cl.At-since > c.Within.D():
		return fail(v, []string{fmt.Sprintf("%s gave up on the dark connection %d %s after %s, later than %s", c.Client, held.n, sec(cl.At-since), started, sec(c.Within.D()))}, nil)
	}
	return conclude(v, nil, []string{fmt.Sprintf("%s started at %s on %s; bytes last came from the server on connection %d by %s; %s closed it at %s", c.Fault, sec(f.start), f.where(), held.n, sec(lastIn(*held, cl.At)), c.Client, sec(cl.At))},
		fmt.Sprintf("%s gave up on its dark link %s after %s (limit %s)", c.Client, sec(cl.At-since), started, sec(c.Within.D())))
}

// darkened is the connection a fault darkened for a program, and since when: the one it held
// when the fault started, else the first it opened while the fault lasted (a link dark from
// its first byte, such as a TLS handshake on a stalled route); nil when neither.
func darkened(conns []wireConn, f faultSpan) (*wireConn, time.Duration) {
	var held *wireConn
	for i, wc := range conns {
		if wc.opened <= f.start && (wc.closed == nil || wc.closed.At > f.start) {
			held = &conns[i]
		}
	}
	if held != nil {
		return held, f.start
	}
	for i, wc := range conns {
		if wc.opened > f.start && wc.opened < f.end {
			return &conns[i], wc.opened
		}
	}
	return nil, 0
}

// darkSlack is how long after a fault starts bytes may still be seen arriving (the tap samples
// its counters every 250 ms; what was in flight lands in the next sample).
const darkSlack = 500 * time.Millisecond

// lastIn is the time of the last sample, before t, at which bytes from the server had grown.
func lastIn(c wireConn, t time.Duration) time.Duration {
	at := c.opened
	var in int64
	for _, b := range c.bytes {
		if b.At < t && b.BytesIn > in {
			at, in = b.At, b.BytesIn
		}
	}
	return at
}
