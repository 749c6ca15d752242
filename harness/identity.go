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

// serverEvent adapts a fakeserver access-log entry into the history, with the identity its
// session declared.
func (d *identities) serverEvent(server string, ev fakeserver.Event) history.Event {
	key := server + "/" + ev.Session
	d.mu.Lock()
	if ev.Kind == fakeserver.EventConnect {
		if ev.Declared.Client != "" {
			d.ids[key] = ev.Declared
		}
	}
	id := d.ids[key]
	d.mu.Unlock()
	h := history.Event{Source: server, Kind: history.ServerPrefix + ev.Kind, Session: ev.Session, Stream: ev.Stream,
		BytesIn: ev.BytesIn, BytesOut: ev.BytesOut, Message: ev.Reason, Client: id.Client, Conn: id.Conn}
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
	return h
}
