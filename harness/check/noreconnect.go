package check

import (
	"fmt"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"
	"github.com/streamfault/streamfault/internal/wiretap"
)

// NameNoReconnect is the noReconnect checker's YAML key.
const NameNoReconnect = "noReconnect"

// NoReconnect parameterises noReconnect: a behaviour that must not happen — the client keeps
// its session through a fault (e.g. a stall shorter than a publisher's bitrate-check window
// must not make it republish).
type NoReconnect struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// Fault is the fault the session must survive.
	Fault string `yaml:"fault" json:"fault"`
}

// Default leaves the parameters as they are.
func (c *NoReconnect) Default(*Scope) {}

// FaultName is the fault the session must survive.
func (c *NoReconnect) FaultName() string { return c.Fault }

// Validate checks the fault's name.
func (c *NoReconnect) Validate(p spec.Problems, s *Scope) {
	if !s.Faults[c.Fault] {
		p.Add("fault", "%q is not the name of a fault", c.Fault)
	}
}

// Judge applies the checker.
func (c *NoReconnect) Judge(h *history.History) Verdict { return noReconnect(h, c.Client, c.Fault) }

// detections are the events by which a client gives up on its session.
var detections = []string{history.KindClientStall, history.KindClientZero, history.KindClientPings}

// noReconnect checks that the client kept its session through the named fault: the fault
// fired on the client's path and ended; the client neither detected a failure, nor lost,
// closed or replaced the connection it had when the fault started, nor tried to restore; and
// media moved on that connection after the fault ended (the session carried on). A fault that
// never fired, or lasted to the end of the run, leaves nothing to judge.
func noReconnect(h *history.History, client, faultName string) Verdict {
	v := Verdict{Checker: NameNoReconnect, Subject: client}
	f, ok := spanOf(h, faultName)
	switch {
	case !ok:
		v.Status, v.Message = Unknown, fmt.Sprintf("fault %s never started, so there was nothing to survive", faultName)
		return v
	case !touches(h, f, client, f.start):
		v.Status = Fail
		v.Message = fmt.Sprintf("fault %s acted on %s, not on %s's path (%s): surviving it proves nothing", faultName, f.where(), client, pathOf(h, client, f.start))
		return v
	case f.end == forever:
		v.Status, v.Message = Unknown, fmt.Sprintf("fault %s lasted until the end of the run: nothing shows a session survived it", faultName)
		return v
	}
	conn := 0
	for _, e := range h.Of(client, history.KindClientStatus) {
		if e.At <= f.start && e.Code == status.ConnectSuccess {
			conn = e.Conn
		}
	}
	if conn == 0 {
		v.Status, v.Message = Unknown, fmt.Sprintf("%s had no session when %s started at %s", client, faultName, sec(f.start))
		return v
	}
	var problems []string
	closedAt := forever
	for _, e := range h.Judged(client) {
		if e.At < f.start {
			continue
		}
		what := strings.TrimPrefix(e.Kind, history.ClientPrefix)
		switch {
		case e.Kind == history.KindClientStatus && e.Code == status.ConnectClosed && e.Conn == conn:
			closedAt = min(closedAt, e.At)
			problems = append(problems, fmt.Sprintf("connection %d closed at %s (%s)", conn, sec(e.At), e.Message))
		case e.Kind == history.KindClientStatus && e.Code == status.ConnectSuccess && e.Conn > conn:
			problems = append(problems, fmt.Sprintf("reconnected: connection %d at %s", e.Conn, sec(e.At)))
		case e.Kind == history.KindClientAttempt, e.Kind == history.KindClientMove:
			problems = append(problems, fmt.Sprintf("%s at %s", what, sec(e.At)))
		case isDetection(e.Kind):
			problems = append(problems, fmt.Sprintf("%s at %s on connection %d", what, sec(e.At), e.Conn))
		}
	}
	if why := faultEffect(f, conn, closedAt); why != "" {
		v.Status, v.Message, v.Evidence = Unknown, why, limit(problems)
		return v
	}
	var media *history.Event
	for _, e := range h.Of(client, history.KindClientReceived, history.KindClientSent) {
		if e.Conn == conn && e.At > f.end {
			ev := e
			media = &ev
			break
		}
	}
	if media == nil {
		problems = append(problems, fmt.Sprintf("no media on connection %d after %s ended at %s: the session did not carry on", conn, faultName, sec(f.end)))
	}
	if len(problems) > 0 {
		return fail(v, problems, nil)
	}
	return conclude(v, nil, nil, fmt.Sprintf("kept connection %d through %s (%s to %s on %s); media again at %s",
		conn, faultName, sec(f.start), sec(f.end), f.where(), sec(media.At)))
}

