package check

import (
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/status"
)

// Recovery is how long a client took to get media again after a fault.
type Recovery struct {
	// Fault is the fault's name.
	Fault string `json:"fault"`
	// FaultAt is when the fault started.
	FaultAt time.Duration `json:"faultAt"`
	// Took is the time from the fault to Until.
	Took time.Duration `json:"took"`
	// Until is what ended the outage: "first frame" (a player's first video frame on a newer
	// connection, spliced duplicates included: it measures the path, not the splice) or
	// "republish" (a publisher's NetStream.Publish.Start on a newer connection).
	Until string `json:"until"`
	// Conn is the connection the recovery happened on.
	Conn int `json:"conn"`
}

// What ended an outage (Recovery.Until).
const (
	UntilFirstFrame = "first frame"
	UntilRepublish  = "republish"
)

// Recoveries measures, for each fault on the client's path (its route, that route's server,
// or the client itself) that cost the client its session — a player's
// NetConnection.Connect.Closed, or a publisher's closed session, zero-bitrate or missing-ping
// verdict or network change, on the connection it had when the fault started, before the next
// fault on its path started — the time from the fault's start to the first frame (players) or
// the Publish.Start (publishers) on a newer connection. Faults elsewhere, faults that broke
// nothing, and outages the client never recovered from, are left out.
func Recoveries(h *history.History, client string) []Recovery {
	var starts []faultSpan
	for _, f := range faultSpans(h) {
		if touches(h, f, client, f.start) {
			starts = append(starts, f)
		}
	}
	own := h.Judged(client)
	var out []Recovery
	for i, f := range starts {
		next := forever
		if i+1 < len(starts) {
			next = starts[i+1].start
		}
		conn, publisher := 0, false // the client's connection when the fault started
		for _, e := range own {
			if e.At > f.start {
				break
			}
			if e.Kind == history.KindClientPlay || e.Kind == history.KindClientPublish {
				conn, publisher = e.Conn, e.Kind == history.KindClientPublish
			}
		}
		if conn == 0 {
			continue
		}
		lost := false
		for _, e := range own {
			if e.At >= f.start && e.At < next && e.Conn == conn && sessionLost(e, publisher) {
				lost = true
				break
			}
		}
		if !lost {
			continue
		}
		for _, e := range own {
			if e.At < f.start || e.Conn <= conn {
				continue
			}
			switch {
			case !publisher && (e.Kind == history.KindClientReceived || e.Kind == history.KindClientDropped):
				out = append(out, Recovery{Fault: f.name, FaultAt: f.start, Took: e.At - f.start, Until: UntilFirstFrame, Conn: e.Conn})
			case publisher && e.Kind == history.KindClientStatus && e.Code == status.PublishStart && heldAt(h, client, e):
				out = append(out, Recovery{Fault: f.name, FaultAt: f.start, Took: e.At - f.start, Until: UntilRepublish, Conn: e.Conn})
			default:
				continue
			}
			break
		}
	}
	return out
}

// sessionLost tells whether e ends the client's session: Connect.Closed for anyone, and for
// a publisher also its own verdicts that drop the session.
func sessionLost(e history.Event, publisher bool) bool {
	if e.Kind == history.KindClientStatus && e.Code == status.ConnectClosed {
		return true
	}
	return publisher && (e.Kind == history.KindClientZero || e.Kind == history.KindClientPings ||
		(e.Kind == history.KindClientStatus && e.Code == status.ConnectNetworkChange))
}
