// Package scenario is the typed model of a scenario file and its strict YAML loader: unknown
// keys, type errors and semantic mistakes are reported with file:line:column and the field.
package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// Defaults applied by Load where a field is left out.
const (
	DefaultTimeout          = 60 * time.Second
	DefaultFPS              = 25
	DefaultKeyframeInterval = time.Second
	DefaultBufferTime       = 3 * time.Second
	DefaultMaxTries         = 5
	DefaultReconnectDelay   = 250 * time.Millisecond
)

// Scenario is one test: a lab, actors, a fault timeline and the checks that must hold.
type Scenario struct {
	// Name identifies the scenario in reports; letters, digits, '.', '_' and '-'.
	Name string `yaml:"name" json:"name"`
	// Description says what the scenario proves.
	Description string `yaml:"description" json:"description,omitempty"`
	// Labels select scenarios (Ginkgo label filters).
	Labels []string `yaml:"labels" json:"labels,omitempty"`
	// Timeout bounds the whole run (default 60s).
	Timeout Duration `yaml:"timeout" json:"timeout,omitempty"`
	// Toxiproxy selects an external toxiproxy-server; omitted, one is embedded in the process
	// (or the TOXIPROXY_URL environment variable names one).
	Toxiproxy *Toxiproxy `yaml:"toxiproxy" json:"toxiproxy,omitempty"`
	// Server is the reference RTMP server and its catalogue.
	Server Server `yaml:"server" json:"server"`
	// Routes are named network paths to the server, one Toxiproxy proxy each.
	Routes []Route `yaml:"routes" json:"routes"`
	// Clients are the scripted RTMP clients.
	Clients []Client `yaml:"clients" json:"clients"`
	// Faults is the fault timeline.
	Faults []Fault `yaml:"faults" json:"faults,omitempty"`
	// Nemesis adds a seeded random schedule of faults to the timeline.
	Nemesis *Nemesis `yaml:"nemesis" json:"nemesis,omitempty"`
	// Expect lists the checkers to run.
	Expect []Expectation `yaml:"expect" json:"expect"`
	// ExpectFailures names checkers that must fail (negative controls).
	ExpectFailures []string `yaml:"expectFailures" json:"expectFailures,omitempty"`

	// Path is the file the scenario was loaded from.
	Path string `yaml:"-" json:"path,omitempty"`
}

// Toxiproxy configures an external toxiproxy-server.
type Toxiproxy struct {
	// URL is the server's API address, e.g. http://127.0.0.1:8474.
	URL string `yaml:"url" json:"url"`
}

// Server configures the reference servers.
type Server struct {
	// Streams is the VOD catalogue, served by every instance.
	Streams []Stream `yaml:"streams" json:"streams"`
	// Instances names the reference servers to run, each on its own address with the same
	// catalogue (e.g. origin-a, origin-b for a load-balance move); default one, "origin".
	Instances []string `yaml:"instances" json:"instances,omitempty"`
	// IdlePublisherTimeout drops a live publisher that sent no media for this long (nginx-rtmp
	// drop_idle_publisher); omitted, a dead publisher stays a zombie that blocks its name.
	IdlePublisherTimeout Duration `yaml:"idlePublisherTimeout" json:"idlePublisherTimeout,omitempty"`
	// PingInterval makes the server ping every session that often; a session silent for
	// PingTimeout (default 3 intervals) is closed. Omitted, no pings.
	PingInterval Duration `yaml:"pingInterval" json:"pingInterval,omitempty"`
	// PingTimeout is how long a session may send nothing at all before the server closes it.
	PingTimeout Duration `yaml:"pingTimeout" json:"pingTimeout,omitempty"`
}

// Names lists the server instances (ServerName when none is set).
func (s Server) Names() []string {
	if len(s.Instances) == 0 {
		return []string{ServerName}
	}
	return s.Instances
}

