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

// Recoveries measures, for each fault that broke the client's connection, the time to the
// first frame received on a newer connection. Faults the client did not recover from are left
// out.
func Recoveries(h *history.History, client string) []Recovery {
	var out []Recovery
	for _, f := range h.Filter(func(e history.Event) bool { return e.Kind == history.KindFaultStart }) {
		conn := 0 // the client's connection when the fault started
		for _, e := range h.Events {
			if e.At > f.At {
				break
			}
			if e.Source == client && e.Conn > conn {
				conn = e.Conn
			}
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
