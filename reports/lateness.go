package reports

import (
	"sync"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// LatenessMeter measures how late players' frames arrived against the pace of their stream,
// from every frame event as it is recorded (harness.Options.OnEvent: the history keeps frames
// as runs, without each one's arrival). Per client connection, a frame of stream time st is
// due at max(first arrival, base+st), base being the earliest arrival minus stream time seen
// on that connection (the pace once the initial burst is over); a frame's lateness is its
// arrival past its due time. Safe for concurrent use; times are kept to the microsecond in 32
// bits (runs up to 35 minutes).
type LatenessMeter struct {
	mu    sync.Mutex
	conns map[latenessKey]*latenessConn
	order []*latenessConn
}

type latenessKey struct {
	client string
	conn   int
}

// latenessConn holds a connection's frames as microseconds: arrival minus the first arrival,
// and arrival minus stream time (8 bytes a frame).
type latenessConn struct {
	first             time.Duration
	base              time.Duration
	sinceFirst, ahead []int32
}

// Observe takes one recorded event (frames received by a scripted client count).
func (m *LatenessMeter) Observe(e history.Event) {
	if e.Kind != history.KindClientReceived || e.StartTime == nil {
		return
	}
	st := time.Duration(*e.StartTime * float64(time.Second))
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.conns == nil {
		m.conns = map[latenessKey]*latenessConn{}
	}
	k := latenessKey{e.Source, e.Conn}
	c := m.conns[k]
	if c == nil {
		c = &latenessConn{first: e.At, base: e.At - st}
		m.conns[k] = c
		m.order = append(m.order, c)
	}
	c.base = min(c.base, e.At-st)
	c.sinceFirst = append(c.sinceFirst, int32((e.At-c.first)/time.Microsecond))
	c.ahead = append(c.ahead, int32((e.At-st)/time.Microsecond))
}

// Values is every observed frame's lateness, connection by connection in arrival order.
func (m *LatenessMeter) Values() []time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []time.Duration
	for _, c := range m.order {
		base := int64(c.base / time.Microsecond)
		for i := range c.sinceFirst {
			// arrival - max(first, base+st) = min(arrival-first, (arrival-st)-base)
			late := min(int64(c.sinceFirst[i]), int64(c.ahead[i])-base)
			out = append(out, time.Duration(max(late, 0))*time.Microsecond)
		}
	}
	return out
}