// Stream is one synthetic VOD stream.
type Stream struct {
	// Name is the stream name clients play.
	Name string `yaml:"name" json:"name"`
	// Duration is the stream length.
	Duration Duration `yaml:"duration" json:"duration"`
	// FPS is the frame rate (default 25).
	FPS int `yaml:"fps" json:"fps,omitempty"`
	// KeyframeInterval is the time between keyframes (default 1s).
	KeyframeInterval Duration `yaml:"keyframeInterval" json:"keyframeInterval,omitempty"`
}

// Route is a named path from clients to a server through one Toxiproxy proxy.
type Route struct {
	// Name identifies the route (e.g. wifi, lte).
	Name string `yaml:"name" json:"name"`
	// Server is the server instance the route leads to (default: the first instance).
	Server string `yaml:"server" json:"server,omitempty"`
}

// Client is a scripted RTMP client.
type Client struct {
	// Name identifies the client in the history.
	Name string `yaml:"name" json:"name"`
	// Role is the client kind: player (VOD, Stream Reconnect), publisher (live, Streaming
	// Auto Restore) or viewer (a live player).
	Role string `yaml:"role" json:"role"`
	// Stream is the live name a publisher publishes or a viewer plays.
	Stream string `yaml:"stream" json:"stream,omitempty"`
	// Duration is how long a publisher publishes or a viewer watches (default 10s).
	Duration Duration `yaml:"duration" json:"duration,omitempty"`
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
	// SendBuffer is a publisher's socket send buffer in bytes (default 8192).
	SendBuffer int `yaml:"sendBuffer" json:"sendBuffer,omitempty"`
	// Route is the route the client connects through.
	Route string `yaml:"route" json:"route"`
	// BufferTime is the player's NetStream.bufferTime (default 3s).
	BufferTime Duration `yaml:"bufferTime" json:"bufferTime,omitempty"`
	// Play is the play script.
	Play []PlayItem `yaml:"play" json:"play"`
	// Reconnect enables Stream Reconnect; nil means a lost connection ends playback.
	Reconnect *Reconnect `yaml:"reconnect" json:"reconnect,omitempty"`
	// Mutant selects a deliberately broken client behaviour (negative controls).
	Mutant string `yaml:"mutant" json:"mutant,omitempty"`
	// StallMonitor detects half-open links (no Connect.Closed ever comes) and reconnects.
	StallMonitor *StallMonitor `yaml:"stallMonitor" json:"stallMonitor,omitempty"`
	// ConnectTimeout bounds dial, handshake, connect and createStream (default 5s).
	ConnectTimeout Duration `yaml:"connectTimeout" json:"connectTimeout,omitempty"`
	// BandwidthCheck asks the server for a bandwidth check (onBWCheck/onBWDone) on the first
	// connection, before playing.
	BandwidthCheck bool `yaml:"bandwidthCheck" json:"bandwidthCheck,omitempty"`
}

// BitrateCheck is WCS's zero-bitrate check: every Interval, no byte sent is a strike; MaxTries
// strikes stop the stream and republish.
type BitrateCheck struct {
	// Interval is the check period (default 1s).
	Interval Duration `yaml:"interval" json:"interval,omitempty"`
	// MaxTries is the number of strikes that fail the stream (default 3).
	MaxTries int `yaml:"maxTries" json:"maxTries,omitempty"`
	// CodecChange republishes with the next codec of the client's codecs.
	CodecChange bool `yaml:"codecChange" json:"codecChange,omitempty"`
}

// Restore is WCS's restore timer: after a session or publish failure try again every Timeout
// (growing by Backoff), give up after MaxTries attempts with a terminal FAILED.
type Restore struct {
	// Timeout is the wait before each attempt (default 1s).
	Timeout Duration `yaml:"timeout" json:"timeout,omitempty"`
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
	Max Duration `yaml:"max" json:"max,omitempty"`
	// Jitter randomises each wait by ±Jitter of it (0..1).
	Jitter float64 `yaml:"jitter" json:"jitter,omitempty"`
}

