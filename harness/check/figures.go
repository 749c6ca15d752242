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
	// FirstFrame is the time from the fault to the first video frame on a newer connection
	// (spliced duplicates included: it measures the network path, not the splice).
	FirstFrame time.Duration `json:"firstFrame"`
	// Conn is the connection the frame arrived on.
	Conn int `json:"conn"`
}

// Recoveries measures, for each fault that closed the client's connection (its
// NetConnection.Connect.Closed came before any later fault started), the time from the fault's
// start to the first frame received on a newer connection. Faults that broke nothing, and
// outages the client never recovered from, are left out.
func Recoveries(h *history.History, client string) []Recovery {
	var out []Recovery
	starts := h.Filter(func(e history.Event) bool { return e.Kind == history.KindFaultStart })
	for i, f := range starts {
		next := time.Duration(1<<63 - 1)
		if i+1 < len(starts) {
			next = starts[i+1].At
		}
		conn := 0 // the client's connection when the fault started
		for _, e := range h.Events {
			if e.At > f.At {
				break
			}
			if e.Source == client && e.Kind == history.KindClientPlay {
				conn = e.Conn
			}
		}
		if conn == 0 {
			continue
		}
		closed := false
		for _, e := range h.Events {
			if e.At >= f.At && e.At < next && e.Source == client && e.Kind == history.KindClientStatus &&
				e.Code == "NetConnection.Connect.Closed" && e.Conn == conn {
				closed = true
				break
			}
		}
		if !closed {
			continue
		}
		for _, e := range h.Events {
			if e.At < f.At || e.Source != client || e.Conn <= conn ||
				(e.Kind != history.KindClientReceived && e.Kind != history.KindClientDropped) {
				continue
			}
			out = append(out, Recovery{Fault: f.Fault, FaultAt: f.At, FirstFrame: e.At - f.At, Conn: e.Conn})
			break
		}
	}
	return out
}
