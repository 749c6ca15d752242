package check

import (
	"fmt"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// NameSubjectAlive is the subjectAlive checker's YAML key.
const NameSubjectAlive = "subjectAlive"

// SubjectAlive parameterises the subjectAlive checker: the server program under test lived
// through the run (the harness's own kills, restarts and final stop aside).
type SubjectAlive struct {
	// Server is the server whose life is judged (default: the scenario's first).
	Server string `yaml:"server" json:"server,omitempty"`
}

// Subject is the server.
func (c *SubjectAlive) Subject() string { return c.Server }

// judgesServer marks a checker whose subject is a server, not a client.
func (*SubjectAlive) judgesServer() {}

// Default names the first server.
func (c *SubjectAlive) Default(s *Scope) {
	if c.Server == "" {
		c.Server = s.FirstServer
	}
}

// Validate checks the server (Expectation.Validate names an undefined one).
func (c *SubjectAlive) Validate(spec.Problems, *Scope) {}

// Judge passes when the server never died on its own; a server the harness does not run as a
// program (the reference server, an external one) says unknown.
func (c *SubjectAlive) Judge(h *history.History) Verdict {
	v := Verdict{Checker: NameSubjectAlive, Subject: c.Server}
	runs := false
	for _, e := range h.Of(c.Server, history.KindServer) {
		runs = runs || e.Gives(history.Exits)
	}
	if !runs {
		v.Status, v.Message = Unknown, fmt.Sprintf("%s is not a program the harness runs: its life is not seen", c.Server)
		return v
	}
	var problems, evidence []string
	for _, e := range h.Of(c.Server, history.KindServerExit) {
		line := fmt.Sprintf("%s ended at %s (%s): %s", c.Server, sec(e.At), e.Code, e.Message)
		if e.Code == history.ExitUnplanned {
			problems = append(problems, fmt.Sprintf("%s died on its own at %s: %s", c.Server, sec(e.At), e.Message))
			continue
		}
		evidence = append(evidence, line)
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%s lived through the run (ended only by the harness)", c.Server))
}
