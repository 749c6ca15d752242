package check

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/status"
	"github.com/streamfault/streamfault/internal/wiretap"
)

// mediaConn is the media of one connection of a client, in stream time (seconds): where it
// began and ended, and every jump of its timestamps within it.
type mediaConn struct {
	n                   int
	first, last         float64
	firstAt, lastAt     time.Duration
	jumps               []mediaJump
	up                  bool // the client sent the media (it publishes)
	onDemand            bool // it played a stream of the server's catalogue
	stream              string
	lastFrame, gopFrame float64 // seconds per frame and per keyframe interval of its stream (0: unknown)
}

// mediaJump is a step of a track's timestamps that went back or leapt.
type mediaJump struct {
	at         time.Duration
	prev, next float64
	track      string
	announced  string // the status the server sent just before it ("" when none)
}

func (j mediaJump) String() string {
	what := "went back"
	if j.next > j.prev {
		what = "leapt"
	}
	s := fmt.Sprintf("%s timestamps %s from %.3fs to %.3fs at %s", j.track, what, j.prev, j.next, sec(j.at))
	if j.announced != "" {
		s += " (after " + j.announced + ")"
	}
	return s
}

// announcements are the statuses by which a server tells a player its timeline starts again
// (a new play, a reset playlist, a transition, a seek, an unpause): a jump right after one is
// what the player was told to expect.
var announcements = []string{status.PlayStart, status.PlayReset, status.PlayTransition, status.SeekNotify, status.UnpauseNotify}

// catalogue names the streams the lab served on demand.
func catalogue(h *history.History) map[string]bool {
	out := map[string]bool{}
	for _, e := range h.Kind(history.KindStream) {
		out[e.Stream] = true
	}
	return out
}

// scriptedMedia is a scripted client's media per connection: the frames it received (kept or
// dropped as duplicates: all the server delivered) or, for a publisher, the frames it sent.
// A step back, or forward by more than leap, is a jump.
func scriptedMedia(h *history.History, client string, leap float64) []mediaConn {
	vod := catalogue(h)
	var out []mediaConn
	at := map[int]int{}
	announced := map[int]string{}
	for _, e := range h.Of(client, history.KindClientReceived, history.KindClientDropped, history.KindClientSent, history.KindClientStatus) {
		if e.Kind == history.KindClientStatus {
			announced[e.Conn] = e.Code
			continue
		}
		if e.StartTime == nil {
			continue
		}
		ts := *e.StartTime
		i, seen := at[e.Conn]
		if !seen {
			at[e.Conn], i = len(out), len(out)
			mc := mediaConn{n: e.Conn, first: ts, firstAt: e.At, last: *e.LastTime(), lastAt: e.LastAt(), up: e.Kind == history.KindClientSent,
				stream: e.Stream, onDemand: e.Kind != history.KindClientSent && vod[e.Stream]}
			mc.lastFrame, mc.gopFrame = frameSeconds(h, e.Stream), gopSeconds(h, e.Stream)
			out = append(out, mc)
			announced[e.Conn] = ""
			continue
		}
		mc := &out[i]
		back, leapt := ts < mc.last, ts-mc.last > leap && !mc.up // a publisher's reports come a second's frames at a time
		if back || leapt {
			mc.jumps = append(mc.jumps, mediaJump{at: e.At, prev: mc.last, next: ts, track: "video", announced: announced[e.Conn]})
		}
		announced[e.Conn] = ""
		mc.last, mc.lastAt = *e.LastTime(), e.LastAt()
	}
	return out
}

// wireMedia is a program's media per connection, as its wire tap saw it: the first media of
// the connection, the last (at its close), and the jumps the tap noted. The stream each
// connection played is read first, from all its commands: the tap reads the two directions
// apart, so a play may be recorded after the first media it brought.
func wireMedia(h *history.History, client string) []mediaConn {
	vod := catalogue(h)
	var out []mediaConn
	at := map[int]int{}
	streams := map[int]string{}
	for _, e := range h.Of(client, history.KindTapCommand) {
		if slices.Contains([]string{"play", "play2", "publish"}, e.Command) && streams[e.Conn] == "" {
			name, _, _ := strings.Cut(e.Stream, "?")
			streams[e.Conn] = name
		}
	}
	for _, e := range h.Of(client, history.KindTapMedia, history.KindTapJump, history.KindTapClose) {
		if e.Media == nil {
			continue
		}
		i, seen := at[e.Conn]
		if !seen {
			if e.Kind != history.KindTapMedia {
				continue
			}
			st := streams[e.Conn]
			at[e.Conn], i = len(out), len(out)
			mc := mediaConn{n: e.Conn, first: *e.Media, firstAt: e.At, last: *e.Media, lastAt: e.At, up: e.Message == wiretap.Up,
				stream: st, onDemand: e.Message == wiretap.Down && vod[st]}
			if vod[st] {
				mc.lastFrame, mc.gopFrame = frameSeconds(h, st), gopSeconds(h, st)
			}
			out = append(out, mc)
			continue
		}
		mc := &out[i]
		switch e.Kind {
		case history.KindTapJump:
			dir, track, _ := strings.Cut(e.Message, " ")
			if (dir == wiretap.Up) != mc.up {
				continue // the other direction's (a publisher's echo; none in practice)
			}
			track, _, _ = strings.Cut(track, " ")
			mc.jumps = append(mc.jumps, mediaJump{at: e.At, prev: deref(e.Prev), next: *e.Media, track: track, announced: e.Code})
		case history.KindTapClose:
			mc.last, mc.lastAt = *e.Media, e.At
		}
	}
	return out
}
