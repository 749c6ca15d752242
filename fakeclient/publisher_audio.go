package fakeclient

import (
	"bytes"
	"context"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// audio is the synthetic source's audio track, interleaved with its video by timestamp.
type audio struct {
	kind string
	spec media.Spec
	next int  // the next AAC frame
	set  bool // next is placed at the source's first video frame
}

// newAudio prepares the audio of kind for the video spec and announces it in meta.
func newAudio(kind string, spec media.Spec, meta map[string]any) *audio {
	switch kind {
	case AudioAAC:
		meta["audiocodecid"], meta["audiosamplerate"], meta["stereo"] = 10, media.AACRate, false
	case AudioPCM:
		meta["audiocodecid"], meta["stereo"] = 3, false
	}
	return &audio{kind: kind, spec: spec}
}

// header sends the AAC sequence header (nothing for other kinds).
func (a *audio) header(ctx context.Context, c *rtmpconn.Conn, sid, ts uint32) error {
	if a.kind != AudioAAC {
		return nil
	}
	return c.Write(ctx, rtmpconn.CSIDAudio, ts, sid, &message.AudioMessage{Payload: bytes.NewReader(media.AACSequenceHeader())})
}

// upTo sends the audio due before video frame i: the AAC frames up to its time, or the PCM
// block of frame i.
func (a *audio) upTo(ctx context.Context, c *rtmpconn.Conn, sid uint32, i int, ts func(int) uint32) error {
	switch a.kind {
	case AudioPCM:
		return c.Write(ctx, rtmpconn.CSIDAudio, ts(i), sid, &message.AudioMessage{Payload: bytes.NewReader(a.spec.AudioTag(i))})
	case AudioAAC:
		at := a.spec.FrameTime(i)
		if !a.set {
			a.next, a.set = int(at*media.AACRate/media.AACFrameSamples/time.Second), true
		}
		base := ts(i) - uint32(at.Milliseconds()) // the source's timestamp offset
		for ; media.AACFrameTime(a.next) <= at; a.next++ {
			t := base + uint32(media.AACFrameTime(a.next).Milliseconds())
			if err := c.Write(ctx, rtmpconn.CSIDAudio, t, sid, &message.AudioMessage{Payload: bytes.NewReader(media.AACSilentFrame())}); err != nil {
				return err
			}
		}
	}
	return nil
}