// Pings is WCS's missing-ping detection: ReceiveProbes probes in a row, ProbesInterval apart,
// without a server ping declare the session dead.
type Pings struct {
	// ReceiveProbes is the number of missed probes (default 3).
	ReceiveProbes int `yaml:"receiveProbes" json:"receiveProbes,omitempty"`
	// ProbesInterval is the probe period (default 1s).
	ProbesInterval Duration `yaml:"probesInterval" json:"probesInterval,omitempty"`
}

// StallMonitor is Flash Player's half-open detection: every Interval, a buffer below
// bufferTime and a byte count that has not grown count a strike; Ticks strikes in a row close
// the connection and reconnect.
type StallMonitor struct {
	// Interval is the check period (default 500ms).
	Interval Duration `yaml:"interval" json:"interval,omitempty"`
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
	Start Duration `yaml:"start" json:"start,omitempty"`
	// Len is how long to play the item (play2 len; default to the end).
	Len Duration `yaml:"len" json:"len,omitempty"`
	// At is when the call is made, from the start of the run; items at 0 go out on the first
	// connection, later ones on the connection current then.
	At Duration `yaml:"at" json:"at,omitempty"`
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
	Delay Duration `yaml:"delay" json:"delay,omitempty"`
}

// Expectation names exactly one checker with its parameters.
type Expectation struct {
	// ResumesAtOffset: rendered frames strictly consecutive, resumes served at the requested offset.
	ResumesAtOffset *ResumesAtOffset `yaml:"resumesAtOffset" json:"resumesAtOffset,omitempty"`
	// PlaysToEnd: the stream's last frame is rendered before a deadline.
	PlaysToEnd *PlaysToEnd `yaml:"playsToEnd" json:"playsToEnd,omitempty"`
	// Reconnects: the client resumed exactly Count times.
	Reconnects *Reconnects `yaml:"reconnects" json:"reconnects,omitempty"`
	// StallDetected: the client's stall monitor fired soon enough after a fault made the link go dark.
	StallDetected *StallDetected `yaml:"stallDetected" json:"stallDetected,omitempty"`
	// BandwidthMeasured: the server's bandwidth check reported Kbps within Tolerance.
	BandwidthMeasured *BandwidthMeasured `yaml:"bandwidthMeasured" json:"bandwidthMeasured,omitempty"`
	// PlaylistRebuilt: after each reconnect the server's playlist equals the client's and
	// nothing was streamed before the resume.
	PlaylistRebuilt *ClientRef `yaml:"playlistRebuilt" json:"playlistRebuilt,omitempty"`
	// OldConnectionClosedAfterAttach: a load-balance move attached the new connection before
	// closing the old one, and resumed after that.
	OldConnectionClosedAfterAttach *ClientRef `yaml:"oldConnectionClosedAfterAttach" json:"oldConnectionClosedAfterAttach,omitempty"`
	// StatusReceived: the client received a status code (e.g. NetStream.Play.Failed).
	StatusReceived *StatusReceived `yaml:"statusReceived" json:"statusReceived,omitempty"`
	// RepublishesAfterZeroBitrate: the publisher's bitrate check detected the stall in time,
	// the server saw a new publish and a viewer got frames again.
	RepublishesAfterZeroBitrate *Republishes `yaml:"republishesAfterZeroBitrate" json:"republishesAfterZeroBitrate,omitempty"`
	// RestorePolicy: restore attempts within maxTries, spaced by the timeout (backoff), the
	// count reset after a success, a terminal FAILED when exhausted.
	RestorePolicy *ClientRef `yaml:"restorePolicy" json:"restorePolicy,omitempty"`
	// NoRestoreAfterManualStop: after a manual stop the client neither restores nor publishes.
	NoRestoreAfterManualStop *ClientRef `yaml:"noRestoreAfterManualStop" json:"noRestoreAfterManualStop,omitempty"`
	// DeadPeerDetected: missing pings declared the session dead soon enough after a fault.
	DeadPeerDetected *StallDetected `yaml:"deadPeerDetected" json:"deadPeerDetected,omitempty"`
	// LiveResumes: a viewer's timestamps never go backwards and frames come again soon after
	// each republish.
	LiveResumes *LiveResumes `yaml:"liveResumes" json:"liveResumes,omitempty"`
}

