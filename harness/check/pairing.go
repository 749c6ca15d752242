package check

import "github.com/streamfault/streamfault/harness/history"

// Resume pairs a client's resume (a play2 resume, a play from its offset, or a seek to it)
// with the server's access-log entry that served it.
type Resume struct {
	// Request is the client's play.request with transition resume.
	Request history.Event
	// Served is the server's play event for it; nil when no server saw the request.
	Served *history.Event
}

// Resumes lists the client's resume requests in order, each paired with the server resume
// that served it by identity: the server event of the connection that declared itself to be
// this client and this connection number (the k-th resume of a connection with the k-th the
// server logged for it). A request lost with its connection stays unpaired. Nothing is paired
// by stream name, offset or time, so any number of clients may resume one stream at once.
func Resumes(h *history.History, client string) []Resume {
	served := map[[2]any][]history.Event{} // (connection, how it was asked) -> the server's plays
	for _, e := range h.Declared(client, history.KindServerPlay) {
		if e.Frames == nil {
			continue
		}
		switch {
		case e.Transition == "resume":
			served[[2]any{e.Conn, "play2"}] = append(served[[2]any{e.Conn, "play2"}], e)
		case e.Transition == "seek":
			served[[2]any{e.Conn, "seek"}] = append(served[[2]any{e.Conn, "seek"}], e)
		case e.Command == "play":
			served[[2]any{e.Conn, "play"}] = append(served[[2]any{e.Conn, "play"}], e)
		}
	}
	var out []Resume
	for _, rq := range h.Of(client, history.KindClientPlay) {
		if rq.Transition != "resume" {
			continue
		}
		how := rq.Command
		if how == "" {
			how = "play2"
		}
		r := Resume{Request: rq}
		if s := served[[2]any{rq.Conn, how}]; len(s) > 0 {
			ev := s[0]
			r.Served, served[[2]any{rq.Conn, how}] = &ev, s[1:]
		}
		out = append(out, r)
	}
	return out
}

// retried tells whether an unserved resume i was followed by a served one: it was lost with
// its connection and the client recovered.
func retried(rs []Resume, i int) bool {
	for _, r := range rs[i+1:] {
		if r.Served != nil {
			return true
		}
	}
	return false
}
