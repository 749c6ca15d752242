package check

import (
	"fmt"
	"slices"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/status"
	"github.com/streamfault/streamfault/internal/wiretap"
)

// A checker judges an external client (role: process) only from what its wire tap saw: the
// connections, the commands the program sent, the statuses and media it was delivered, the
// bytes each way, and who ended each connection. A checker that can do so implements
// wireJudge; every other one says unknown for a process, since what it judges (rendered
// frames, a detector firing, a restore timer) happens inside a program that does not report it.
type wireJudge interface {
	// JudgeWire is the verdict on a process client from its wire tap.
	JudgeWire(h *history.History) Verdict
}

// quietLoss is how long nothing must have come from the server before a connection a
// program closed itself counts as lost (it gave up on a dead link) rather than dropped.
const quietLoss = time.Second

// judge applies a checker to the history, by the evidence its subject allows.
func judge(h *history.History, c Checker, name string) Verdict {
	if !isProcess(h, c.Subject()) {
		return c.Judge(h)
	}
	if w, ok := c.(wireJudge); ok {
		return unread(h, c.Subject(), w.JudgeWire(h))
	}
	return Verdict{Checker: name, Subject: c.Subject(), Status: Unknown,
		Message: fmt.Sprintf("%s is a process: %s judges what a scripted client reports of itself, which the wire tap cannot see", c.Subject(), name)}
}

// isProcess tells whether client is a program judged from its wire tap.
func isProcess(h *history.History, client string) bool {
	for _, e := range h.Of(client, history.KindLabClient) {
		return e.Code == history.WireTap
	}
	return false
}

// wireConn is one connection of a process as its wire tap saw it.
type wireConn struct {
	n        int
	opened   time.Duration
	closed   *history.Event // tap.close, nil while open at the end
	commands []history.Event
	statuses []history.Event
	media    []history.Event // the first media message of each run
	bytes    []history.Event // samples
	// ended says why the program's close of the connection was no loss: the server had ended
	// the stream on it, or the harness was stopping the program ("" otherwise).
	ended string
}

// lastActive is when bytes last moved either way on the connection (from the samples).
func (c wireConn) lastActive() time.Duration {
	at := c.opened
	var in, out int64
	for _, b := range c.bytes {
		if b.BytesIn > in || b.BytesOut > out {
			at, in, out = b.At, b.BytesIn, b.BytesOut
		}
	}
	return at
}

// darkAt tells whether nothing had moved either way on the connection for quietLoss by t: the
// link was dead (a stalled route), whether or not its end has been seen yet.
func (c wireConn) darkAt(t time.Duration) bool { return t-c.lastActive() >= quietLoss }

// lost tells whether the connection ended by a loss: the server's side (its network, its
// server) ended it, or the program closed it on a link that had gone dark.
func (c wireConn) lost() bool {
	if c.closed == nil {
		return false
	}
	return c.closed.ClosedBy == wiretap.ByServer || (c.closed.ClosedBy == wiretap.ByClient && c.ended == "" && c.darkAt(c.closed.At))
}

// lostBy tells whether the connection had been lost by t: ended by a loss, or still open on a
// dark link (a stall hides the end of a connection the program gave up on).
func (c wireConn) lostBy(t time.Duration) bool {
	if c.closed != nil && c.closed.At <= t {
		return c.lost()
	}
	return c.darkAt(t)
}

// how says how the connection ended, for a message.
func (c wireConn) how() string {
	switch {
	case c.closed == nil:
		return fmt.Sprintf("connection %d was open to the end (bytes last moved at %s)", c.n, sec(c.lastActive()))
	case c.closed.ClosedBy == wiretap.ByServer && c.closed.Message == wiretap.Reset:
		return fmt.Sprintf("connection %d was reset from the server's side at %s (a loss)", c.n, sec(c.closed.At))
	case c.closed.ClosedBy == wiretap.ByServer:
		return fmt.Sprintf("connection %d was closed from the server's side at %s (a loss)", c.n, sec(c.closed.At))
	case c.closed.ClosedBy == wiretap.ByClient && c.ended != "":
		return fmt.Sprintf("connection %d was closed by the program at %s %s (not a loss)", c.n, sec(c.closed.At), c.ended)
	case c.closed.ClosedBy == wiretap.ByClient && c.darkAt(c.closed.At):
		return fmt.Sprintf("connection %d was closed by the program at %s, nothing having moved on it since %s (a loss: it gave up on a dead link)", c.n, sec(c.closed.At), sec(c.lastActive()))
	case c.closed.ClosedBy == wiretap.ByClient:
		return fmt.Sprintf("connection %d was closed by the program at %s (bytes last moved at %s)", c.n, sec(c.closed.At), sec(c.lastActive()))
	}
	return fmt.Sprintf("connection %d was open until the end of the run (%s)", c.n, sec(c.closed.At))
}

