package fakeclient

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/spec"
)

// Roles of a scripted client.
const (
	RolePlayer    = "player"
	RolePublisher = "publisher"
	RoleViewer    = "viewer"
)

// RoleProcess is the role of an external client: a program the harness runs (harness/procactor),
// not a scripted client; it shares the scenario language's client entry.
const RoleProcess = "process"

// Roles lists the scripted client roles.
var Roles = []string{RolePlayer, RolePublisher, RoleViewer}

// Defaults of the scripted clients' options, applied by their Default methods (the scenario
// loader resolves them once; the constructors fill the same ones for direct API users).
const (
	DefaultBufferTime       = 3 * time.Second
	DefaultReconnectTries   = 5
	DefaultReconnectDelay   = 250 * time.Millisecond
	DefaultStallInterval    = 500 * time.Millisecond
	DefaultStallTicks       = 2
	DefaultLiveDuration     = 10 * time.Second
	DefaultBitrate          = 400_000 // bits/s
	DefaultCodec            = "h264"
	DefaultBitrateInterval  = time.Second
	DefaultBitrateMaxTries  = 3
	DefaultReceiveProbes    = 3
	DefaultProbesInterval   = time.Second
	DefaultRestoreTimeout   = time.Second
	DefaultRestoreMaxTries  = 5
	DefaultBackoffFactor    = 2.0
	DefaultBackoffMax       = 30 * time.Second
	DefaultSendBuffer       = 8192
	DefaultConnectTimeout   = 5 * time.Second
	maxBitrateKbps          = 100000
	maxPlayItems            = 256
	maxCodecs               = 16
	maxFPS                  = 120
	transitionFirst         = "reset"
	transitionLater         = "append"
	reconnectOnClosed       = "closed"
	reconnectTransition     = "resume"
	defaultPublisherBitrate = DefaultBitrate / 1000
)

// Spec is a scripted client as a scenario declares it: its role and the options of that role.
type Spec struct {
	// Role is the client kind: player (VOD, Stream Reconnect), publisher (live, Streaming
	// Auto Restore), viewer (a live player), or process (an external program under test,
	// declared by process).
	Role string `yaml:"role" json:"role"`
	// Stream is the live name a publisher publishes or a viewer plays (a process: the stream
	// in its {url}).
	Stream string `yaml:"stream" json:"stream,omitempty"`
	// Duration is how long a publisher publishes or a viewer watches (default 10s); a process
	// is stopped after it (default: it runs until it exits or the run ends).
	Duration spec.Duration `yaml:"duration" json:"duration,omitempty"`
	// Bitrate is a publisher's video bitrate in kbit/s (default 400).
	Bitrate int `yaml:"bitrate" json:"bitrate,omitempty"`
	// FPS is a publisher's frame rate (default 25).
	FPS int `yaml:"fps" json:"fps,omitempty"`
	// Codecs is a publisher's codec fallback list for bitrateCheck.codecChange (default [h264]).
	Codecs []string `yaml:"codecs" json:"codecs,omitempty"`
	// BitrateCheck is a publisher's zero-bitrate detection (WCS).
	BitrateCheck *BitrateCheck `yaml:"bitrateCheck" json:"bitrateCheck,omitempty"`
	// Restore is a publisher's or viewer's restore timer (WCS Streaming Auto Restore).
	Restore *Restore `yaml:"restore" json:"restore,omitempty"`
	// Pings is a publisher's missing-ping detection (WCS receiveProbes/probesInterval).
	Pings *Pings `yaml:"pings" json:"pings,omitempty"`
	// File is a publisher's source: an FLV file of real media (e.g. made by ffmpeg), sent looped
	// and paced by its timestamps instead of the synthetic source; a path relative to the
	// scenario file. Frames are then known by their timestamps.
	File string `yaml:"file" json:"file,omitempty"`
	// SendBuffer is a publisher's socket send buffer in bytes (default 8192).
	SendBuffer int `yaml:"sendBuffer" json:"sendBuffer,omitempty"`
	// Route is the route the client connects through.
	Route string `yaml:"route" json:"route"`
	// BufferTime is the player's NetStream.bufferTime (default 3s).
	BufferTime spec.Duration `yaml:"bufferTime" json:"bufferTime,omitempty"`
	// Play is the play script.
	Play []PlayItem `yaml:"play" json:"play"`
	// Reconnect enables Stream Reconnect; nil means a lost connection ends playback.
	Reconnect *Reconnect `yaml:"reconnect" json:"reconnect,omitempty"`
	// Mutant selects a deliberately broken client behaviour (negative controls).
	Mutant string `yaml:"mutant" json:"mutant,omitempty"`
	// StallMonitor detects half-open links (no Connect.Closed ever comes) and reconnects.
	StallMonitor *StallMonitor `yaml:"stallMonitor" json:"stallMonitor,omitempty"`
	// ConnectTimeout bounds dial, handshake, connect and createStream (default 5s).
	ConnectTimeout spec.Duration `yaml:"connectTimeout" json:"connectTimeout,omitempty"`
	// BandwidthCheck asks the server for a bandwidth check (onBWCheck/onBWDone) on the first
	// connection, before playing.
	BandwidthCheck bool `yaml:"bandwidthCheck" json:"bandwidthCheck,omitempty"`
}

