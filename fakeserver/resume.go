package fakeserver

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/status"
)

// resume serves play2 resume: the stream is (or becomes) the playlist's last item, and
// playback starts at the keyframe at or before offset, in whichever item holds it.
func (ss *session) resume(ctx context.Context, sid uint32, req playRequest, start, length, off time.Duration) error {
	ns, spec, ok, err := ss.lookup(ctx, sid, req)
	if !ok {
		return err
	}
	ss.stopPlayback(sid)
	ns.mu.Lock()
	if n := len(ns.items); n == 0 || ns.items[n-1].spec.Name != spec.Name {
		ns.items = append(ns.items, newItem(spec, start, length))
	}
	ns.pending = nil
	k, frame, err := ns.items.locate(off)
	ns.mu.Unlock()
	if err != nil {
		return ss.playFailed(ctx, sid, req, status.PlayFailed, err.Error())
	}
	return ss.startPlayback(ctx, ns, k, frame, req)
}

// onSeek serves seek(ms): the NetStream's playback goes on from the keyframe at or before
// that stream time, in whichever playlist item holds it, after NetStream.Seek.Notify (logged
// as a play with x-command seek and x-soffset the time asked for).
func (ss *session) onSeek(ctx context.Context, sid uint32, cmd *rtmpconn.Command) error {
	ms := math.Max(toFloat(cmd.Arg(1), 0), 0)
	ns := ss.stream(sid)
	req := playRequest{command: "seek", mode: "seek", soffset: ms / 1000}
	if ns == nil {
		return ss.playFailed(ctx, sid, req, status.SeekFailed, "no NetStream to seek")
	}
	ss.stopPlayback(sid)
	ns.mu.Lock()
	k, frame, err := ns.items.locate(time.Duration(ms * float64(time.Millisecond)))
	if err == nil {
		req.name = ns.items[k].spec.Name
	}
	ns.mu.Unlock()
	if err != nil {
		return ss.playFailed(ctx, sid, req, status.SeekFailed, err.Error())
	}
	if err := ss.conn.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil,
		info("status", status.SeekNotify, fmt.Sprintf("Seeking %.0f (stream ID: %d).", ms, sid))); err != nil {
		return err
	}
	return ss.startPlayback(ctx, ns, k, frame, req)
}
