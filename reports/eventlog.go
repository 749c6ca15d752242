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
		line := fmt.Sprintf("%9.3fs %-12s %-22s", e.At.Seconds(), e.Source, e.Kind)
		for _, part := range []string{e.Code, e.Transition, e.Stream, e.Route, e.Message} {
			if part != "" {
				line += " " + part
			}
		}
		if e.Offset != nil {
			line += fmt.Sprintf(" offset=%.3f", *e.Offset)
		}
		if e.Frames != nil && e.Kind == history.KindServerPlay {
			line += fmt.Sprintf(" from-frame=%d", e.Frames.First)
		}
		if e.Strikes > 0 {
			line += fmt.Sprintf(" strikes=%d", e.Strikes)
		}
		lines = append(lines, line)
	}
	if len(lines) > max {
		lines = append([]string{fmt.Sprintf("... %d earlier events", len(lines)-max)}, lines[len(lines)-max:]...)
	}
	return strings.Join(lines, "\n") + "\n"
}