// first is the first command named one of names, or nil.
func (c wireConn) first(names ...string) *history.Event {
	for _, e := range c.commands {
		for _, n := range names {
			if e.Command == n {
				ev := e
				return &ev
			}
		}
	}
	return nil
}

// status is the first status code received, or nil.
func (c wireConn) status(code string) *history.Event {
	for _, e := range c.statuses {
		if e.Code == code {
			ev := e
			return &ev
		}
	}
	return nil
}

// wireConns lists a process's connections in the order they were accepted.
func wireConns(h *history.History, client string) []wireConn {
	var out []wireConn
	at := map[int]int{}
	get := func(n int) *wireConn {
		i, ok := at[n]
		if !ok {
			return nil
		}
		return &out[i]
	}
	for _, e := range h.Of(client, history.KindTapConnect, history.KindTapCommand, history.KindTapStatus, history.KindTapMedia,
		history.KindTapBytes, history.KindTapClose) {
		if e.Kind == history.KindTapConnect {
			if _, dup := at[e.Conn]; !dup {
				at[e.Conn] = len(out)
				out = append(out, wireConn{n: e.Conn, opened: e.At})
			}
			continue
		}
		c := get(e.Conn)
		if c == nil {
			continue
		}
		switch e.Kind {
		case history.KindTapCommand:
			c.commands = append(c.commands, e)
		case history.KindTapStatus:
			c.statuses = append(c.statuses, e)
		case history.KindTapMedia:
			c.media = append(c.media, e)
		case history.KindTapBytes:
			c.bytes = append(c.bytes, e)
		case history.KindTapClose:
			ev := e
			c.closed = &ev
		}
	}
	stops := h.Of(client, history.KindProcStop)
	for i := range out {
		out[i].ended = normalEnd(out[i], stops)
	}
	return out
}

// streamEnds are the statuses by which a server ends what a connection plays: a program that
// closes the connection after one of them has reached the end, not lost it.
var streamEnds = []string{status.PlayStop, status.PlayComplete, status.PlayUnpublishNotify, status.UnpublishSuccess}

// normalEnd says why the program's close of c was no loss — the server had ended the stream on
// it, or the harness was stopping the program — or "".
func normalEnd(c wireConn, stops []history.Event) string {
	if c.closed == nil || c.closed.ClosedBy != wiretap.ByClient {
		return ""
	}
	for _, s := range stops {
		if s.At <= c.closed.At {
			return "as the harness stopped it (" + s.Message + ")"
		}
	}
	for _, e := range c.statuses {
		if e.At <= c.closed.At && slices.Contains(streamEnds, e.Code) {
			return fmt.Sprintf("after the server ended the stream (%s at %s)", e.Code, sec(e.At))
		}
	}
	return ""
}

// exitOf says how and when the process ended ("" while it ran to the end).
func exitOf(h *history.History, client string) string {
	for _, e := range h.Of(client, history.KindProcExit) {
		return fmt.Sprintf("the process ended (%s) at %s", e.Message, sec(e.At))
	}
	return ""
}

// requested is where a play or play2 asked to start, in seconds of stream time (a resume's
// offset; negative starts, live or from the beginning, count as 0).
func requested(e history.Event) float64 {
	if e.Transition == "resume" && e.Offset != nil {
		return *e.Offset
	}
	if e.Start != nil && *e.Start > 0 {
		return *e.Start
	}
	return 0
}
