package check

import (
	"fmt"
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
// within `within` of the named fault's start.
func deadPeerDetected(h *history.History, client, faultName string, within time.Duration) Verdict {
	v := Verdict{Checker: NameDeadPeerDetected, Subject: client}
	start := faultStart(h, faultName)
	if start == nil {
		v.Status, v.Message = Unknown, "fault "+faultName+" never started"
		return v
	}
	for _, e := range h.Filter(of(client, history.KindClientPings)) {
		if e.At < start.At {
			continue
		}
		lag := e.At - start.At
		if lag > within {
			v.Status, v.Message = Fail, fmt.Sprintf("missing pings detected %s after %s started, later than %v", sec(lag), faultName, within)
			return v
		}
		v.Status, v.Message = Pass, fmt.Sprintf("dead peer detected %s after %s started (%s)", sec(lag), faultName, e.Message)
		return v
	}
	v.Status, v.Message = Fail, fmt.Sprintf("%s never noticed the missing pings after %s started at %s", client, faultName, sec(start.At))
	return v
}
