package fakeclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/amf0"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// maxSourceFile bounds the FLV file a publisher loads to send.
const maxSourceFile = 64 << 20

// fileSource is a real media file (an FLV made by ffmpeg, a camera's recording) that a
// publisher sends looped, paced by its timestamps, instead of the synthetic source.
type fileSource struct {
	headers []media.Tag // script data and sequence headers: sent first on every session
	frames  []media.Tag // audio and video, in file order
	length  time.Duration
	frame   time.Duration // the video frame duration (for frame identities)
}

// loadFileSource reads and checks an FLV file.
func loadFileSource(path string) (*fileSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("publisher: source file: %w", err)
	}
	defer f.Close()
	tags, err := media.ReadFLV(io.LimitReader(f, maxSourceFile))
	if err != nil {
		return nil, fmt.Errorf("publisher: source file %s: %w", path, err)
	}
	src := &fileSource{frame: media.DefaultFrame}
	var videoTs []uint32
	for _, t := range tags {
		switch {
		case t.Type == media.TagScript, t.Type == media.TagVideo && !media.CodedVideo(t.Body), t.Type == media.TagAudio && aacHeader(t.Body):
			if len(src.frames) == 0 {
				src.headers = append(src.headers, t)
			}
		case t.Type == media.TagAudio || t.Type == media.TagVideo:
			src.frames = append(src.frames, t)
			if t.Type == media.TagVideo {
				videoTs = append(videoTs, t.Timestamp)
			}
		}
	}
	if len(videoTs) < 2 || videoTs[len(videoTs)-1] <= videoTs[0] {
		return nil, fmt.Errorf("publisher: source file %s: fewer than two video frames, or timestamps that do not advance", path)
	}
	src.frame = time.Duration(videoTs[len(videoTs)-1]-videoTs[0]) * time.Millisecond / time.Duration(len(videoTs)-1)
	src.length = time.Duration(src.frames[len(src.frames)-1].Timestamp)*time.Millisecond + src.frame
	return src, nil
}

// send publishes the file looped from where the live source is now (what went by while no
// session was up is lost), paced by the clock, until a write fails or ctx ends; sent reports
// the video frames that left.
func (s *fileSource) send(ctx context.Context, clk clock.Clock, c *rtmpconn.Conn, streamID uint32, stream string, t0 time.Time, sent func(first, last int, at time.Duration)) error {
	elapsed := clk.Now().Sub(t0)
	loop := elapsed / s.length
	i := 0
	for i < len(s.frames) && time.Duration(s.frames[i].Timestamp)*time.Millisecond < elapsed-loop*s.length {
		i++
	}
	at := func(k time.Duration, t media.Tag) time.Duration {
		return k*s.length + time.Duration(t.Timestamp)*time.Millisecond
	}
	for _, h := range s.headers {
		if err := write(ctx, c, streamID, h, uint32(at(loop, media.Tag{}).Milliseconds())); err != nil {
			return err
		}
	}
	first, last := -1, -1
	var firstAt time.Duration
	for {
		if i == len(s.frames) {
			i, loop = 0, loop+1
		}
		t := s.frames[i]
		when := at(loop, t)
		if err := clock.Sleep(ctx, clk, t0.Add(when).Sub(clk.Now())); err != nil {
			return err
		}
		if err := write(ctx, c, streamID, t, uint32(when.Milliseconds())); err != nil {
			return err
		}
		if t.Type == media.TagVideo {
			idx := media.RealIdentity(stream, when, s.frame).Index
			if first < 0 {
				first, firstAt = idx, when
			}
			last = idx
			if (last-first+1)%25 == 0 {
				sent(first, last, firstAt)
				first = -1
			}
		}
		i++
	}
}

// aacHeader tells whether an FLV audio tag body is an AAC sequence header (sound format 10,
// AAC packet type 0).
func aacHeader(body []byte) bool { return len(body) > 1 && body[0]>>4 == 10 && body[1] == 0 }

// write sends one tag at timestamp ts.
func write(ctx context.Context, c *rtmpconn.Conn, streamID uint32, t media.Tag, ts uint32) error {
	switch t.Type {
	case media.TagAudio:
		return c.Write(ctx, rtmpconn.CSIDAudio, ts, streamID, &message.AudioMessage{Payload: bytes.NewReader(t.Body)})
	case media.TagVideo:
		return c.Write(ctx, rtmpconn.CSIDVideo, ts, streamID, &message.VideoMessage{Payload: bytes.NewReader(t.Body)})
	case media.TagScript: // the file's onMetaData, as a publisher sets it: @setDataFrame first
		name, err := amf0.Encode("@setDataFrame")
		if err != nil {
			return fmt.Errorf("publisher: %w", err)
		}
		return c.WriteRaw(ctx, rtmpconn.CSIDData, ts, streamID, media.TagScript, append(name, t.Body...))
	}
	return errors.New("publisher: unknown tag type")
}
