package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// The text timeline shows every field an event carries: the tap's command with its stream and
// start, its byte counters, who closed a connection.
func TestEventLogShowsEveryField(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	h := &history.History{Events: []history.Event{
		{At: time.Second, Source: "ff", Kind: history.KindTapCommand, Command: "play", Stream: "clip", Start: f(-2), Conn: 1},
		{At: time.Second, Source: "ff", Kind: history.KindTapCommand, Command: "connect", App: "vod", Conn: 1},
		{At: 2 * time.Second, Source: "ff", Kind: history.KindTapBytes, BytesIn: 52000, BytesOut: 3500, Conn: 1},
		{At: 3 * time.Second, Source: "ff", Kind: history.KindTapClose, ClosedBy: "client", Media: f(2.96), Conn: 1},
		{At: 3 * time.Second, Source: "cut", Kind: history.KindFaultStart, Fault: "cut", Route: "wifi", Target: "ff", Message: "drop ff"},
	}}
	got := EventLog(h, 100)
	for _, want := range []string{"tap.command            play clip conn=1 start=-2.000", "connect app=vod", "bytes-in=52000 bytes-out=3500",
		"closed-by=client conn=1 media=2.960", "route=wifi fault=cut target=ff drop ff"} {
		if !strings.Contains(got, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, got)
		}
	}
}
