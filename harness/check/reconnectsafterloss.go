package check

import (
	"fmt"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// NameReconnectsAfterLoss is the reconnectsAfterLoss checker's YAML key.
const NameReconnectsAfterLoss = "reconnectsAfterLoss"

// ReconnectsAfterLoss parameterises reconnectsAfterLoss: every reconnect of the client follows
// a loss it did not cause itself.
type ReconnectsAfterLoss struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the checker's parameters with ClientRef's schema.
func (ReconnectsAfterLoss) JSONSchemaAlias() any { return spec.ClientRef{} }

// Subject is the client.
func (c *ReconnectsAfterLoss) Subject() string { return c.Client }

// Default leaves the parameters as they are.
func (c *ReconnectsAfterLoss) Default(*Scope) {}

// Validate has nothing to check beyond the client.
func (c *ReconnectsAfterLoss) Validate(spec.Problems, *Scope) {}

// Judge applies the checker.
func (c *ReconnectsAfterLoss) Judge(h *history.History) Verdict {
	return reconnectsAfterLoss(h, c.Client)
}

// justifications are what entitles a client to close its own connection and reconnect: a
// detection (stall, zero bitrate, missing pings) on that connection, a network change, a
// refused publish, or a load-balance move.
func justifies(e history.Event) bool {
	switch {
	case isDetection(e.Kind), e.Kind == history.KindClientMove:
		return true
	case e.Kind == history.KindClientStatus:
		switch e.Code {
		case "NetConnection.Connect.NetworkChange", "NetStream.Publish.BadName", "NetStream.Publish.Failed":
			return true
		}
	}
	return false
}

// reconnectsAfterLoss checks that every new connection of the client (after its first) follows
// a loss: the previous connection was closed by the network or the server, or by the client
// itself for a reason it saw on that connection (a detection, a network change, a refused
// publish), or the client was making a load-balance move. A reconnect with nothing behind it —
// a spurious timer closing a healthy connection — fails, however many resumes the outage
// took. A client that never reconnected leaves nothing to judge.
func reconnectsAfterLoss(h *history.History, client string) Verdict {
	v := Verdict{Checker: NameReconnectsAfterLoss, Subject: client}
	own := h.Of(client)
	var problems, evidence []string
	reconnects, prevSuccess := 0, -1
	for i, e := range own {
		if e.Kind != history.KindClientStatus || e.Code != "NetConnection.Connect.Success" {
			continue
		}
		if e.Conn < 2 {
			prevSuccess = i
			continue
		}
		reconnects++
		var closed *history.Event
		moved := false
		for j := i - 1; j > prevSuccess && j >= 0; j-- {
			if own[j].Kind == history.KindClientMove {
				moved = true
			}
			if closed == nil && own[j].Kind == history.KindClientStatus && own[j].Code == "NetConnection.Connect.Closed" && own[j].Conn < e.Conn {
				c := own[j]
				closed = &c
			}
		}
		prevSuccess = i
		switch {
		case moved:
			evidence = append(evidence, fmt.Sprintf("connection %d at %s: a load-balance move", e.Conn, sec(e.At)))
		case closed == nil:
			problems = append(problems, fmt.Sprintf("connection %d opened at %s while the previous one had not been lost", e.Conn, sec(e.At)))
		case !closed.SelfClosed:
			evidence = append(evidence, fmt.Sprintf("connection %d at %s after connection %d was lost at %s (%s)", e.Conn, sec(e.At), closed.Conn, sec(closed.At), closed.Message))
		default:
			var why *history.Event
			for _, x := range own {
				if x.At > closed.At {
					break
				}
				if x.Conn == closed.Conn && justifies(x) {
					ev := x
					why = &ev
				}
			}
			if why == nil {
				problems = append(problems, fmt.Sprintf("connection %d was closed by %s itself at %s with nothing seen on it (no stall, zero bitrate, missing pings, network change, refusal or move): the reconnect on connection %d at %s had no loss behind it",
					closed.Conn, client, sec(closed.At), e.Conn, sec(e.At)))
				continue
			}
			reason := why.Kind
			if why.Code != "" {
				reason = why.Code
			}
			evidence = append(evidence, fmt.Sprintf("connection %d at %s after %s closed connection %d at %s on %s", e.Conn, sec(e.At), client, closed.Conn, sec(closed.At), reason))
		}
	}
	if reconnects == 0 && len(problems) == 0 {
		v.Status, v.Message = Unknown, client+" never reconnected: there is no reconnect to judge"
		return v
	}
	return conclude(v, problems, evidence, fmt.Sprintf("each of %d reconnect(s) followed a loss", reconnects))
}
