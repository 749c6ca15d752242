package check

import (
	"fmt"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"
)

// NameOldConnectionClosedAfterAttach is the oldConnectionClosedAfterAttach checker's YAML key.
const NameOldConnectionClosedAfterAttach = "oldConnectionClosedAfterAttach"

// OldConnectionClosedAfterAttach parameterises the oldConnectionClosedAfterAttach checker: each load-balance move attached before it closed.
type OldConnectionClosedAfterAttach struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the checker's parameters with ClientRef's schema.
func (OldConnectionClosedAfterAttach) JSONSchemaAlias() any { return spec.ClientRef{} }

// Default leaves the parameters as they are.
func (c *OldConnectionClosedAfterAttach) Default(*Scope) {}

// Validate has nothing to check beyond the client.
func (c *OldConnectionClosedAfterAttach) Validate(spec.Problems, *Scope) {}

// Judge applies the checker.
func (c *OldConnectionClosedAfterAttach) Judge(h *history.History) Verdict {
	return oldConnectionClosedAfterAttach(h, c.Client)
}

// oldConnectionClosedAfterAttach checks load-balance moves: after each client.move the new
// connection attached (Connect.Success) before the old one closed, and the resume came after
// the close.
func oldConnectionClosedAfterAttach(h *history.History, client string) Verdict {
	v := Verdict{Checker: NameOldConnectionClosedAfterAttach, Subject: client}
	moves := h.Of(client, history.KindClientMove)
	if len(moves) == 0 {
		v.Status, v.Message = Unknown, client+" made no load-balance move"
		return v
	}
	before := func(a, b history.Event) bool { return a.At < b.At || (a.At == b.At && a.Seq < b.Seq) }
	var problems, evidence []string
	for _, m := range moves {
		var resume, success, closed *history.Event
		for _, e := range h.Judged(client) {
			if !before(m, e) {
				continue
			}
			switch {
			case resume == nil && e.Kind == history.KindClientPlay && e.Transition == "resume" && e.Conn != m.Conn:
				ev := e
				resume = &ev
			case closed == nil && e.Kind == history.KindClientStatus && e.Code == status.ConnectClosed && e.Conn == m.Conn:
				ev := e
				closed = &ev
			}
		}
		if resume == nil {
			problems = append(problems, fmt.Sprintf("no resume followed the move at %s", sec(m.At)))
			continue
		}
		for _, e := range h.Of(client, history.KindClientStatus) {
			if e.Code == status.ConnectSuccess && e.Conn == resume.Conn {
				ev := e
				success = &ev
				break
			}
		}
		switch {
		case success == nil:
			problems = append(problems, fmt.Sprintf("connection %d resumed at %s without a Connect.Success", resume.Conn, sec(resume.At)))
		case closed == nil:
			problems = append(problems, fmt.Sprintf("the old connection %d was never closed after the move at %s", m.Conn, sec(m.At)))
		case before(*closed, *success):
			problems = append(problems, fmt.Sprintf("old connection %d closed at %s, before the new connection %d attached at %s",
				m.Conn, sec(closed.At), resume.Conn, sec(success.At)))
		case before(*resume, *closed):
			problems = append(problems, fmt.Sprintf("connection %d resumed at %s while the old connection %d was still open (closed at %s)",
				resume.Conn, sec(resume.At), m.Conn, sec(closed.At)))
		default:
			evidence = append(evidence, fmt.Sprintf("move at %s: connection %d attached at %s, old connection %d closed at %s, resume at %s",
				sec(m.At), resume.Conn, sec(success.At), m.Conn, sec(closed.At), sec(resume.At)))
		}
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%d move(s): attach, then close, then resume", len(moves)))
}
