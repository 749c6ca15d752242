package check

import (
	"fmt"
	"strings"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// NameNoReconnect is the noReconnect checker's YAML key.
const NameNoReconnect = "noReconnect"

// NoReconnect parameterises noReconnect: a behaviour that must not happen — the client keeps
// its session through a fault (e.g. a stall shorter than a publisher's bitrate-check window
// must not make it republish).
type NoReconnect struct {
	// Client is the client that must keep its session.
	Client string `yaml:"client" json:"client"`
	// Fault is the fault the session must survive.
	Fault string `yaml:"fault" json:"fault"`
}

// Subject is the client.
func (c *NoReconnect) Subject() string { return c.Client }

// Default leaves the parameters as they are.
func (c *NoReconnect) Default(*Scope) {}

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
		if e.At <= f.start && e.Code == "NetConnection.Connect.Success" {
			conn = e.Conn
		}
	}
	if conn == 0 {
		v.Status, v.Message = Unknown, fmt.Sprintf("%s had no session when %s started at %s", client, faultName, sec(f.start))
		return v
	}
	var problems []string
	for _, e := range h.Of(client) {
		if e.At < f.start {
			continue
		}
		what := strings.TrimPrefix(e.Kind, "client.")
		switch {
		case e.Kind == history.KindClientStatus && e.Code == "NetConnection.Connect.Closed" && e.Conn == conn:
			problems = append(problems, fmt.Sprintf("connection %d closed at %s (%s)", conn, sec(e.At), e.Message))
		case e.Kind == history.KindClientStatus && e.Code == "NetConnection.Connect.Success" && e.Conn > conn:
			problems = append(problems, fmt.Sprintf("reconnected: connection %d at %s", e.Conn, sec(e.At)))
		case e.Kind == history.KindClientAttempt, e.Kind == history.KindClientMove:
			problems = append(problems, fmt.Sprintf("%s at %s", what, sec(e.At)))
		case isDetection(e.Kind):
			problems = append(problems, fmt.Sprintf("%s at %s on connection %d", what, sec(e.At), e.Conn))
		}
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
