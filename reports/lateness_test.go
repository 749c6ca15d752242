package reports

import (
	"slices"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// TestLateness: a burst of 1 s then frames at their pace are on time; a frame 120 ms behind
// its pace is 120 ms late; a second connection has its own pace.
func TestLateness(t *testing.T) {
	var m LatenessMeter
	frame := func(at time.Duration, conn int, st float64) {
		m.Observe(history.Event{At: at, Source: "p", Kind: history.KindClientReceived, Conn: conn, StartTime: &st})
	}
	for i := 0; i < 25; i++ { // the burst: 1 s of media at once
		frame(100*time.Millisecond, 1, float64(i)*0.04)
	}
	for i := 25; i < 50; i++ { // then one frame every 40 ms
		at := 100*time.Millisecond + time.Duration(i-25)*40*time.Millisecond
		if i == 40 {
			at += 120 * time.Millisecond
		}
		frame(at, 1, float64(i)*0.04)
	}
	frame(5*time.Second, 2, 2.0) // a new connection after a resume
	frame(5*time.Second+40*time.Millisecond, 2, 2.04)
	m.Observe(history.Event{At: time.Second, Source: "p", Kind: history.KindClientRendered, StartTime: new(float64)}) // not a frame received
	got := m.Values()
	if len(got) != 52 {
		t.Fatalf("%d values", len(got))
	}
	if slices.Max(got) != 120*time.Millisecond || got[40] != 120*time.Millisecond {
		t.Fatalf("lateness %v", got)
	}
	got[40] = 0
	if slices.Max(got) != 0 {
		t.Fatalf("frames on time reported late: %v", got)
	}
}