// Republishes parameterises republishesAfterZeroBitrate.
type Republishes struct {
	// Client is the publisher.
	Client string `yaml:"client" json:"client"`
	// Viewer, when set, must receive frames again within Within of the republish.
	Viewer string `yaml:"viewer" json:"viewer,omitempty"`
	// Within is the viewer's deadline (default 5s).
	Within Duration `yaml:"within" json:"within,omitempty"`
	// Codec, when set, is the codec the republish must announce (codec change).
	Codec string `yaml:"codec" json:"codec,omitempty"`
}

// LiveResumes parameterises liveResumes.
type LiveResumes struct {
	// Client is the viewer.
	Client string `yaml:"client" json:"client"`
	// Within is how soon after each (re)publish frames must arrive (default 5s).
	Within Duration `yaml:"within" json:"within,omitempty"`
	// MinPublishes is how many publishes of the stream the server must have seen (default 1;
	// 2 or more proves a republish).
	MinPublishes int `yaml:"minPublishes" json:"minPublishes,omitempty"`
}

// ClientRef names the client a checker looks at.
type ClientRef struct {
	// Client is the player to check.
	Client string `yaml:"client" json:"client"`
}

// StatusReceived parameterises the statusReceived checker.
type StatusReceived struct {
	// Client is the player to check.
	Client string `yaml:"client" json:"client"`
	// Code is the status code, e.g. NetStream.Play.Failed.
	Code string `yaml:"code" json:"code"`
}

// BandwidthMeasured parameterises the bandwidthMeasured checker.
type BandwidthMeasured struct {
	// Client is the player that asked for the bandwidth check.
	Client string `yaml:"client" json:"client"`
	// Kbps is the expected bandwidth (e.g. a bandwidth toxic's rate: KB/s × 8).
	Kbps float64 `yaml:"kbps" json:"kbps"`
	// Tolerance is the accepted relative error (default 0.2: ±20 %).
	Tolerance *float64 `yaml:"tolerance" json:"tolerance,omitempty"`
}

// ResumesAtOffset parameterises the resumesAtOffset checker.
type ResumesAtOffset struct {
	// Client is the player to check.
	Client string `yaml:"client" json:"client"`
	// MinResumes is how many resumes must have happened (default 1).
	MinResumes *int `yaml:"minResumes" json:"minResumes,omitempty"`
}

// PlaysToEnd parameterises the playsToEnd checker.
type PlaysToEnd struct {
	// Client is the player to check.
	Client string `yaml:"client" json:"client"`
	// Within is the deadline from the start of the run (default: the scenario timeout).
	Within Duration `yaml:"within" json:"within,omitempty"`
}

// Reconnects parameterises the reconnects checker.
type Reconnects struct {
	// Client is the player to check.
	Client string `yaml:"client" json:"client"`
	// Count is the exact number of resumes expected.
	Count int `yaml:"count" json:"count"`
}

// StallDetected parameterises the stallDetected checker.
type StallDetected struct {
	// Client is the player to check.
	Client string `yaml:"client" json:"client"`
	// Fault is the fault that makes the link go dark (e.g. a blackhole).
	Fault string `yaml:"fault" json:"fault"`
	// Within is the longest acceptable time from the fault's start to the detection.
	Within Duration `yaml:"within" json:"within"`
}

