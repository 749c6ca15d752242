package harness

import (
	"strings"
	"sync"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/identity"
)

// identities remembers, per server and session, who the connection said it was in its
// connect command, so that every server event is attributed to a client and a connection.
type identities struct {
	mu  sync.Mutex
	ids map[string]identity.Identity // server + "/" + session
}

func newIdentities() *identities { return &identities{ids: map[string]identity.Identity{}} }

// serverEvent adapts a fakeserver access-log entry into h (zero when given), with the
// identity its session declared. Both by address: a server session's event built and passed
// by value took the session's goroutine past 8 KB of stack in every connect (grown, copied,
// and shrunk again by the collector).
func (d *identities) serverEvent(h *history.Event, server string, ev *fakeserver.Event) {
	key := server + "/" + ev.Session
	d.mu.Lock()
	if ev.Kind == fakeserver.EventConnect {
		if ev.Declared.Client != "" {
			d.ids[key] = ev.Declared
		}
	}
	id := d.ids[key]
	d.mu.Unlock()
	h.Source, h.Kind, h.Session, h.Stream = server, history.ServerPrefix+ev.Kind, ev.Session, ev.Stream
	h.BytesIn, h.BytesOut, h.Message, h.Client, h.Conn = ev.BytesIn, ev.BytesOut, ev.Reason, id.Client, id.Conn
	switch ev.Kind {
	case fakeserver.EventPlay:
		off, st := ev.SOffset, ev.StartTime
		h.Transition, h.Offset, h.StartTime, h.Playlist, h.Command = ev.TransMode, &off, &st, ev.Playlist, ev.Command
		h.Frames = &history.Range{First: ev.StartFrame, Last: ev.StartFrame}
	case fakeserver.EventPlaylist:
		off := ev.SOffset
		h.Transition, h.Offset, h.Playlist = ev.TransMode, &off, ev.Playlist
		h.Message = strings.Join(ev.Playlist, ", ")
	case fakeserver.EventStop:
		h.Count = ev.Frames
	}
}
