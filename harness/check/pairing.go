package check

import (
	"math"

	"github.com/streamfault/streamfault/harness/history"
)

// Resume pairs a client's play2 resume with the server's access-log entry that served it.
type Resume struct {
	// Request is the client's play.request with transition resume.
	Request history.Event
	// Served is the server's play event for it; nil when no server saw the request.
	Served *history.Event
}

// Resumes lists the client's resume requests in order, each paired with the server resume
// that served it: every server resume of the stream (or of a playlist ending with it) takes
// the latest request at or before it that is still unpaired and asked for the offset the
// server logged (failing that, the latest unpaired one). A request lost with its
// connection (the drop came before the server read it) stays unpaired, and a later resume
// is not mistaken for its answer. (Pairing is by stream and time: two clients resuming one
// stream at the same instant could be crossed.)
func Resumes(h *history.History, client string) []Resume {
	var out []Resume
	for _, rq := range h.Filter(func(e history.Event) bool {
		return e.Source == client && e.Kind == history.KindClientPlay && e.Transition == "resume"
	}) {
		out = append(out, Resume{Request: rq})
	}
	for _, e := range h.Events {
		if e.Kind != history.KindServerPlay || e.Transition != "resume" || e.Frames == nil {
			continue
		}
		pick := -1
		for i := len(out) - 1; i >= 0; i-- {
			rq := out[i].Request
			if out[i].Served != nil || rq.At > e.At || (e.Stream != rq.Stream && lastItem(e.Playlist) != rq.Stream) {
				continue
			}
			if pick < 0 {
				pick = i // the latest candidate…
			}
			if math.Abs(deref(rq.Offset)-deref(e.Offset)) < 0.0005 {
				pick = i // …unless one asked for exactly the offset the server logged
				break
			}
		}
		if pick >= 0 {
			ev := e
			out[pick].Served = &ev
		}
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

// lastItem is a playlist's last stream ("" when empty): the stream a resume names.
func lastItem(pl []string) string {
	if len(pl) == 0 {
		return ""
	}
	return pl[len(pl)-1]
}
