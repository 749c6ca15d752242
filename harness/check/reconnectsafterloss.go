package check

import (
	"fmt"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"
)

// NameReconnectsAfterLoss is the reconnectsAfterLoss checker's YAML key.
const NameReconnectsAfterLoss = "reconnectsAfterLoss"

// ReconnectsAfterLoss parameterises reconnectsAfterLoss: every reconnect of the client follows
// a loss it did not cause itself (and, with within, every loss is followed by a reconnect).
type ReconnectsAfterLoss struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// Within, when set, is how soon after each loss the client must be connected again.
	Within spec.Duration `yaml:"within" json:"within,omitempty"`
}

// Default leaves the parameters as they are.
func (c *ReconnectsAfterLoss) Default(*Scope) {}

// Validate checks within.
func (c *ReconnectsAfterLoss) Validate(p spec.Problems, _ *Scope) { p.NonNegative("within", c.Within) }

// Judge applies the checker.
func (c *ReconnectsAfterLoss) Judge(h *history.History) Verdict {
	v := reconnectsAfterLoss(h, c.Client)
	if c.Within > 0 {
		v = reconnectedWithin(h, v, c.Client, c.Within.D())
	}
	return v
}

// reconnectedWithin adds to v the check that every loss of a scripted client's connection —
// closed by the network or the server, or by the client on a detection — was followed by a
// new connection within d.
func reconnectedWithin(h *history.History, v Verdict, client string, d time.Duration) Verdict {
	own := h.Judged(client)
	var problems, unjudged []string
	losses := 0
	end := clientEnd(h, client)
	for i, e := range own {
		if e.Kind != history.KindClientStatus || e.Code != status.ConnectClosed || (e.SelfClosed && !justifiedClose(own[:i], e)) {
			continue
		}
		losses++
		var next *history.Event
		for _, x := range own[i+1:] {
			if x.Kind == history.KindClientStatus && x.Code == status.ConnectSuccess && x.Conn > e.Conn {
				next = &x
				break
			}
		}
		switch {
		case next == nil && end-e.At < d:
			unjudged = append(unjudged, fmt.Sprintf("connection %d was lost at %s, %s before %s ended: too close to its end to judge within %v", e.Conn, sec(e.At), sec(end-e.At), client, d))
		case next == nil:
			problems = append(problems, fmt.Sprintf("connection %d was lost at %s and %s never connected again", e.Conn, sec(e.At), client))
		case next.At-e.At > d:
			problems = append(problems, fmt.Sprintf("connection %d was lost at %s and %s connected again only %s later (within %v expected)", e.Conn, sec(e.At), client, sec(next.At-e.At), d))
		}
	}
	return withinVerdict(v, problems, unjudged, losses, d)
}

// clientEnd is when a client was made to end from outside — its duration or script over, the
// run over, a program stopped by the harness — or forever when it ended by itself (it gave up,
// a program exited): a loss too close to a planned end cannot be judged; one before an end of
// the client's own choosing can.
func clientEnd(h *history.History, client string) time.Duration {
	if isProcess(h, client) {
		for _, e := range h.Of(client, history.KindProcStop) {
			return e.At
		}
		return forever
	}
	for _, e := range h.Of(client, history.KindActorEnd) {
		if e.Message == history.EndedNormally || strings.HasPrefix(e.Message, "context ") {
			return e.At
		}
	}
	return forever
}

// justifiedClose tells whether the client closed connection closed.Conn on something it saw
// on it (before is the client's history up to the close).
func justifiedClose(before []history.Event, closed history.Event) bool {
	for _, x := range before {
		if x.Conn == closed.Conn && justifies(x) {
			return true
		}
	}
	return false
}

// withinVerdict merges the losses' problems into the reconnect verdict v; losses too close
// to the client's end to judge (unjudged) make a verdict with nothing else to go on unknown.
func withinVerdict(v Verdict, problems, unjudged []string, losses int, d time.Duration) Verdict {
	if len(problems) == 0 {
		judged := losses - len(unjudged)
		switch {
		case judged > 0 && v.Status == Pass:
			v.Message += fmt.Sprintf("; each of %d loss(es) was followed by a reconnect within %v", judged, d)
		case len(unjudged) > 0 && v.Status != Fail:
			v.Status, v.Message = Unknown, unjudged[0]
		}
		v.Evidence = limit(append(v.Evidence, unjudged...))
		return v
	}
	if v.Status == Fail {
		problems = append(problems, v.Message)
	}
	return fail(v, problems, v.Evidence)
}

