package check

import (
	"fmt"

	"github.com/streamfault/streamfault/harness/history"
)

// unread makes a failure judged from a wire tap that could not read all of what it relayed
// (tap.unparsed: a direction that stopped being readable RTMP, or TLS the tap relayed
// unread) unknown: the evidence the failure misses may be in what the tap could not read. A
// pass stands, as what it needed was read.
func unread(h *history.History, client string, v Verdict) Verdict {
	if v.Status != Fail {
		return v
	}
	for _, e := range h.Of(client, history.KindTapUnparsed) {
		v.Status = Unknown
		v.Evidence = limit(append([]string{"failed on what the tap could read: " + v.Message}, v.Evidence...))
		v.Message = fmt.Sprintf("the wire tap could not read all of %s's traffic (connection %d at %s: %s), so the evidence may lie in what it relayed unread",
			client, e.Conn, sec(e.At), e.Message)
		return v
	}
	return v
}
