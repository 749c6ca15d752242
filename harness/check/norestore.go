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

// Subject is the client.
func (c *NoRestoreAfterManualStop) Subject() string { return c.Client }

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
			problems = append(problems, fmt.Sprintf("%s at %s, after the manual stop at %s", strings.TrimPrefix(e.Kind, "client."), sec(e.At), sec(stop.At)))
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