func isDetection(kind string) bool {
	for _, d := range detections {
		if kind == d {
			return true
		}
	}
	return false
}

// JudgeWire judges a process from its wire tap: the connection it had when the fault started
// stayed open through the fault, no other connection was opened, and bytes moved on it again
// after the fault ended (the session carried on).
func (c *NoReconnect) JudgeWire(h *history.History) Verdict {
	v := Verdict{Checker: NameNoReconnect, Subject: c.Client}
	f, ok := spanOf(h, c.Fault)
	switch {
	case !ok:
		v.Status, v.Message = Unknown, fmt.Sprintf("fault %s never started, so there was nothing to survive", c.Fault)
		return v
	case !touches(h, f, c.Client, f.start):
		v.Status = Fail
		v.Message = fmt.Sprintf("fault %s acted on %s, not on %s's path (%s): surviving it proves nothing", c.Fault, f.where(), c.Client, pathOf(h, c.Client, f.start))
		return v
	case f.end == forever:
		v.Status, v.Message = Unknown, fmt.Sprintf("fault %s lasted until the end of the run: nothing shows a session survived it", c.Fault)
		return v
	}
	conns := wireConns(h, c.Client)
	var held *wireConn
	for i, wc := range conns {
		if wc.opened <= f.start && (wc.closed == nil || wc.closed.At > f.start) {
			held = &conns[i]
		}
	}
	if held == nil {
		v.Status, v.Message = Unknown, fmt.Sprintf("%s had no connection when %s started at %s", c.Client, c.Fault, sec(f.start))
		return v
	}
	closedAt := forever
	if held.closed != nil && held.closed.ClosedBy != wiretap.ByTap {
		closedAt = held.closed.At
	}
	if why := faultEffect(f, held.n, closedAt); why != "" {
		v.Status, v.Message = Unknown, why
		return v
	}
	var problems []string
	for _, wc := range conns {
		if wc.opened > f.start {
			problems = append(problems, fmt.Sprintf("%s opened connection %d at %s, after %s started at %s", c.Client, wc.n, sec(wc.opened), c.Fault, sec(f.start)))
		}
	}
	var base int64 = -1 // the bytes moved by the end of the fault
	var movedAt time.Duration
	moved := false
	for _, b := range held.bytes {
		switch total := b.BytesIn + b.BytesOut; {
		case b.At <= f.end:
			base = total
		case base >= 0 && total > base && !moved:
			moved, movedAt = true, b.At
		}
	}
	switch {
	case !moved && held.closed != nil && held.closed.ClosedBy != wiretap.ByTap:
		problems = append(problems, fmt.Sprintf("%s, before any byte moved on it again after %s", held.how(), c.Fault))
	case !moved:
		problems = append(problems, fmt.Sprintf("no byte moved on connection %d after %s ended at %s", held.n, c.Fault, sec(f.end)))
	}
	evidence := []string{fmt.Sprintf("connection %d open from %s through %s (%s–%s)", held.n, sec(held.opened), c.Fault, sec(f.start), sec(f.end))}
	if moved {
		evidence = append(evidence, fmt.Sprintf("bytes moved again on it by %s", sec(movedAt)))
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%s kept connection %d through %s and its bytes moved again after it", c.Client, held.n, c.Fault))
}

// closeGrace is how soon after a fault acts (or is undone) the close it causes is expected.
const closeGrace = time.Second

// faultEffect says why a fault's effect leaves noReconnect nothing to judge on connection conn
// (closed at closedAt, forever if it stayed open), or "": a fault that closes every connection
// it acts on and left this one open found nothing of the client's to act on (a pass would be
// vacuous); a fault whose undoing closes the connections (a blackhole) closed it itself at its
// end (a fail would be false). A connection a closing fault did close fails as before: the
// session was not kept.
func faultEffect(f faultSpan, conn int, closedAt time.Duration) string {
	switch f.effect {
	case history.FaultCloses:
		if closedAt > f.end+closeGrace {
			return fmt.Sprintf("fault %s ends every connection it acts on, yet connection %d stayed open: it found nothing of the client's to act on, and keeping a session through it proves nothing", f.name, conn)
		}
	case history.FaultClosesAtEnd:
		if closedAt >= f.end && closedAt <= f.end+closeGrace {
			return fmt.Sprintf("undoing fault %s at %s closed connection %d (%s later), as undoing it closes every connection: whether the client would have kept its session is not seen", f.name, sec(f.end), conn, sec(closedAt-f.end))
		}
	}
	return ""
}
