package check

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/status"
	"github.com/streamfault/streamfault/internal/wiretap"
)

// AcceptHold is how long a server's acceptance of a publish or a play must hold to count: the
// session stays open (unless the network on the client's path, or the client itself, ends
// it) and no refusal comes on it. A server that answers Publish.Start and then takes it back
// — closes the session, or sends Publish.BadName — refused the attempt; the restore, republish
// and reconnect checkers count it as such, and time recoveries from the accept that held.
const AcceptHold = fakeclient.AcceptHold

// refusals are the status codes by which a server takes back an accept.
var refusals = []string{status.PublishBadName, status.PublishFailed, status.PlayFailed, status.PlayStreamNotFound}

// accept is a server's acceptance of a client's publish or play on one connection.
type accept struct {
	// at is when the client got the Start status; conn the connection.
	at   time.Duration
	conn int
	code string
	// held tells whether it held AcceptHold; if not, takenBack says how and when.
	held      bool
	takenBack string
}

// String describes the accept for evidence.
func (a accept) String() string {
	if a.held {
		return fmt.Sprintf("%s at %s on connection %d held", a.code, sec(a.at), a.conn)
	}
	return fmt.Sprintf("%s at %s on connection %d did not hold: %s", a.code, sec(a.at), a.conn, a.takenBack)
}

// accepts lists the accepts a scripted client got (Publish.Start, Play.Start), each judged:
// a refusal on its connection, or a close of it that neither the client nor a fault on its
// path caused, within AcceptHold takes it back.
func accepts(h *history.History, client string) []accept {
	evs := h.Of(client, history.KindClientStatus)
	var out []accept
	for i, e := range evs {
		if e.Code != status.PublishStart && e.Code != status.PlayStart {
			continue
		}
		a := accept{at: e.At, conn: e.Conn, code: e.Code, held: true}
		for _, f := range evs[i+1:] {
			if f.At > e.At+AcceptHold {
				break
			}
			if f.Conn != e.Conn {
				continue
			}
			switch {
			case slices.Contains(refusals, f.Code):
				a.held, a.takenBack = false, fmt.Sprintf("%s %s later", f.Code, sec(f.At-e.At))
			case f.Code == status.ConnectClosed && !f.SelfClosed:
				if _, path := credit(h, client, f.At, schedTolerance); !path {
					a.held, a.takenBack = false, fmt.Sprintf("the server closed the session %s later (%s)", sec(f.At-e.At), f.Message)
				}
			}
			if !a.held {
				break
			}
		}
		out = append(out, a)
	}
	return out
}

// heldAccept is the first accept of code after t that held, or nil.
func heldAccept(h *history.History, client, code string, t time.Duration) *accept {
	for _, a := range accepts(h, client) {
		if a.at > t && a.code == code && a.held {
			return &a
		}
	}
	return nil
}

// heldOnWire tells whether a status (Publish.Start, Play.Start) a process got on a tapped
// connection held: no refusal on the connection, and no close from the server's side that no
// fault on its path explains, within AcceptHold.
func heldOnWire(h *history.History, client string, wc wireConn, st history.Event) (bool, string) {
	for _, e := range wc.statuses {
		if e.At > st.At && e.At <= st.At+AcceptHold && slices.Contains(refusals, e.Code) {
			return false, fmt.Sprintf("%s %s later", e.Code, sec(e.At-st.At))
		}
	}
	if c := wc.closed; c != nil && c.At <= st.At+AcceptHold && c.ClosedBy == wiretap.ByServer {
		if _, path := credit(h, client, c.At, schedTolerance); !path {
			return false, fmt.Sprintf("the server closed connection %d %s later", wc.n, sec(c.At-st.At))
		}
	}
	return true, ""
}

// heldAt tells whether the accept status e (a scripted client's) held.
func heldAt(h *history.History, client string, e history.Event) bool {
	for _, a := range accepts(h, client) {
		if a.at == e.At && a.conn == e.Conn {
			return a.held
		}
	}
	return true
}

// whyNothing says why a client may have got nothing, for a verdict that found no frame: the
// last refusal the server sent it (its status and what the server said of it), a connect that
// failed, and a server program that died on its own ("" when none of them happened).
func whyNothing(h *history.History, client string) string {
	var why []string
	var last *history.Event
	for _, e := range h.Of(client, history.KindClientStatus) {
		if slices.Contains(refusals, e.Code) || e.Code == status.ConnectFailed || e.Code == status.ConnectRejected {
			ev := e
			last = &ev
		}
	}
	if last != nil {
		s := fmt.Sprintf("the last refusal: %s at %s on connection %d", last.Code, sec(last.At), last.Conn)
		if last.Message != "" {
			s += fmt.Sprintf(" (%q)", last.Message)
		}
		why = append(why, s)
	}
	for _, e := range h.Kind(history.KindServerExit) {
		if e.Code == history.ExitUnplanned {
			why = append(why, fmt.Sprintf("server %s died on its own at %s: %s", e.Source, sec(e.At), e.Message))
		}
	}
	if len(why) == 0 {
		return ""
	}
	return " (" + strings.Join(why, "; ") + ")"
}

// refusal says how the server refused what the program asked on a tapped connection — a play
// or publish refused (a refusal status), accepted and taken back, or with no media moving on
// it — or "" when it did not.
func (c wireConn) refusal(h *history.History, client string) string {
	for _, e := range c.statuses {
		if slices.Contains(refusals, e.Code) {
			return fmt.Sprintf("refused: %s", e.Code)
		}
	}
	for _, code := range []string{status.PlayStart, status.PublishStart} {
		if st := c.status(code); st != nil {
			if ok, how := heldOnWire(h, client, c, *st); !ok {
				return fmt.Sprintf("%s did not hold: %s", code, how)
			}
		}
	}
	if len(c.media) == 0 {
		return "no media moved on it"
	}
	return ""
}
