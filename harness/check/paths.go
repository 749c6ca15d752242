package check

import (
	"fmt"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// faultSpan is one fault as the history saw it: when it acted and on what.
type faultSpan struct {
	name   string
	start  time.Duration
	end    time.Duration // forever when it lasted to the end of the run
	route  string        // the route it acted on, or sent a client to
	on     string        // the server or client it acted on
	effect string        // history.FaultCloses, FaultClosesAtEnd, or ""
}

// forever marks a fault that was never undone.
const forever = time.Duration(1<<63 - 1)

// faultSpans lists the faults that fired, in the order they started.
func faultSpans(h *history.History) []faultSpan {
	var out []faultSpan
	ends := map[string]time.Duration{}
	for _, e := range h.Kind(history.KindFaultEnd) {
		if _, seen := ends[e.Fault]; !seen {
			ends[e.Fault] = e.At
		}
	}
	for _, e := range h.Kind(history.KindFaultStart) {
		end, ok := ends[e.Fault]
		if !ok {
			end = forever
		}
		out = append(out, faultSpan{name: e.Fault, start: e.At, end: end, route: e.Route, on: e.Target, effect: e.Code})
	}
	return out
}

// spanOf is the named fault's span; ok is false when it never fired.
func spanOf(h *history.History, name string) (faultSpan, bool) {
	for _, f := range faultSpans(h) {
		if f.name == name {
			return f, true
		}
	}
	return faultSpan{}, false
}

// routeAt is the route a client's connections take at time t: its first route, changed by
// every network change or move sent to it before t.
func routeAt(h *history.History, client string, t time.Duration) string {
	route := ""
	for _, e := range h.Of(client, history.KindLabClient) {
		route = e.Route
	}
	for _, e := range h.Kind(history.KindFaultStart) {
		if e.At > t {
			break
		}
		if e.Target == client && e.Route != "" {
			route = e.Route
		}
	}
	return route
}

// serverOf is the server a route leads to.
func serverOf(h *history.History, route string) string {
	for _, e := range h.Kind(history.KindRoute) {
		if e.Route == route {
			return e.Target
		}
	}
	return ""
}

// touches tells whether fault f acted on the path of client — its route or that route's
// server, or the client itself — when it started or at time t (after a move).
func touches(h *history.History, f faultSpan, client string, t time.Duration) bool {
	if f.on == client {
		return true
	}
	for _, at := range []time.Duration{f.start, t} {
		r := routeAt(h, client, at)
		if r == "" {
			continue
		}
		if (f.on == "" && f.route == r) || (f.on != "" && f.on == serverOf(h, r)) {
			return true
		}
	}
	return false
}

// where says what a fault acted on, for messages.
func (f faultSpan) where() string {
	if f.on != "" {
		return f.on
	}
	return "route " + f.route
}

// pathOf says where a client was at time t, for messages.
func pathOf(h *history.History, client string, t time.Duration) string {
	r := routeAt(h, client, t)
	if s := serverOf(h, r); s != "" {
		return fmt.Sprintf("route %s to %s", r, s)
	}
	return "route " + r
}

// credit finds the fault on the client's path a detection at t can be credited to: one that
// had started by t and had not ended more than grace before it.
func credit(h *history.History, client string, t, grace time.Duration) (faultSpan, bool) {
	for _, f := range faultSpans(h) {
		if f.start <= t && (f.end == forever || t <= f.end+grace) && touches(h, f, client, t) {
			return f, true
		}
	}
	return faultSpan{}, false
}

// falseAlarms lists the detections (events of kind) of a client that no fault on its path
// explains: a healthy session declared dead.
func falseAlarms(h *history.History, client, kind, what string, grace time.Duration) []string {
	var out []string
	for _, e := range h.Of(client, kind) {
		if _, ok := credit(h, client, e.At, grace); !ok {
			out = append(out, fmt.Sprintf("%s at %s on connection %d with no fault on %s's path (%s): a false alarm on a healthy session",
				what, sec(e.At), e.Conn, client, pathOf(h, client, e.At)))
		}
	}
	return out
}
