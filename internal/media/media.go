// Package media generates deterministic synthetic audio/video for a named stream. Every frame
// carries its stream name and index (video in an H.264 SEI NAL unit, audio at the head of its
// PCM samples), so continuity can be checked frame-exactly on the receiving side.
package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultFPS is the frame rate of a stream that names none: the synthetic streams', the
// scripted publishers' and the one assumed for real media whose rate is not known.
const DefaultFPS = 25

// DefaultFrame is the time one frame is shown at DefaultFPS.
const DefaultFrame = time.Second / DefaultFPS

// Spec describes one synthetic stream.
type Spec struct {
	// Name identifies the stream; it is written into every frame.
	Name string
	// Duration is the stream length; zero or less means endless (live).
	Duration time.Duration
	// FPS is the video frame rate; audio follows the same cadence.
	FPS int
	// KeyframeInterval is the time between IDR frames.
	KeyframeInterval time.Duration
}

// Validate reports a spec that cannot produce frames.
func (s Spec) Validate() error {
	switch {
	case s.Name == "":
		return fmt.Errorf("media: stream name is empty")
	case strings.ContainsAny(s.Name, ":\x00"):
		return fmt.Errorf("media: stream name %q must not contain ':' or NUL", s.Name)
	case s.FPS <= 0 || s.FPS > 1000:
		return fmt.Errorf("media: stream %q: fps %d out of range 1..1000", s.Name, s.FPS)
	case s.KeyframeInterval < 0:
		return fmt.Errorf("media: stream %q: negative keyframe interval", s.Name)
	}
	return nil
}

// Frames is the number of video frames in the stream (-1 when endless).
func (s Spec) Frames() int {
	if s.Duration <= 0 {
		return -1
	}
	return int(s.Duration * time.Duration(s.FPS) / time.Second)
}

// GOP is the number of frames from one keyframe to the next (at least 1).
func (s Spec) GOP() int {
	g := int(s.KeyframeInterval * time.Duration(s.FPS) / time.Second)
	if g < 1 {
		return 1
	}
	return g
}

// IsKey tells whether frame i is a keyframe.
func (s Spec) IsKey(i int) bool { return i%s.GOP() == 0 }

// TimestampMs is the RTMP timestamp (stream time, ms) of frame i.
func (s Spec) TimestampMs(i int) uint32 { return uint32(int64(i) * 1000 / int64(s.FPS)) }

// FrameTime is the stream time of frame i.
func (s Spec) FrameTime(i int) time.Duration {
	return time.Duration(i) * time.Second / time.Duration(s.FPS)
}

// FrameDuration is the time one frame is shown.
func (s Spec) FrameDuration() time.Duration { return time.Second / time.Duration(s.FPS) }

// IndexAtOrBefore is the last frame whose stream time is at or before t (0 for t < 0),
// clamped to the last frame of a finite stream.
func (s Spec) IndexAtOrBefore(t time.Duration) int {
	if t <= 0 {
		return 0
	}
	i := int(t * time.Duration(s.FPS) / time.Second)
	for i > 0 && s.FrameTime(i) > t {
		i--
	}
	if n := s.Frames(); n > 0 && i >= n {
		i = n - 1
	}
	return i
}

// KeyframeAtOrBefore is the keyframe a server starts from to serve stream time t.
func (s Spec) KeyframeAtOrBefore(t time.Duration) int {
	i := s.IndexAtOrBefore(t)
	return i - i%s.GOP()
}

// tag is the identity text embedded in a frame.
func (s Spec) tag(i int) []byte { return []byte("sf:" + s.Name + ":" + strconv.Itoa(i)) }

// AVCSequenceHeader is the FLV video tag body announcing the H.264 configuration
// (AVCDecoderConfigurationRecord); send it before the first frame.
func AVCSequenceHeader() []byte {
	sps, pps := spsNAL(), ppsNAL()
	b := []byte{0x17, 0x00, 0, 0, 0, // keyframe+AVC, sequence header, cts 0
		1, profileBaseline, constraintFlags, levelIdc, 0xFF, 0xE1}
	b = binary.BigEndian.AppendUint16(b, uint16(len(sps)))
	b = append(b, sps...)
	b = append(b, 1)
	b = binary.BigEndian.AppendUint16(b, uint16(len(pps)))
	return append(b, pps...)
}

// VideoTag is the FLV video tag body (AVC NALU packet) of frame i.
func (s Spec) VideoTag(i int) []byte {
	var pic []byte
	head := byte(0x27) // inter frame, AVC
	if s.IsKey(i) {
		head = 0x17
		pic = idrNAL(uint(i/s.GOP()), byte(16+(i/s.GOP()*37)%220))
	} else {
		pic = pNAL(uint(i%s.GOP()) % (1 << log2MaxFrameNum))
	}
	sei := seiNAL(s.tag(i))
	b := make([]byte, 0, 5+8+len(sei)+len(pic))
	b = append(b, head, 0x01, 0, 0, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(len(sei)))
	b = append(b, sei...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(pic)))
	return append(b, pic...)
}