// BitrateCheck is WCS's zero-bitrate check: every Interval, no byte sent is a strike; MaxTries
// strikes stop the stream and republish.
type BitrateCheck struct {
	// Interval is the check period (default 1s).
	Interval spec.Duration `yaml:"interval" json:"interval,omitempty"`
	// MaxTries is the number of strikes that fail the stream (default 3).
	MaxTries int `yaml:"maxTries" json:"maxTries,omitempty"`
	// CodecChange republishes with the next codec of the client's codecs.
	CodecChange bool `yaml:"codecChange" json:"codecChange,omitempty"`
}

// Restore is WCS's restore timer: after a session or publish failure try again every Timeout
// (growing by Backoff), give up after MaxTries attempts with a terminal FAILED.
type Restore struct {
	// Timeout is the wait before each attempt (default 1s).
	Timeout spec.Duration `yaml:"timeout" json:"timeout,omitempty"`
	// MaxTries bounds the attempts per outage (default 5).
	MaxTries int `yaml:"maxTries" json:"maxTries,omitempty"`
	// Backoff grows the wait after each attempt (publishers only).
	Backoff *Backoff `yaml:"backoff" json:"backoff,omitempty"`
}

// Backoff grows a restore wait: ×Factor per attempt up to Max, ±Jitter.
type Backoff struct {
	// Factor multiplies the wait (default 2).
	Factor float64 `yaml:"factor" json:"factor,omitempty"`
	// Max caps the wait (default 30s).
	Max spec.Duration `yaml:"max" json:"max,omitempty"`
	// Jitter randomises each wait by ±Jitter of it (0..1).
	Jitter float64 `yaml:"jitter" json:"jitter,omitempty"`
}

// Pings is WCS's missing-ping detection: ReceiveProbes probes in a row, ProbesInterval apart,
// without a server ping declare the session dead.
type Pings struct {
	// ReceiveProbes is the number of missed probes (default 3).
	ReceiveProbes int `yaml:"receiveProbes" json:"receiveProbes,omitempty"`
	// ProbesInterval is the probe period (default 1s).
	ProbesInterval spec.Duration `yaml:"probesInterval" json:"probesInterval,omitempty"`
}

// StallMonitor is Flash Player's half-open detection: every Interval, a buffer below
// bufferTime and a byte count that has not grown count a strike; Ticks strikes in a row close
// the connection and reconnect.
type StallMonitor struct {
	// Interval is the check period (default 500ms).
	Interval spec.Duration `yaml:"interval" json:"interval,omitempty"`
	// Ticks is the number of strikes that end the connection (default 2).
	Ticks int `yaml:"ticks" json:"ticks,omitempty"`
}

// PlayItem is one play2 call of a play script.
type PlayItem struct {
	// Stream is the stream name (streamName); not needed for stop.
	Stream string `yaml:"stream" json:"stream,omitempty"`
	// Transition is the play2 transition: reset (the default of the first item), append (the
	// default of later items), appendAndWait, switch, swap or stop.
	Transition string `yaml:"transition" json:"transition,omitempty"`
	// OldStream is oldStreamName: the playlist item a switch or swap replaces (switch: by
	// default the item playing).
	OldStream string `yaml:"oldStream" json:"oldStream,omitempty"`
	// Start is where in the stream to start (play2 start).
	Start spec.Duration `yaml:"start" json:"start,omitempty"`
	// Len is how long to play the item (play2 len; default to the end).
	Len spec.Duration `yaml:"len" json:"len,omitempty"`
	// At is when the call is made, from the start of the run; items at 0 go out on the first
	// connection, later ones on the connection current then.
	At spec.Duration `yaml:"at" json:"at,omitempty"`
	// Raw sends an unknown transition as written, to test the server's answer
	// (NetStream.Play.Failed); without it an unknown transition is an error in the scenario.
	Raw bool `yaml:"raw" json:"raw,omitempty"`
}

