package role

import (
	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
)

// ClientEvent adapts a scripted client's event into the history.
func ClientEvent(client string, ev fakeclient.Event) history.Event {
	h := history.Event{Source: client, Kind: clientKind(ev.Kind), Code: ev.Code, Conn: ev.Conn, Stream: ev.Stream,
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

// clientKind is the history's kind of a scripted client's event: the constant for the kinds
// recorded many times a second (a new string a frame was 1 % of a 2,000-player run's CPU).
func clientKind(kind string) string {
	switch kind {
	case fakeclient.EventReceived:
		return history.KindClientReceived
	case fakeclient.EventRendered:
		return history.KindClientRendered
	case fakeclient.EventSample:
		return history.KindClientBuffer
	}
	return history.ClientPrefix + kind
}
