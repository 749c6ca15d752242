package fakeclient

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/spec"
)

// PublisherOptions are a live publisher's options as a scenario declares them (role:
// publisher): a live source with WCS-style Streaming Auto Restore.
type PublisherOptions struct {
	// Stream is the live name the publisher publishes.
	Stream string `yaml:"stream" json:"stream,omitempty"`
	// Duration is how long it publishes (default 10s).
	Duration spec.Duration `yaml:"duration" json:"duration,omitempty"`
	// Bitrate is the video bitrate in kbit/s (default 400).
	Bitrate int `yaml:"bitrate" json:"bitrate,omitempty"`
	// FPS is the frame rate (default 25).
	FPS int `yaml:"fps" json:"fps,omitempty"`
	// Codecs is the codec fallback list for bitrateCheck.codecChange (default [h264]).
	Codecs []string `yaml:"codecs" json:"codecs,omitempty"`
	// BitrateCheck is the zero-bitrate detection (WCS).
	BitrateCheck *BitrateCheck `yaml:"bitrateCheck" json:"bitrateCheck,omitempty"`
	// Restore is the restore timer (WCS Streaming Auto Restore).
	Restore *Restore `yaml:"restore" json:"restore,omitempty"`
	// Pings is the missing-ping detection (WCS receiveProbes/probesInterval).
	Pings *Pings `yaml:"pings" json:"pings,omitempty"`
	// File is the source: an FLV file of real media (e.g. made by ffmpeg), sent looped and
	// paced by its timestamps instead of the synthetic source; a path relative to the scenario
	// file. Frames are then known by their timestamps.
	File string `yaml:"file" json:"file,omitempty"`
	// SendBuffer is the socket send buffer in bytes (default 8192).
	SendBuffer int `yaml:"sendBuffer" json:"sendBuffer,omitempty"`
	// Audio is the synthetic source's audio: aac (default: silent AAC-LC, as real encoders
	// send), pcm (8-bit PCM whose samples spell each frame's identity) or none.
	Audio string `yaml:"audio" json:"audio,omitempty"`
	// Mutant selects a deliberately broken publisher behaviour (negative controls).
	Mutant string `yaml:"mutant" json:"mutant,omitempty"`
	// ConnectTimeout bounds dial, handshake, connect and createStream (default 5s).
	ConnectTimeout spec.Duration `yaml:"connectTimeout" json:"connectTimeout,omitempty"`
	// ChunkSize is the chunk size announced after the handshake and written with (omitted:
	// RTMP's 128 bytes; encoders such as OBS and ffmpeg use 4096).
	ChunkSize int `yaml:"chunkSize" json:"chunkSize,omitempty"`
	// PlainRTMP connects with plain RTMP to a server that speaks RTMPS and RTMP side by side
	// (server.tls.plainToo), as an older client would.
	PlainRTMP bool `yaml:"plainRTMP" json:"plainRTMP,omitempty"`
}

// Kinds of a publisher's synthetic audio (PublisherOptions.Audio).
const (
	AudioAAC  = "aac"
	AudioPCM  = "pcm"
	AudioNone = "none"
)

// Audios lists the kinds of synthetic audio.
var Audios = []string{AudioAAC, AudioPCM, AudioNone}

// ViewerOptions are a live viewer's options as a scenario declares them (role: viewer): a
// player of a live name (play −1) that restores its session when lost.
type ViewerOptions struct {
	// Stream is the live name the viewer plays.
	Stream string `yaml:"stream" json:"stream,omitempty"`
	// Duration is how long it watches (default 10s).
	Duration spec.Duration `yaml:"duration" json:"duration,omitempty"`
	// Restore is the restore timer (WCS Streaming Auto Restore).
	Restore *Restore `yaml:"restore" json:"restore,omitempty"`
	// ConnectTimeout bounds dial, handshake, connect and createStream (default 5s).
	ConnectTimeout spec.Duration `yaml:"connectTimeout" json:"connectTimeout,omitempty"`
	// ChunkSize is the chunk size announced after the handshake and written with (omitted:
	// RTMP's 128 bytes; encoders such as OBS and ffmpeg use 4096).
	ChunkSize int `yaml:"chunkSize" json:"chunkSize,omitempty"`
	// PlainRTMP connects with plain RTMP to a server that speaks RTMPS and RTMP side by side
	// (server.tls.plainToo), as an older client would.
	PlainRTMP bool `yaml:"plainRTMP" json:"plainRTMP,omitempty"`
}

// Default fills every option left out with its default.
func (o *PublisherOptions) Default() {
	if o.Duration == 0 {
		o.Duration = spec.Duration(DefaultLiveDuration)
	}
	if r := o.Restore; r != nil {
		r.Default()
	}
	if o.Bitrate == 0 {
		o.Bitrate = defaultPublisherBitrate
	}
	if o.Audio == "" {
		o.Audio = AudioAAC
	}
	if o.FPS == 0 {
		o.FPS = media.DefaultFPS
	}
	if len(o.Codecs) == 0 {
		o.Codecs = []string{DefaultCodec}
	}
	if b := o.BitrateCheck; b != nil {
		b.Default()
	}
	if p := o.Pings; p != nil {
		p.Default()
	}
}

