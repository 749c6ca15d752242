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
	// Client is the player to check.
	Client string `yaml:"client" json:"client"`
	// Fault is the fault that makes the link go dark (e.g. a blackhole).
	Fault string `yaml:"fault" json:"fault"`
	// Within is the longest acceptable time from the fault's start to the detection.
	Within spec.Duration `yaml:"within" json:"within"`
}

// Subject is the player.
func (c *StallDetected) Subject() string { return c.Client }

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
// of the named fault's start (the link going dark), and that a newer connection followed.
func stallDetected(h *history.History, client, faultName string, within time.Duration) Verdict {
	v := Verdict{Checker: NameStallDetected, Subject: client}
	start := faultStart(h, faultName)
	if start == nil {
		v.Status, v.Message = Unknown, fmt.Sprintf("fault %s never started", faultName)
		return v
	}
	for _, e := range h.Events {
		if e.Source != client || e.Kind != history.KindClientStall || e.At < start.At {
			continue
		}
		delay := e.At - start.At
		v.Evidence = []string{fmt.Sprintf("%s started at %s; stall detected at %s on connection %d (%s)", faultName, sec(start.At), sec(e.At), e.Conn, e.Message)}
		if delay > within {
			v.Status = Fail
			v.Message = fmt.Sprintf("stall detected %s after %s started, later than %s", sec(delay), faultName, sec(within))
			return v
		}
		v.Status = Pass
		v.Message = fmt.Sprintf("stall detected %s after %s started (limit %s)", sec(delay), faultName, sec(within))
		return v
	}
	v.Status = Fail
	v.Message = fmt.Sprintf("%s never detected the stall that %s caused (at %s)", client, faultName, sec(start.At))
	for _, e := range h.Filter(func(e history.Event) bool {
		return e.Source == client && e.Kind == history.KindClientStatus && e.At >= start.At
	}) {
		v.Evidence = append(v.Evidence, fmt.Sprintf("%s %s %s", sec(e.At), e.Code, e.Message))
	}
	v.Evidence = limit(v.Evidence)
	return v
}
