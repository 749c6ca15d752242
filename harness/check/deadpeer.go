package check

import (
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// NameDeadPeerDetected is the deadPeerDetected checker's YAML key.
const NameDeadPeerDetected = "deadPeerDetected"

// DeadPeerDetected parameterises the deadPeerDetected checker (StallDetected's parameters).
type DeadPeerDetected struct {
	StallDetected `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the checker's parameters with StallDetected's schema.
func (DeadPeerDetected) JSONSchemaAlias() any { return StallDetected{} }

// Judge applies the checker.
func (c *DeadPeerDetected) Judge(h *history.History) Verdict {
	return deadPeerDetected(h, c.Client, c.Fault, c.Within.D())
}

// deadPeerDetected checks that the client's missing-ping probe declared the session dead
// within `within` of the named fault's start, that the fault acted on the client's path, and
// that the probe raised no false alarm.
func deadPeerDetected(h *history.History, client, faultName string, within time.Duration) Verdict {
	v := Verdict{Checker: NameDeadPeerDetected, Subject: client}
	return detected(h, v, faultName, history.KindClientPings, "dead peer (missing pings)", within)
}
