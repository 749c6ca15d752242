package role

import (
	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
)

// ClientEvent adapts a scripted client's event into the history event h (zero when given),
// which it fills field by field: a player records every frame through it, and events built and copied by value took
// its goroutine's stack past 8 KB (see history.Recorder.Put).
func ClientEvent(h *history.Event, client string, ev *fakeclient.Event) {
	h.Source, h.Kind, h.Code, h.Conn, h.Stream = client, clientKind(ev.Kind), ev.Code, ev.Conn, ev.Stream
	h.BufferLength, h.Playhead, h.BytesIn, h.BytesOut, h.Message = ev.BufferLength, ev.Playhead, ev.BytesIn, ev.BytesOut, ev.Message
	h.Kbps, h.Latency, h.Strikes, h.SelfClosed = ev.Kbps, ev.Latency, ev.Strikes, ev.SelfClosed
	switch ev.Kind {
	case fakeclient.EventReceived, fakeclient.EventDropped, fakeclient.EventRendered, fakeclient.EventSent:
		t := ev.StreamTime.Seconds()
		h.Frames, h.StartTime = &history.Range{First: ev.First, Last: ev.Last}, &t
	case fakeclient.EventPlayRequest:
		off := ev.Offset
		h.Transition, h.Offset, h.OldStream, h.Playlist, h.Command = ev.Transition, &off, ev.OldStream, ev.Playlist, ev.Command
	}
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
