package media

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/streamfault/streamfault/internal/amf0"
)

// FLV tag types (the same numbers as the RTMP message types that carry them).
const (
	TagAudio  = 8
	TagVideo  = 9
	TagScript = 18
)

// WriteFLV writes a finite stream as an FLV file — onMetaData with a keyframe index
// (keyframes.times and keyframes.filepositions, which file servers need to seek), the AVC
// sequence header, then every frame's audio and video tag at its timestamp — so that a server
// which plays files (nginx-rtmp's `play DIR`) serves the very frames the reference server
// does, identities included.
func (s Spec) WriteFLV(w io.Writer) error {
	n := s.Frames()
	if n <= 0 {
		return fmt.Errorf("media: %s: an endless stream has no file", s.Name)
	}
	hdr := []byte{'F', 'L', 'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0}
	// Every number is 9 bytes of AMF, so the metadata's size does not depend on the
	// positions it holds: build it once with zeros to learn where the media starts.
	var keys []int
	for i := 0; i < n; i++ {
		if s.IsKey(i) {
			keys = append(keys, i)
		}
	}
	pos := make([]float64, len(keys))
	meta := s.flvMetadata(keys, pos)
	at := int64(len(hdr)) + tagSize(len(meta)) + tagSize(len(AVCSequenceHeader()))
	k := 0
	for i := 0; i < n && k < len(keys); i++ {
		if i == keys[k] {
			pos[k] = float64(at) // the frame's audio tag, then its keyframe
			k++
		}
		at += tagSize(len(s.AudioTag(i))) + tagSize(len(s.VideoTag(i)))
	}
	meta = s.flvMetadata(keys, pos)
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	if err := writeTag(w, TagScript, 0, meta); err != nil {
		return err
	}
	if err := writeTag(w, TagVideo, 0, AVCSequenceHeader()); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		ts := s.TimestampMs(i)
		if err := writeTag(w, TagAudio, ts, s.AudioTag(i)); err != nil {
			return err
		}
		if err := writeTag(w, TagVideo, ts, s.VideoTag(i)); err != nil {
			return err
		}
	}
	return nil
}

// flvMetadata is the onMetaData script tag's body: the stream's figures and the keyframe
// index (frames keys at file positions pos).
func (s Spec) flvMetadata(keys []int, pos []float64) []byte {
	times := make([]any, len(keys))
	for k, i := range keys {
		times[k] = s.FrameTime(i).Seconds()
	}
	positions := make([]any, len(pos))
	for k, p := range pos {
		positions[k] = p
	}
	b, err := amf0.Encode("onMetaData", amf0.ECMAArray{
		{Key: "duration", Value: s.FrameTime(s.Frames() - 1).Seconds()},
		{Key: "width", Value: 16}, {Key: "height", Value: 16},
		{Key: "framerate", Value: s.FPS},
		{Key: "videocodecid", Value: 7}, {Key: "audiocodecid", Value: 3},
		{Key: "keyframes", Value: map[string]any{"times": times, "filepositions": positions}},
	})
	if err != nil {
		panic(err) // numbers and short keys always encode
	}
	return b
}

// tagSize is the bytes an FLV tag of a body takes, its trailing size included.
func tagSize(body int) int64 { return int64(11 + body + 4) }

// writeTag writes one FLV tag and the size of it that follows every tag.
func writeTag(w io.Writer, typ byte, ts uint32, data []byte) error {
	var h [11]byte
	h[0] = typ
	h[1], h[2], h[3] = byte(len(data)>>16), byte(len(data)>>8), byte(len(data))
	h[4], h[5], h[6], h[7] = byte(ts>>16), byte(ts>>8), byte(ts), byte(ts>>24)
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], uint32(11+len(data)))
	for _, p := range [][]byte{h[:], data, tail[:]} {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// Tag is one tag of an FLV file.
type Tag struct {
	// Type is 8 (audio), 9 (video) or 18 (script data).
	Type byte
	// Timestamp is the tag's time in milliseconds.
	Timestamp uint32
	// Body is the tag's data.
	Body []byte
}

// MaxTagSize bounds one tag read by ReadFLV.
const MaxTagSize = 16 << 20

// ReadFLV reads every tag of an FLV file (header, then tags each followed by its size). A
// file cut inside a tag returns the tags before it and an error.
func ReadFLV(r io.Reader) ([]Tag, error) {
	var hdr [9]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("media: FLV header: %w", err)
	}
	if string(hdr[:3]) != "FLV" {
		return nil, fmt.Errorf("media: not an FLV file")
	}
	skip := int64(binary.BigEndian.Uint32(hdr[5:9])) - 9 + 4 // rest of the header, first tag size
	if skip < 4 || skip > 1<<10 {
		return nil, fmt.Errorf("media: FLV header size %d", skip+5)
	}
	if _, err := io.CopyN(io.Discard, r, skip); err != nil {
		return nil, fmt.Errorf("media: FLV header: %w", err)
	}
	var tags []Tag
	for {
		var h [11]byte
		if _, err := io.ReadFull(r, h[:]); err == io.EOF {
			return tags, nil
		} else if err != nil {
			return tags, fmt.Errorf("media: tag %d: %w", len(tags), err)
		}
		n := int(h[1])<<16 | int(h[2])<<8 | int(h[3])
		if n > MaxTagSize {
			return tags, fmt.Errorf("media: tag %d of %d bytes", len(tags), n)
		}
		t := Tag{Type: h[0] & 0x1f, Timestamp: uint32(h[4])<<16 | uint32(h[5])<<8 | uint32(h[6]) | uint32(h[7])<<24,
			Body: make([]byte, n)}
		if _, err := io.ReadFull(r, t.Body); err != nil {
			return tags, fmt.Errorf("media: tag %d: %w", len(tags), err)
		}
		var size [4]byte
		if _, err := io.ReadFull(r, size[:]); err != nil {
			return append(tags, t), fmt.Errorf("media: tag %d has no size after it: %w", len(tags), err)
		}
		tags = append(tags, t)
	}
}