// JudgeWire judges a process from its wire tap: each connection after its first must follow
// the loss of the one before (ended from the server's side, or by the program on a link that
// had gone dark — nothing moving for a second), and with within each loss must be followed by
// a new connection in time.
func (c *ReconnectsAfterLoss) JudgeWire(h *history.History) Verdict {
	v := Verdict{Checker: NameReconnectsAfterLoss, Subject: c.Client}
	conns := wireConns(h, c.Client)
	var problems, evidence []string
	for i := 1; i < len(conns); i++ {
		prev, cur := conns[i-1], conns[i]
		if prev.lostBy(cur.opened) {
			evidence = append(evidence, fmt.Sprintf("connection %d at %s after %s", cur.n, sec(cur.opened), prev.how()))
			continue
		}
		problems = append(problems, fmt.Sprintf("connection %d opened at %s with no loss behind it: %s", cur.n, sec(cur.opened), prev.how()))
	}
	reconnects := len(conns) - 1
	switch {
	case len(conns) == 0:
		v.Status, v.Message = Unknown, c.Client+" never connected"
		if x := exitOf(h, c.Client); x != "" {
			v.Message += " (" + x + ")"
		}
		return v
	case reconnects == 0 && c.Within == 0:
		v.Status, v.Message = Unknown, c.Client+" never reconnected: there is no reconnect to judge"
		return v
	}
	v = conclude(v, problems, evidence, fmt.Sprintf("each of %d reconnect(s) followed a loss", reconnects))
	if c.Within == 0 {
		return v
	}
	var late, unjudged []string
	losses := 0
	end := clientEnd(h, c.Client)
	for i, wc := range conns {
		if !wc.lost() {
			continue
		}
		losses++
		if i+1 == len(conns) && end-wc.closed.At < c.Within.D() {
			unjudged = append(unjudged, fmt.Sprintf("%s, %s before %s ended: too close to its end to judge within %v", wc.how(), sec(end-wc.closed.At), c.Client, c.Within))
		} else if i+1 == len(conns) {
			msg := fmt.Sprintf("%s, and %s never connected again", wc.how(), c.Client)
			if x := exitOf(h, c.Client); x != "" {
				msg += " (" + x + ")"
			}
			late = append(late, msg)
		} else if gap := conns[i+1].opened - wc.closed.At; gap > c.Within.D() {
			late = append(late, fmt.Sprintf("%s, and %s connected again only %s later (within %v expected)", wc.how(), c.Client, sec(gap), c.Within))
		}
	}
	if losses == 0 && reconnects == 0 {
		v.Status, v.Message = Unknown, c.Client+" lost no connection and never reconnected: there is nothing to judge"
		return v
	}
	return withinVerdict(v, late, unjudged, losses, c.Within.D())
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
		case status.ConnectNetworkChange, status.PublishBadName, status.PublishFailed:
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
	own := h.Judged(client)
	var problems, evidence []string
	reconnects, prevSuccess := 0, -1
	for i, e := range own {
		if e.Kind != history.KindClientStatus || e.Code != status.ConnectSuccess {
			continue
		}
		if e.Conn < 2 || prevSuccess < 0 { // the first connection, after any failed connects: no reconnect
			if e.Conn >= 2 {
				evidence = append(evidence, fmt.Sprintf("connection %d at %s was %s's first that connected (%d connect(s) failed before it): a retry, not a reconnect", e.Conn, sec(e.At), client, e.Conn-1))
			}
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
			if closed == nil && own[j].Kind == history.KindClientStatus && own[j].Code == status.ConnectClosed && own[j].Conn < e.Conn {
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
		v.Status, v.Message, v.Evidence = Unknown, client+" never reconnected: there is no reconnect to judge", limit(evidence)
		return v
	}
	return conclude(v, problems, evidence, fmt.Sprintf("each of %d reconnect(s) followed a loss", reconnects))
}
