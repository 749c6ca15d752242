package reports

import (
	"slices"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// TestLateness: frames sent early on purpose (a batch) are on time; a frame 120 ms past its
// due time is 120 ms late; a burst is measured apart; frames are matched by client and
// connection, so another player's frame of the same stream time, or the same client's next
// connection, has its own due time; a frame with no due time is unmatched, not guessed.
func TestLateness(t *testing.T) {
	var m LatenessMeter
	ms := time.Millisecond
	frame := func(at time.Duration, client string, conn int, st time.Duration) {
		s := st.Seconds()
		m.Observe(history.Event{At: at, Source: client, Kind: history.KindClientReceived, Conn: conn, StartTime: &s})
	}
	for i := 0; i < 25; i++ { // the burst: 1 s of media due at the play's start
		m.Due("p", 1, time.Duration(i)*40*ms, 100*ms, true)
		frame(100*ms+time.Duration(i)*ms, "p", 1, time.Duration(i)*40*ms)
	}
	for i := 25; i < 50; i++ { // then a batch every 100 ms, frames due every 40 ms
		st := time.Duration(i) * 40 * ms
		m.Due("p", 1, st, 100*ms+st-time.Second, false)
	}
	for i := 25; i < 50; i++ {
		st := time.Duration(i) * 40 * ms
		at := 100*ms + (st-time.Second)/(100*ms)*(100*ms) // sent with the batch, up to 100 ms early
		if i == 40 {
			at = 100*ms + st - time.Second + 120*ms
		}
		frame(at, "p", 1, st)
	}
	m.Due("q", 1, 2*time.Second, 5*time.Second, false) // another player, the same stream time
	m.Due("p", 2, 2*time.Second, 5*time.Second, false) // p's next connection
	frame(5*time.Second+30*ms, "q", 1, 2*time.Second)
	frame(5*time.Second, "p", 2, 2*time.Second)
	frame(6*time.Second, "p", 2, 3*time.Second)                                                                       // nobody said when it was due
	m.Observe(history.Event{At: time.Second, Source: "p", Kind: history.KindClientRendered, StartTime: new(float64)}) // not a frame received
	got, burst := m.Values(), m.BurstValues()
	if len(got) != 27 || len(burst) != 25 || m.Unmatched() != 1 {
		t.Fatalf("%d paced, %d burst, %d unmatched", len(got), len(burst), m.Unmatched())
	}
	if burst[24] != 24*ms || burst[0] != 0 {
		t.Fatalf("burst lateness %v", burst)
	}
	if got[15] != 120*ms || got[25] != 30*ms {
		t.Fatalf("lateness %v", got)
	}
	got[15], got[25] = 0, 0
	if slices.Max(got) != 0 {
		t.Fatalf("frames on time reported late: %v", got)
	}
}

// TestLatenessMatchesInOrderPerConnection: a stream time told twice on one connection (a seek
// back) is matched in the order told, each arrival to its own due time, even when the second
// is told before the first arrives; a frame told but never arrived (its connection dropped)
// leaves the frames after it matched to theirs.
func TestLatenessMatchesInOrderPerConnection(t *testing.T) {
	var m LatenessMeter
	ms := time.Millisecond
	frame := func(at time.Duration, st time.Duration) {
		s := st.Seconds()
		m.Observe(history.Event{At: at, Source: "p", Kind: history.KindClientReceived, Conn: 1, StartTime: &s})
	}
	m.Due("p", 1, 0, 0, true)
	m.Due("p", 1, 40*ms, 10*ms, false) // never arrives
	m.Due("p", 1, 80*ms, 20*ms, false) // arrives 5 ms late
	m.Due("p", 1, 0, 100*ms, false)    // the seek back: stream time 0 again
	frame(0, 0)                        // the first 0: on time
	frame(25*ms, 80*ms)                // 40 ms was lost
	frame(130*ms, 0)                   // the second 0: 30 ms late, against its own due time
	frame(140*ms, 0)                   // nothing more was told for 0
	got, burst := m.Values(), m.BurstValues()
	if len(burst) != 1 || burst[0] != 0 {
		t.Fatalf("burst %v", burst)
	}
	if !slices.Equal(got, []time.Duration{5 * ms, 30 * ms}) || m.Unmatched() != 1 {
		t.Fatalf("paced %v, %d unmatched", got, m.Unmatched())
	}
}
