package reports

import (
	"fmt"
	"strings"

	"github.com/streamfault/streamfault/harness/history"
)

// EventLog renders the history's notable events (not the per-frame ones) one per line, at most
// max lines, keeping the end — where a failure usually shows — when it has to cut.
func EventLog(h *history.History, max int) string {
	var lines []string
	for _, e := range h.Events {
		switch {
		case e.Kind == history.KindClientReceived, e.Kind == history.KindClientDropped, e.Kind == history.KindClientRendered,
			e.Kind == history.KindClientBuffer, e.Kind == history.KindClientSent:
			continue
		case e.Kind == history.KindClientBitrate && e.Strikes == 0:
			continue // healthy bitrate checks; the strikes are what tell
		}
		lines = append(lines, eventLine(e))
	}
	if len(lines) > max {
		lines = append([]string{fmt.Sprintf("... %d earlier events", len(lines)-max)}, lines[len(lines)-max:]...)
	}
	return strings.Join(lines, "\n") + "\n"
}

// eventLine is one event in words: its time, source and kind, then every field it carries.
func eventLine(e history.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%9.3fs %-12s %-22s", e.At.Seconds(), e.Source, e.Kind)
	for _, part := range []string{e.Command, e.Code, e.Transition, e.Stream} {
		if part != "" {
			b.WriteString(" " + part)
		}
	}
	named := []struct{ name, v string }{{"app", e.App}, {"old", e.OldStream}, {"route", e.Route}, {"fault", e.Fault},
		{"target", e.Target}, {"client", e.Client}, {"session", e.Session}, {"closed-by", e.ClosedBy}}
	if e.Conn > 0 {
		named = append(named, struct{ name, v string }{"conn", fmt.Sprint(e.Conn)})
	}
	for _, f := range named {
		if f.v != "" {
			fmt.Fprintf(&b, " %s=%s", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{{"start", e.Start}, {"offset", e.Offset}, {"start-time", e.StartTime}, {"prev", e.Prev}, {"media", e.Media}} {
		if f.v != nil {
			fmt.Fprintf(&b, " %s=%.3f", f.name, *f.v)
		}
	}
	if e.Frames != nil && e.Kind == history.KindServerPlay {
		fmt.Fprintf(&b, " from-frame=%d", e.Frames.First)
	}
	if e.BytesIn != 0 || e.BytesOut != 0 {
		fmt.Fprintf(&b, " bytes-in=%d bytes-out=%d", e.BytesIn, e.BytesOut)
	}
	if e.Strikes > 0 {
		fmt.Fprintf(&b, " strikes=%d", e.Strikes)
	}
	if e.Kbps != 0 {
		fmt.Fprintf(&b, " kbps=%.0f", e.Kbps)
	}
	if len(e.Playlist) > 0 {
		fmt.Fprintf(&b, " playlist=%v", e.Playlist)
	}
	if e.Message != "" {
		b.WriteString(" " + e.Message)
	}
	return b.String()
}
