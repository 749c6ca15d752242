package media

import "time"

// AAC is what the scripted publisher sends as audio by default, as real encoders do: AAC-LC,
// 44.1 kHz, mono, silent. Each raw frame is one single channel element with no spectral data
// (4 bytes) — decoded by ffmpeg without an error; it carries no identity (frames are known by
// their video).
const (
	// AACRate is the sample rate.
	AACRate = 44100
	// AACFrameSamples is the samples in one AAC frame.
	AACFrameSamples = 1024
)

// AACSequenceHeader is the FLV audio tag body announcing the AAC configuration
// (AudioSpecificConfig: AAC-LC, 44.1 kHz, one channel); send it before the first frame.
func AACSequenceHeader() []byte { return []byte{0xAF, 0x00, 0x12, 0x08} }

// AACSilentFrame is the FLV audio tag body of one silent AAC frame.
func AACSilentFrame() []byte { return []byte{0xAF, 0x01, 0x00, 0x00, 0x00, 0x07} }

// AACFrameTime is the stream time of AAC frame j.
func AACFrameTime(j int) time.Duration {
	return time.Duration(int64(j) * AACFrameSamples * int64(time.Second) / AACRate)
}