// Checker names as written in YAML.
const (
	CheckResumesAtOffset = "resumesAtOffset"
	CheckPlaysToEnd      = "playsToEnd"
	CheckReconnects      = "reconnects"
	CheckStallDetected   = "stallDetected"
	CheckBandwidth       = "bandwidthMeasured"
	CheckPlaylistRebuilt = "playlistRebuilt"
	CheckAttachThenClose = "oldConnectionClosedAfterAttach"
	CheckStatusReceived  = "statusReceived"
	CheckRepublishes     = "republishesAfterZeroBitrate"
	CheckRestorePolicy   = "restorePolicy"
	CheckNoRestoreStop   = "noRestoreAfterManualStop"
	CheckDeadPeer        = "deadPeerDetected"
	CheckLiveResumes     = "liveResumes"
)

// Checkers lists every checker's YAML name.
var Checkers = []string{CheckResumesAtOffset, CheckPlaysToEnd, CheckReconnects, CheckStallDetected, CheckBandwidth,
	CheckPlaylistRebuilt, CheckAttachThenClose, CheckStatusReceived, CheckRepublishes, CheckRestorePolicy,
	CheckNoRestoreStop, CheckDeadPeer, CheckLiveResumes}

// Name is the checker's YAML key ("" when none is set).
func (e Expectation) Name() string {
	switch {
	case e.ResumesAtOffset != nil:
		return CheckResumesAtOffset
	case e.PlaysToEnd != nil:
		return CheckPlaysToEnd
	case e.Reconnects != nil:
		return CheckReconnects
	case e.StallDetected != nil:
		return CheckStallDetected
	case e.BandwidthMeasured != nil:
		return CheckBandwidth
	case e.PlaylistRebuilt != nil:
		return CheckPlaylistRebuilt
	case e.OldConnectionClosedAfterAttach != nil:
		return CheckAttachThenClose
	case e.StatusReceived != nil:
		return CheckStatusReceived
	case e.RepublishesAfterZeroBitrate != nil:
		return CheckRepublishes
	case e.RestorePolicy != nil:
		return CheckRestorePolicy
	case e.NoRestoreAfterManualStop != nil:
		return CheckNoRestoreStop
	case e.DeadPeerDetected != nil:
		return CheckDeadPeer
	case e.LiveResumes != nil:
		return CheckLiveResumes
	}
	return ""
}

func (e Expectation) count() int {
	n := 0
	for _, set := range []bool{e.ResumesAtOffset != nil, e.PlaysToEnd != nil, e.Reconnects != nil, e.StallDetected != nil,
		e.BandwidthMeasured != nil, e.PlaylistRebuilt != nil, e.OldConnectionClosedAfterAttach != nil, e.StatusReceived != nil,
		e.RepublishesAfterZeroBitrate != nil, e.RestorePolicy != nil, e.NoRestoreAfterManualStop != nil, e.DeadPeerDetected != nil,
		e.LiveResumes != nil} {
		if set {
			n++
		}
	}
	return n
}

// Client returns the client called name, or nil.
func (s *Scenario) Client(name string) *Client {
	for i := range s.Clients {
		if s.Clients[i].Name == name {
			return &s.Clients[i]
		}
	}
	return nil
}

// Stream returns the catalogue entry called name.
func (s *Scenario) Stream(name string) (Stream, bool) {
	for _, st := range s.Server.Streams {
		if st.Name == name {
			return st, true
		}
	}
	return Stream{}, false
}

// Duration is a time.Duration written in YAML as a Go duration string ("4s", "250ms").
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

// UnmarshalYAML parses "4s", "1.5s", "250ms" (a bare 0 is zero); an error carries the
// node's position.
func (d *Duration) UnmarshalYAML(n ast.Node) error {
	if err := d.parse(n.String()); err != nil {
		return &yaml.SyntaxError{Message: err.Error(), Token: n.GetToken()}
	}
	return nil
}

func (d *Duration) parse(text string) error {
	s := strings.TrimSpace(text)
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	} else if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		s = s[1 : len(s)-1]
	}
	if s == "0" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (write e.g. 4s, 1.5s or 250ms)", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a Go duration string (for JSON).
func (d *Duration) UnmarshalText(b []byte) error { return d.parse(string(b)) }
