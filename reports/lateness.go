package reports

import (
	"math"
	"sync"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// LatenessMeter measures how late players' frames arrived against when the server meant them
// to leave: Due tells it a frame's due time (the reference server's pacing,
// harness.Options.OnFrameDue), Observe its arrival (every frame event as it is recorded,
// harness.Options.OnEvent), both by client, connection and stream time. A frame's lateness is
// its arrival past its due time: what the server, the proxies and the player added to the
// schedule together; a frame the server sent early on purpose is not late. Frames of a
// playback's initial burst (all due at its start, sent as fast as the connection takes them)
// are kept apart from the paced ones. A frame nobody told a due time for (another server, a
// live stream) is counted apart (Unmatched), not guessed. Safe for concurrent use.
type LatenessMeter struct {
	mu           sync.Mutex
	due          map[dueKey]dueTime // frames told but not yet arrived
	paced, burst []int32            // lateness in µs, in arrival order
	unmatched    int
}

// dueKey is one frame of one client connection. A stream time sent twice on a connection (a
// seek back) is matched in order as long as the first arrives before the second is due.
type dueKey struct {
	client string
	conn   int
	ms     int64
}

type dueTime struct {
	us    int64
	burst bool
}

// Due tells the meter that the frame of streamTime on client's connection conn was due to
// leave the server at due (on the history's clock), as part of a playback's initial burst
// when burst.
func (m *LatenessMeter) Due(client string, conn int, streamTime, due time.Duration, burst bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.due == nil {
		m.due = map[dueKey]dueTime{}
	}
	m.due[dueKey{client, conn, streamTime.Milliseconds()}] = dueTime{due.Microseconds(), burst}
}

// Observe takes one recorded event (frames received by a scripted client count).
func (m *LatenessMeter) Observe(e history.Event) {
	if e.Kind != history.KindClientReceived || e.StartTime == nil {
		return
	}
	k := dueKey{e.Source, e.Conn, int64(math.Round(*e.StartTime * 1000))}
	m.mu.Lock()
	defer m.mu.Unlock()
	due, ok := m.due[k]
	if !ok {
		m.unmatched++
		return
	}
	delete(m.due, k)
	late := int32(min(max(e.At.Microseconds()-due.us, 0), math.MaxInt32))
	if due.burst {
		m.burst = append(m.burst, late)
	} else {
		m.paced = append(m.paced, late)
	}
}

// Values is the lateness of every matched paced frame, in arrival order.
func (m *LatenessMeter) Values() []time.Duration {
	return m.durations(func() []int32 { return m.paced })
}

// BurstValues is the lateness of every matched frame of an initial burst, in arrival order.
func (m *LatenessMeter) BurstValues() []time.Duration {
	return m.durations(func() []int32 { return m.burst })
}

func (m *LatenessMeter) durations(of func() []int32) []time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	us := of()
	out := make([]time.Duration, len(us))
	for i, l := range us {
		out[i] = time.Duration(l) * time.Microsecond
	}
	return out
}

// Unmatched is how many frames arrived that no due time was told for.
func (m *LatenessMeter) Unmatched() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.unmatched
}