// audioRate is the PCM sample rate announced by the audio flag byte (FLV rate index 0).
const audioRate = 5512

// audioFlags: FLV sound format 3 (linear PCM, little endian), 5.5 kHz, 8-bit, mono.
const audioFlags = 0x30

// AudioTag is the FLV audio tag body of the audio that accompanies frame i: unsigned 8-bit
// PCM silence whose first samples spell the frame's identity.
func (s Spec) AudioTag(i int) []byte {
	n := audioRate / s.FPS
	t := s.tag(i)
	if n < len(t) {
		n = len(t)
	}
	b := make([]byte, 1+n)
	b[0] = audioFlags
	copy(b[1:], t)
	for j := 1 + len(t); j < len(b); j++ {
		b[j] = 0x80
	}
	return b
}

// Identity is what a received frame says about itself.
type Identity struct {
	// Stream is the name of the stream the frame belongs to.
	Stream string
	// Index is the frame's position in its stream, from 0.
	Index int
	// Key tells whether the frame is a keyframe.
	Key bool
}

// CodedVideo tells whether an FLV video tag body is a coded frame of any codec (not an AVC
// sequence header or end of sequence, not a video info/command frame): a frame a player
// shows, whether or not it carries streamfault's identity.
func CodedVideo(tag []byte) bool {
	if len(tag) < 2 || tag[0]>>4 == 5 {
		return false
	}
	if tag[0]&0x0f == 7 && tag[1] != 1 {
		return false
	}
	return true
}

// RealIdentity is the identity of a coded frame that carries none of its own (real media:
// what ffmpeg or a camera sends): the stream it was played as, and its position by timestamp
// at the stream's frame duration.
func RealIdentity(stream string, ts, frame time.Duration) Identity {
	if frame <= 0 {
		frame = DefaultFrame
	}
	return Identity{Stream: stream, Index: int((ts + frame/2) / frame)}
}

// ParseVideo reads the identity of an FLV AVC video tag body. ok is false for sequence
// headers and for frames that carry no streamfault SEI.
func ParseVideo(tag []byte) (id Identity, ok bool) {
	if len(tag) < 5 || tag[0]&0x0f != 7 || tag[1] != 1 {
		return id, false
	}
	id.Key = tag[0]>>4 == 1
	p := tag[5:]
	for len(p) >= 4 {
		n := int(binary.BigEndian.Uint32(p))
		p = p[4:]
		if n > len(p) {
			return id, false
		}
		if payload, found := parseSEI(p[:n]); found {
			return parseTag(payload, id)
		}
		p = p[n:]
	}
	return id, false
}

// ParseAudio reads the identity of an audio tag body produced by AudioTag.
func ParseAudio(tag []byte) (id Identity, ok bool) {
	if len(tag) < 2 || tag[0] != audioFlags {
		return id, false
	}
	p := tag[1:]
	if end := bytes.IndexByte(p, 0x80); end >= 0 {
		p = p[:end]
	}
	return parseTag(p, id)
}

func parseTag(p []byte, id Identity) (Identity, bool) {
	// Cut in place: a player parses every frame, and splitting a string of it allocated three
	// times a frame. Only the stream's name becomes a string of its own.
	tag, rest, ok := bytes.Cut(p, []byte(":"))
	if !ok || string(tag) != "sf" {
		return id, false
	}
	stream, index, ok := bytes.Cut(rest, []byte(":"))
	if !ok || bytes.IndexByte(index, ':') >= 0 {
		return id, false
	}
	idx, err := strconv.Atoi(string(index))
	if err != nil || idx < 0 {
		return id, false
	}
	id.Stream, id.Index = string(stream), idx
	return id, true
}

// Pad grows an AVC video tag body to at least size bytes with a filler-data NAL unit (type
// 12), which decoders skip; the frame's identity is unchanged. Tags already that large are
// returned as they are.
func Pad(tag []byte, size int) []byte {
	n := size - len(tag) - 4 // the filler NAL's length prefix
	if n < 2 {
		return tag
	}
	out := make([]byte, 0, size)
	out = append(out, tag...)
	out = binary.BigEndian.AppendUint32(out, uint32(n))
	out = append(out, 0x0c) // nal_unit_type 12, filler data
	for i := 0; i < n-2; i++ {
		out = append(out, 0xff)
	}
	return append(out, 0x80) // rbsp trailing bits
}
