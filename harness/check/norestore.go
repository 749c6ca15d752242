package check

import (
	"fmt"
	"strings"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// NameNoRestoreAfterManualStop is the noRestoreAfterManualStop checker's YAML key.
const NameNoRestoreAfterManualStop = "noRestoreAfterManualStop"

// NoRestoreAfterManualStop parameterises the noRestoreAfterManualStop checker: nothing restores after a manual stop.
type NoRestoreAfterManualStop struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the checker's parameters with ClientRef's schema.
func (NoRestoreAfterManualStop) JSONSchemaAlias() any { return spec.ClientRef{} }

// Default leaves the parameters as they are.
func (c *NoRestoreAfterManualStop) Default(*Scope) {}

// Validate has nothing to check beyond the client.
func (c *NoRestoreAfterManualStop) Validate(spec.Problems, *Scope) {}

// Judge applies the checker.
func (c *NoRestoreAfterManualStop) Judge(h *history.History) Verdict {
	return noRestoreAfterManualStop(h, c.Client)
}

// noRestoreAfterManualStop checks that after a manual stop the client made no restore attempt
// and no publish, and no server saw a connection of that client publish again (by identity:
// another publisher taking over the name is not this client restoring).
func noRestoreAfterManualStop(h *history.History, client string) Verdict {
	v := Verdict{Checker: NameNoRestoreAfterManualStop, Subject: client}
	stops := h.Of(client, history.KindClientStopped)
	if len(stops) == 0 {
		v.Status, v.Message = Unknown, client+" was never stopped by hand"
		return v
	}
	stop := stops[0]
	var problems []string
	for _, e := range h.Of(client, history.KindClientAttempt, history.KindClientPublish) {
		if e.At > stop.At {
			problems = append(problems, fmt.Sprintf("%s at %s, after the manual stop at %s", strings.TrimPrefix(e.Kind, history.ClientPrefix), sec(e.At), sec(stop.At)))
		}
	}
	for _, e := range h.Declared(client, history.KindServerPublish) {
		if e.At > stop.At {
			problems = append(problems, fmt.Sprintf("%s saw %s (connection %d of %s) publish %s again at %s, after the manual stop at %s",
				e.Source, e.Session, e.Conn, client, e.Stream, sec(e.At), sec(stop.At)))
		}
	}
	return conclude(v, problems, nil, fmt.Sprintf("stopped at %s; no restore and no publish afterwards", sec(stop.At)))
}

// JudgeWire judges a process stopped by hand from its wire tap: after the stop was asked for
// (SIGINT to its process group) no new connection and no publish or play may cross its route.
func (c *NoRestoreAfterManualStop) JudgeWire(h *history.History) Verdict {
	v := Verdict{Checker: NameNoRestoreAfterManualStop, Subject: c.Client}
	var stop *history.Event
	for _, e := range h.Of(c.Client, history.KindProcStop) {
		if strings.Contains(e.Message, "manual stop") {
			stop = &e
			break
		}
	}
	if stop == nil {
		v.Status, v.Message = Unknown, c.Client+" was never stopped by hand"
		return v
	}
	var problems []string
	for _, wc := range wireConns(h, c.Client) {
		if wc.opened > stop.At {
			what := "a new connection"
			if cmd := wc.first("publish", "play", "play2"); cmd != nil {
				what += fmt.Sprintf(" that sent %s %s at %s", cmd.Command, cmd.Stream, sec(cmd.At))
			}
			problems = append(problems, fmt.Sprintf("%s: %s (connection %d at %s), after the manual stop at %s", c.Client, what, wc.n, sec(wc.opened), sec(stop.At)))
		}
	}
	pass := fmt.Sprintf("stopped at %s; no connection afterwards", sec(stop.At))
	if x := exitOf(h, c.Client); x != "" {
		pass += "; " + x
	}
	return conclude(v, problems, nil, pass)
}
