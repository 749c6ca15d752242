package history

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// Bounds of what the history keeps of one event: a peer (a program's commands, a server's
// statuses, a program's output) decides what the strings hold, so each is cut, and each
// source's strings together are bounded; a number that is not finite (NaN or an infinity, from
// the wire) is dropped and said so, since no report format can carry it.
const (
	// MaxString is the longest string an event keeps, in bytes.
	MaxString = 4 << 10
	// MaxSourceStrings bounds the string bytes kept for one source; past it each string is
	// cut to CutString.
	MaxSourceStrings = 64 << 20
	// CutString is the length strings are cut to once a source's budget is spent.
	CutString = 64
	// maxPlaylist bounds a recorded playlist.
	maxPlaylist = 1024
)

// floatFields name the optional numbers bound checks, in its order.
var floatFields = [...]string{"offset", "startTime", "start", "media", "prev"}

// bounder applies the bounds, counting the string bytes kept per source.
type bounder struct{ kept map[string]int }

// bound puts ev within the bounds (in place: an event is 450 bytes, copied for nothing).
func (b *bounder) bound(ev *Event) {
	if b.kept == nil {
		b.kept = map[string]int{}
	}
	limit := MaxString
	if b.kept[ev.Source] >= MaxSourceStrings {
		limit = CutString
	}
	var notes []string
	// The fields' names apart from their pointers: a name beside a pointer into ev, handed to
	// fmt, put ev on the heap at every call (450 bytes an event, under the recorder's lock).
	for i, p := range [...]**float64{&ev.Offset, &ev.StartTime, &ev.Start, &ev.Media, &ev.Prev} {
		if *p != nil && (math.IsNaN(**p) || math.IsInf(**p, 0)) {
			notes = append(notes, fmt.Sprintf("%s was %v", floatFields[i], **p))
			*p = nil
		}
	}
	if math.IsNaN(ev.Kbps) || math.IsInf(ev.Kbps, 0) {
		notes = append(notes, fmt.Sprintf("kbps was %v", ev.Kbps))
		ev.Kbps = 0
	}
	if len(notes) > 0 {
		ev.Message += fmt.Sprintf(" (not a finite number, dropped: %v)", notes)
	}
	if len(ev.Playlist) > maxPlaylist {
		n := len(ev.Playlist)
		ev.Playlist = append(ev.Playlist[:maxPlaylist:maxPlaylist], fmt.Sprintf("… %d more", n-maxPlaylist))
	}
	n := 0
	for _, s := range []*string{&ev.Source, &ev.Code, &ev.Client, &ev.Session, &ev.Stream, &ev.Transition, &ev.OldStream,
		&ev.Fault, &ev.Route, &ev.Target, &ev.Command, &ev.App, &ev.ClosedBy, &ev.Message} {
		*s = Cut(*s, limit)
		n += len(*s)
	}
	for i := range ev.Playlist {
		ev.Playlist[i] = Cut(ev.Playlist[i], limit)
		n += len(ev.Playlist[i])
	}
	b.kept[ev.Source] += n
}

// Cut shortens s to at most max bytes (on a rune boundary), saying how long it was.
func Cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	end := max
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + fmt.Sprintf("… [cut: %d bytes]", len(s))
}
