package role

import (
	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
)

// ClientEvent adapts a scripted client's event into the history.
func ClientEvent(client string, ev fakeclient.Event) history.Event {
	h := history.Event{Source: client, Kind: history.ClientPrefix + ev.Kind, Code: ev.Code, Conn: ev.Conn, Stream: ev.Stream,
		BufferLength: ev.BufferLength, Playhead: ev.Playhead, BytesIn: ev.BytesIn, BytesOut: ev.BytesOut, Message: ev.Message,
		Kbps: ev.Kbps, Latency: ev.Latency, Strikes: ev.Strikes, SelfClosed: ev.SelfClosed}
	switch ev.Kind {
	case fakeclient.EventReceived, fakeclient.EventDropped, fakeclient.EventRendered, fakeclient.EventSent:
		t := ev.StreamTime.Seconds()
		h.Frames, h.StartTime = &history.Range{First: ev.First, Last: ev.Last}, &t
	case fakeclient.EventPlayRequest:
		off := ev.Offset
		h.Transition, h.Offset, h.OldStream, h.Playlist, h.Command = ev.Transition, &off, ev.OldStream, ev.Playlist, ev.Command
	}
	return h
}