// Reconnect is the Stream Reconnect policy.
type Reconnect struct {
	// On is the trigger: "closed" (NetConnection.Connect.Closed).
	On string `yaml:"on" json:"on"`
	// Transition is the play2 transition used to resume: "resume".
	Transition string `yaml:"transition" json:"transition"`
	// MaxTries bounds connection attempts per outage (default 5).
	MaxTries int `yaml:"maxTries" json:"maxTries,omitempty"`
	// Delay is the wait between attempts after the first (default 250ms).
	Delay spec.Duration `yaml:"delay" json:"delay,omitempty"`
}

// Live tells whether the spec is a publisher or a viewer.
func (s *Spec) Live() bool { return s.Role == RolePublisher || s.Role == RoleViewer }

// Default fills every option left out with its default.
func (s *Spec) Default() {
	if s.Live() {
		s.defaultLive()
		return
	}
	if s.BufferTime == 0 {
		s.BufferTime = spec.Duration(DefaultBufferTime)
	}
	for j := range s.Play {
		if s.Play[j].Transition == "" {
			s.Play[j].Transition = transitionLater
			if j == 0 {
				s.Play[j].Transition = transitionFirst
			}
		}
	}
	if m := s.StallMonitor; m != nil {
		m.Default()
	}
	if r := s.Reconnect; r != nil {
		r.Default()
	}
}

func (s *Spec) defaultLive() {
	if s.Duration == 0 {
		s.Duration = spec.Duration(DefaultLiveDuration)
	}
	if r := s.Restore; r != nil {
		r.Default()
	}
	if s.Role != RolePublisher {
		return
	}
	if s.Bitrate == 0 {
		s.Bitrate = defaultPublisherBitrate
	}
	if s.FPS == 0 {
		s.FPS = media.DefaultFPS
	}
	if len(s.Codecs) == 0 {
		s.Codecs = []string{DefaultCodec}
	}
	if b := s.BitrateCheck; b != nil {
		b.Default()
	}
	if p := s.Pings; p != nil {
		p.Default()
	}
}

// Default fills the monitor's defaults.
func (m *StallMonitor) Default() {
	if m.Interval == 0 {
		m.Interval = spec.Duration(DefaultStallInterval)
	}
	if m.Ticks == 0 {
		m.Ticks = DefaultStallTicks
	}
}

// Default fills the policy's defaults.
func (r *Reconnect) Default() {
	if r.On == "" {
		r.On = reconnectOnClosed
	}
	if r.Transition == "" {
		r.Transition = reconnectTransition
	}
	if r.MaxTries == 0 {
		r.MaxTries = DefaultReconnectTries
	}
	if r.Delay == 0 {
		r.Delay = spec.Duration(DefaultReconnectDelay)
	}
}

// Default fills the timer's defaults (and its backoff's).
func (r *Restore) Default() {
	if r.Timeout == 0 {
		r.Timeout = spec.Duration(DefaultRestoreTimeout)
	}
	if r.MaxTries == 0 {
		r.MaxTries = DefaultRestoreMaxTries
	}
	if b := r.Backoff; b != nil {
		if b.Factor == 0 {
			b.Factor = DefaultBackoffFactor
		}
		if b.Max == 0 {
			b.Max = spec.Duration(DefaultBackoffMax)
		}
	}
}

// Default fills the check's defaults.
func (b *BitrateCheck) Default() {
	if b.Interval == 0 {
		b.Interval = spec.Duration(DefaultBitrateInterval)
	}
	if b.MaxTries == 0 {
		b.MaxTries = DefaultBitrateMaxTries
	}
}

// Default fills the probe's defaults.
func (p *Pings) Default() {
	if p.ReceiveProbes == 0 {
		p.ReceiveProbes = DefaultReceiveProbes
	}
	if p.ProbesInterval == 0 {
		p.ProbesInterval = spec.Duration(DefaultProbesInterval)
	}
}

// Validate reports what is wrong with a defaulted spec into p (the client's own path);
// routes are the scenario's routes, streams the stream names the server's catalogue offers.
func (s *Spec) Validate(p spec.Problems, routes, streams spec.Names) {
	if !routes[s.Route] {
		p.Add("route", "%q is not a defined route%s", s.Route, routes.Known())
	}
	if s.ConnectTimeout < 0 {
		p.Add("connectTimeout", "must not be negative")
	}
	switch s.Role {
	case RolePlayer:
		s.validatePlayer(p, streams)
	case RolePublisher, RoleViewer:
		s.validateLive(p)
	default:
		p.Add("role", "%q is not a known role (known: %s)", s.Role, strings.Join(Roles, ", "))
	}
}

