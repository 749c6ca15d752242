package check

import (
	"time"

	"github.com/streamfault/streamfault/harness/history"
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

// Recoveries measures, for each fault that cost the client its session — a player's
// NetConnection.Connect.Closed, or a publisher's closed session, zero-bitrate or missing-ping
// verdict or network change, on the connection it had when the fault started, before any later
// fault started — the time from the fault's start to the first frame (players) or the
// Publish.Start (publishers) on a newer connection. Faults that broke nothing, and outages the
// client never recovered from, are left out.
func Recoveries(h *history.History, client string) []Recovery {
	var out []Recovery
	starts := h.Filter(func(e history.Event) bool { return e.Kind == history.KindFaultStart })
	for i, f := range starts {
		next := time.Duration(1<<63 - 1)
		if i+1 < len(starts) {
			next = starts[i+1].At
		}
		conn, publisher := 0, false // the client's connection when the fault started
		for _, e := range h.Events {
			if e.At > f.At {
				break
			}
			if e.Source == client && (e.Kind == history.KindClientPlay || e.Kind == history.KindClientPublish) {
				conn, publisher = e.Conn, e.Kind == history.KindClientPublish
			}
		}
		if conn == 0 {
			continue
		}
		lost := false
		for _, e := range h.Events {
			if e.At >= f.At && e.At < next && e.Source == client && e.Conn == conn && sessionLost(e, publisher) {
				lost = true
				break
			}
		}
		if !lost {
			continue
		}
		for _, e := range h.Events {
			if e.At < f.At || e.Source != client || e.Conn <= conn {
				continue
			}
			switch {
			case !publisher && (e.Kind == history.KindClientReceived || e.Kind == history.KindClientDropped):
				out = append(out, Recovery{Fault: f.Fault, FaultAt: f.At, Took: e.At - f.At, Until: UntilFirstFrame, Conn: e.Conn})
			case publisher && e.Kind == history.KindClientStatus && e.Code == "NetStream.Publish.Start":
				out = append(out, Recovery{Fault: f.Fault, FaultAt: f.At, Took: e.At - f.At, Until: UntilRepublish, Conn: e.Conn})
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
	if e.Kind == history.KindClientStatus && e.Code == "NetConnection.Connect.Closed" {
		return true
	}
	return publisher && (e.Kind == history.KindClientZero || e.Kind == history.KindClientPings ||
		(e.Kind == history.KindClientStatus && e.Code == "NetConnection.Connect.NetworkChange"))
}
