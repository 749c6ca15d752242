package check

import (
	"fmt"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
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