func (s *Spec) validatePlayer(p spec.Problems, streams spec.Names) {
	if s.Stream != "" || s.Restore != nil || s.BitrateCheck != nil || s.Pings != nil || s.Duration != 0 || s.File != "" {
		p.Add("", "stream, duration, restore, bitrateCheck, pings and file are for publishers and viewers; a player has a play script")
	}
	if s.BufferTime <= 0 {
		p.Add("bufferTime", "must be positive")
	}
	if len(s.Play) == 0 {
		p.Add("play", "at least one play item is required")
	}
	if len(s.Play) > maxPlayItems {
		p.Add("play", "%d play items exceed the limit of %d", len(s.Play), maxPlayItems)
		return
	}
	played := map[string]int{}
	for j, it := range s.Play {
		it.validate(p.At(fmt.Sprintf("play[%d]", j)), j, s.Play, streams, played)
	}
	if r := s.Reconnect; r != nil {
		r.Validate(p.At("reconnect"))
	}
	if m := s.StallMonitor; m != nil {
		m.Validate(p.At("stallMonitor"))
	}
	if s.Mutant != "" && !slices.Contains(Mutants, s.Mutant) {
		p.Add("mutant", "%q is not a known mutant (known: %s)", s.Mutant, strings.Join(Mutants, ", "))
	}
}

// validate checks item j of a play script; played maps the streams already in it to their item.
func (it PlayItem) validate(p spec.Problems, j int, script []PlayItem, streams spec.Names, played map[string]int) {
	isKnown := slices.Contains(Transitions, it.Transition)
	switch {
	case j == 0 && it.Transition != transitionFirst:
		p.Add("transition", "%q is not supported for the first item (use reset)", it.Transition)
	case !isKnown && !it.Raw:
		p.Add("transition", "%q is not a play2 transition (known: %s; set raw: true to send it anyway)", it.Transition, strings.Join(Transitions, ", "))
	case isKnown && it.Raw:
		p.Add("raw", "is for unknown transitions; %q is known", it.Transition)
	}
	if j == 0 && it.At != 0 {
		p.Add("at", "the first item is played at 0, not %v", it.At)
	}
	if j > 0 && it.At < script[j-1].At {
		p.Add("at", "%v comes before the previous item's %v", it.At, script[j-1].At)
	}
	if it.Transition == "stop" {
		if it.Stream != "" {
			p.Add("stream", "stop takes no stream")
		}
	} else if !streams[it.Stream] {
		p.Add("stream", "%q is not a stream of the server%s", it.Stream, streams.Known())
	} else if prev, dup := played[it.Stream]; dup && isKnown {
		p.Add("stream", "%q is already in the play script (item %d); the checkers follow frames per stream, so each stream may appear once", it.Stream, prev)
	} else {
		played[it.Stream] = j
	}
	if it.OldStream != "" && !streams[it.OldStream] {
		p.Add("oldStream", "%q is not a stream of the server%s", it.OldStream, streams.Known())
	}
	if it.Transition == "swap" && it.OldStream == "" {
		p.Add("oldStream", "swap needs the item it replaces")
	}
	if it.OldStream != "" && it.Transition != "switch" && it.Transition != "swap" {
		p.Add("oldStream", "only switch and swap take an oldStream")
	}
	p.NonNegative("start", it.Start)
	p.NonNegative("len", it.Len)
}

// Validate checks the policy.
func (r *Reconnect) Validate(p spec.Problems) {
	if r.On != reconnectOnClosed {
		p.Add("on", "%q is not a known trigger (known: closed)", r.On)
	}
	if r.Transition != reconnectTransition {
		p.Add("transition", "%q is not supported (known: resume)", r.Transition)
	}
	if r.MaxTries < 1 {
		p.Add("maxTries", "must be at least 1")
	}
	p.NonNegative("delay", r.Delay)
}

// Validate checks the monitor.
func (m *StallMonitor) Validate(p spec.Problems) {
	if m.Interval <= 0 {
		p.Add("interval", "must be positive")
	}
	if m.Ticks < 1 {
		p.Add("ticks", "must be at least 1")
	}
}

