package reports

import (
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// Lateness measures how late players' frames arrived against the pace of their stream: per
// client connection, a frame of stream time st is due at max(first arrival, base+st), base
// being the earliest arrival minus stream time seen on that connection (the pace once the
// initial burst is over); a frame's lateness is its arrival past its due time. It returns
// every received frame's lateness.
func Lateness(h *history.History) []time.Duration {
	type key struct {
		client string
		conn   int
	}
	type conn struct {
		first, base time.Duration
		seen        bool
	}
	frames := h.Kind(history.KindClientReceived)
	conns := map[key]*conn{}
	for _, e := range frames {
		if e.StartTime == nil {
			continue
		}
		k := key{e.Source, e.Conn}
		st := time.Duration(*e.StartTime * float64(time.Second))
		c := conns[k]
		if c == nil {
			c = &conn{}
			conns[k] = c
		}
		if !c.seen || e.At < c.first {
			c.first = e.At
		}
		if b := e.At - st; !c.seen || b < c.base {
			c.base = b
		}
		c.seen = true
	}
	out := make([]time.Duration, 0, len(frames))
	for _, e := range frames {
		if e.StartTime == nil {
			continue
		}
		c := conns[key{e.Source, e.Conn}]
		st := time.Duration(*e.StartTime * float64(time.Second))
		out = append(out, max(0, e.At-max(c.first, c.base+st)))
	}
	return out
}
