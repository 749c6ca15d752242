package fakeserver

import (
	"context"
	"fmt"

	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/status"
)

// command answers one command of a NetConnection (streamID 0) or a NetStream.
func (ss *session) command(ctx context.Context, streamID uint32, cmd *rtmpconn.Command) error {
	c := ss.conn
	switch cmd.Name {
	case "connect":
		return ss.onConnect(ctx, cmd)
	case "createStream":
		return ss.onCreateStream(ctx, cmd)
	case "getStreamLength":
		name, _ := cmd.Arg(1).(string)
		sec := 0.0
		if sp, ok := ss.srv.streams[name]; ok {
			sec = sp.Duration.Seconds()
		}
		return c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "_result", cmd.TransactionID, nil, sec)
	case "play":
		return ss.onPlay(ctx, streamID, cmd)
	case "play2":
		if !ss.srv.quirk(QuirkNoPlay2) {
			return ss.onPlay2(ctx, streamID, cmd)
		}
	case "seek":
		return ss.onSeek(ctx, streamID, cmd)
	case "publish":
		return ss.onPublish(ctx, streamID, cmd)
	case "FCSubscribe":
		// A live subscription announced before play (rtmpdump --live, Flash live players):
		// answered as Adobe's servers do, with onFCSubscribe carrying Play.Start.
		name, _ := cmd.Arg(1).(string)
		return c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "onFCSubscribe", 0, nil,
			info("status", status.PlayStart, "Subscribing to "+name+"."))
	case "FCUnsubscribe":
		name, _ := cmd.Arg(1).(string)
		return c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "onFCUnsubscribe", 0, nil,
			info("status", status.PlayStop, "Unsubscribing from "+name+"."))
	case "releaseStream", "FCPublish", "FCUnpublish":
		if cmd.Name == "FCUnpublish" {
			name, _ := cmd.Arg(1).(string)
			ss.onFCUnpublish(ctx, name)
		}
		if cmd.TransactionID > 0 {
			return c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "_result", cmd.TransactionID, nil, nil)
		}
		return nil
	case "_result", "_error":
		if cmd.TransactionID >= bwTxBase { // an answer to onBWCheck
			select {
			case ss.bwReplies <- cmd.TransactionID:
			default:
			}
		}
		return nil
	case "checkBandwidth":
		ss.onCheckBandwidth(ctx)
		return nil
	case "closeStream", "deleteStream":
		ss.onCloseStream(ctx, streamID, cmd)
		return nil
	}
	if cmd.TransactionID > 0 {
		return c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "_error", cmd.TransactionID, nil,
			info("error", status.CallFailed, "Method not found ("+cmd.Name+")."))
	}
	return nil
}

// onCreateStream opens a NetStream, up to MaxNetStreams per session.
func (ss *session) onCreateStream(ctx context.Context, cmd *rtmpconn.Command) error {
	ss.mu.Lock()
	if len(ss.streams) >= MaxNetStreams {
		ss.mu.Unlock()
		ss.srv.emit(Event{Kind: EventError, Session: ss.id, Reason: fmt.Sprintf("createStream refused: %d NetStreams open", MaxNetStreams)})
		return ss.conn.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "_error", cmd.TransactionID, nil,
			info("error", status.CallFailed, fmt.Sprintf("at most %d streams per connection", MaxNetStreams)))
	}
	ss.nextSID++
	id := ss.nextSID
	ss.streams[id] = &netStream{id: id}
	ss.mu.Unlock()
	return ss.conn.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "_result", cmd.TransactionID, nil, id)
}

// onCheckBandwidth starts a bandwidth check, one at a time per session.
func (ss *session) onCheckBandwidth(ctx context.Context) {
	if !ss.bwRunning.CompareAndSwap(false, true) {
		ss.srv.emit(Event{Kind: EventError, Session: ss.id, Reason: "checkBandwidth refused: a bandwidth check is already under way"})
		return
	}
	ss.players.Add(1)
	go func() {
		defer ss.players.Done()
		defer ss.bwRunning.Store(false)
		ss.bandwidthCheck(ctx)
	}()
}

// onCloseStream ends what a NetStream does (closeStream, on the stream itself) or the
// NetStream too (deleteStream, naming it).
func (ss *session) onCloseStream(ctx context.Context, streamID uint32, cmd *rtmpconn.Command) {
	if cmd.Name == "closeStream" {
		ss.stopPlayback(streamID)
		ss.unsubscribe(streamID)
		ss.unpublish(ctx, streamID, "closeStream", true)
		return
	}
	id := uint32(toFloat(cmd.Arg(1), 0))
	ss.stopPlayback(id)
	ss.unsubscribe(id)
	ss.unpublish(ctx, id, "deleteStream", false)
	ss.mu.Lock()
	delete(ss.streams, id)
	ss.mu.Unlock()
}