// Validate reports what is wrong with the defaulted options into p (the client's own path).
func (o *PublisherOptions) Validate(p spec.Problems) {
	validateLive(p, "publisher", o.Stream, o.Duration, o.ConnectTimeout)
	validateChunkSize(p, o.ChunkSize)
	if r := o.Restore; r != nil {
		r.Validate(p.At("restore"), true)
	}
	if o.File != "" && (o.Mutant != "" || (o.BitrateCheck != nil && o.BitrateCheck.CodecChange)) {
		p.Add("file", "a file source sends its own codec and timestamps: no mutant, no codecChange")
	}
	if o.Bitrate < 1 || o.Bitrate > maxBitrateKbps {
		p.Add("bitrate", "%d kbit/s is outside 1..%d", o.Bitrate, maxBitrateKbps)
	}
	if o.FPS < 1 || o.FPS > maxFPS {
		p.Add("fps", "%d is outside 1..%d", o.FPS, maxFPS)
	}
	if len(o.Codecs) > maxCodecs {
		p.Add("codecs", "%d codecs exceed the limit of %d", len(o.Codecs), maxCodecs)
	}
	if b := o.BitrateCheck; b != nil {
		b.Validate(p.At("bitrateCheck"))
		if b.CodecChange && len(o.Codecs) < 2 {
			p.Add("codecs", "codecChange needs at least two codecs to fall back through")
		}
	}
	if pi := o.Pings; pi != nil {
		pi.Validate(p.At("pings"))
	}
	if o.SendBuffer < 0 {
		p.Add("sendBuffer", "must not be negative")
	}
	if !slices.Contains(Audios, o.Audio) {
		p.Add("audio", "%q is not a kind of audio (known: %s)", o.Audio, strings.Join(Audios, ", "))
	}
	if o.Mutant != "" && !slices.Contains(PublisherMutants, o.Mutant) {
		p.Add("mutant", "%q is not a known publisher mutant (known: %s)", o.Mutant, strings.Join(PublisherMutants, ", "))
	}
}

// RestorePolicy is the restore timer (nil: none).
func (o *PublisherOptions) RestorePolicy() *Restore { return o.Restore }

// BitrateChecks is the zero-bitrate detection (nil: none).
func (o *PublisherOptions) BitrateChecks() *BitrateCheck { return o.BitrateCheck }

// LiveStream is the live name.
func (o *PublisherOptions) LiveStream() string { return o.Stream }

// New builds the publisher the (defaulted, valid) options declare; a relative file is found
// in env.Dir.
func (o *PublisherOptions) New(env Env) (*Publisher, error) {
	file := o.File
	if file != "" && !filepath.IsAbs(file) {
		file = filepath.Join(env.Dir, file)
	}
	return NewPublisher(PublisherConfig{ID: env.Name, Addr: env.Addr, App: env.App, Stream: o.Stream, File: file, FPS: o.FPS, Bitrate: o.Bitrate * 1000,
		Codecs: o.Codecs, Audio: o.Audio, BitrateCheck: o.BitrateCheck, Restore: o.Restore, Pings: o.Pings, Duration: o.Duration.D(), SendBuffer: o.SendBuffer,
		Mutant: o.Mutant, Clock: env.Clock, OnEvent: env.OnEvent, Conn: rtmpconn.Options{HandshakeTimeout: o.ConnectTimeout.D(), ChunkSize: uint32(o.ChunkSize), TLS: env.tlsFor(o.PlainRTMP)}})
}

// Default fills every option left out with its default.
func (o *ViewerOptions) Default() {
	if o.Duration == 0 {
		o.Duration = spec.Duration(DefaultLiveDuration)
	}
	if r := o.Restore; r != nil {
		r.Default()
	}
}

// Validate reports what is wrong with the defaulted options into p (the client's own path).
func (o *ViewerOptions) Validate(p spec.Problems) {
	validateLive(p, "viewer", o.Stream, o.Duration, o.ConnectTimeout)
	validateChunkSize(p, o.ChunkSize)
	if r := o.Restore; r != nil {
		r.Validate(p.At("restore"), false)
	}
}

// RestorePolicy is the restore timer (nil: none).
func (o *ViewerOptions) RestorePolicy() *Restore { return o.Restore }

// LiveStream is the live name.
func (o *ViewerOptions) LiveStream() string { return o.Stream }

// New builds the viewer the (defaulted, valid) options declare.
func (o *ViewerOptions) New(env Env) (*Viewer, error) {
	return NewViewer(ViewerConfig{ID: env.Name, Addr: env.Addr, App: env.App, Stream: o.Stream, Restore: o.Restore, Duration: o.Duration.D(),
		Clock: env.Clock, OnEvent: env.OnEvent, Conn: rtmpconn.Options{HandshakeTimeout: o.ConnectTimeout.D(), ChunkSize: uint32(o.ChunkSize), TLS: env.tlsFor(o.PlainRTMP)}})
}

// validateLive checks what publishers and viewers share.
func validateLive(p spec.Problems, role, stream string, d, connect spec.Duration) {
	if stream == "" {
		p.Add("stream", "is required: the live name the %s uses", role)
	} else if err := spec.StreamKey(stream); err != nil {
		p.Add("stream", "%v", err)
	}
	if d <= 0 {
		p.Add("duration", "must be positive")
	}
	p.NonNegative("connectTimeout", connect)
}

// maxChunkSize bounds a client's chunk size (RTMP allows 2^31-1; a message is at most 16 MiB).
const maxChunkSize = 1<<24 - 1

// validateChunkSize checks a chunk size option (0: not set).
func validateChunkSize(p spec.Problems, n int) {
	if n < 0 || n > maxChunkSize {
		p.Add("chunkSize", "%d is outside 1..%d", n, maxChunkSize)
	}
}