func (s *Spec) validateLive(p spec.Problems) {
	if s.Stream == "" {
		p.Add("stream", "is required: the live name the %s uses", s.Role)
	} else if !spec.SafeName(s.Stream) {
		p.Add("stream", "%q "+spec.SafeNameRule, s.Stream)
	}
	if len(s.Play) > 0 || s.Reconnect != nil || s.StallMonitor != nil || s.BandwidthCheck {
		p.Add("", "play, reconnect, stallMonitor and bandwidthCheck are for VOD players")
	}
	if s.Duration <= 0 {
		p.Add("duration", "must be positive")
	}
	if r := s.Restore; r != nil {
		r.Validate(p.At("restore"), s.Role == RolePublisher)
	}
	if s.Role == RoleViewer {
		if s.BitrateCheck != nil || s.Pings != nil || s.Bitrate != 0 || len(s.Codecs) > 0 || s.Mutant != "" || s.File != "" {
			p.Add("", "bitrate, codecs, bitrateCheck, pings, file and mutants are for publishers")
		}
		return
	}
	if s.File != "" && (s.Mutant != "" || (s.BitrateCheck != nil && s.BitrateCheck.CodecChange)) {
		p.Add("file", "a file source sends its own codec and timestamps: no mutant, no codecChange")
	}
	if s.Bitrate < 1 || s.Bitrate > maxBitrateKbps {
		p.Add("bitrate", "%d kbit/s is outside 1..%d", s.Bitrate, maxBitrateKbps)
	}
	if s.FPS < 1 || s.FPS > maxFPS {
		p.Add("fps", "%d is outside 1..%d", s.FPS, maxFPS)
	}
	if len(s.Codecs) > maxCodecs {
		p.Add("codecs", "%d codecs exceed the limit of %d", len(s.Codecs), maxCodecs)
	}
	if b := s.BitrateCheck; b != nil {
		b.Validate(p.At("bitrateCheck"))
		if b.CodecChange && len(s.Codecs) < 2 {
			p.Add("codecs", "codecChange needs at least two codecs to fall back through")
		}
	}
	if pi := s.Pings; pi != nil {
		pi.Validate(p.At("pings"))
	}
	if s.SendBuffer < 0 {
		p.Add("sendBuffer", "must not be negative")
	}
	if s.Mutant != "" && !slices.Contains(PublisherMutants, s.Mutant) {
		p.Add("mutant", "%q is not a known publisher mutant (known: %s)", s.Mutant, strings.Join(PublisherMutants, ", "))
	}
}

// Validate checks the timer; backoff is only for publishers.
func (r *Restore) Validate(p spec.Problems, publisher bool) {
	if r.Timeout <= 0 {
		p.Add("timeout", "must be positive")
	}
	if r.MaxTries < 1 {
		p.Add("maxTries", "must be at least 1")
	}
	if b := r.Backoff; b != nil {
		if b.Factor < 1 {
			p.Add("backoff.factor", "%g must be at least 1", b.Factor)
		}
		if b.Jitter < 0 || b.Jitter > 1 {
			p.Add("backoff.jitter", "%g is outside 0..1", b.Jitter)
		}
		if !publisher {
			p.Add("backoff", "is for publishers")
		}
	}
}

// Validate checks the bitrate check.
func (b *BitrateCheck) Validate(p spec.Problems) {
	if b.Interval <= 0 {
		p.Add("interval", "must be positive")
	}
	if b.MaxTries < 1 {
		p.Add("maxTries", "must be at least 1")
	}
}

// Validate checks the probe.
func (pi *Pings) Validate(p spec.Problems) {
	if pi.ReceiveProbes < 1 {
		p.Add("receiveProbes", "must be at least 1")
	}
	if pi.ProbesInterval <= 0 {
		p.Add("probesInterval", "must be positive")
	}
}

// defaulted returns a defaulted copy of an optional option (nil stays nil: the option is off).
func defaulted[T any, P interface {
	*T
	Default()
}](v P) P {
	if v == nil {
		return nil
	}
	c := P(new(T))
	*c = *v
	c.Default()
	return c
}

// resolved returns a defaulted copy of the timer with its backoff's factor and jitter kept in
// range (nil stays nil: no restore).
func (r *Restore) resolved() *Restore {
	if r == nil {
		return nil
	}
	c := *r
	if r.Backoff != nil {
		b := *r.Backoff
		if b.Factor < 1 {
			b.Factor = 0 // Default picks the default factor
		}
		b.Jitter = min(max(b.Jitter, 0), 1)
		c.Backoff = &b
	}
	c.Default()
	return &c
}

func (r *Restore) timeout() time.Duration {
	if r == nil {
		return 0
	}
	return r.Timeout.D()
}

func (r *Restore) maxTries() int {
	if r == nil {
		return 0
	}
	return r.MaxTries
}

func (r *Restore) backoff() *Backoff {
	if r == nil {
		return nil
	}
	return r.Backoff
}
