package fakeclient

import (
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/internal/spec"
)

// AcceptHold is how long a server's acceptance of a publish must hold (the session open, no
// refusal on it) before the publisher counts it as restored and starts its restore count
// again: a server that answers Publish.Start and takes it back at once has refused the
// attempt. The checkers judge accepts by the same rule.
const AcceptHold = 3 * time.Second

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

// ReconnectTriggers and ReconnectTransitions are the values Reconnect.On and
// Reconnect.Transition accept.
var (
	ReconnectTriggers    = []string{reconnectOnClosed}
	ReconnectTransitions = []string{reconnectTransition}
)

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
	if !slices.Contains(ReconnectTriggers, r.On) {
		p.Add("on", "%q is not a known trigger (known: closed)", r.On)
	}
	if !slices.Contains(ReconnectTransitions, r.Transition) {
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
