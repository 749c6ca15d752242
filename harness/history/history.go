// Package history is the single append-only record of a run: every event from the server,
// the clients, the faults and the harness, stamped against one base time. Checkers read only
// the history, so they can be re-run offline on a saved file.
package history

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/fakeserver"
)

// Version is the format version of a saved history (3: frame events may be runs, with Until
// and EndTime; 4: a player's buffer samples may be runs, with Samples).
const Version = 4

// Prefixes of the kinds that mirror the scripted clients' and the reference server's events:
// a client event of kind k is recorded as ClientPrefix+k, a server access-log entry as
// ServerPrefix+k.
const (
	ClientPrefix = "client."
	ServerPrefix = "server."
)

// Event kinds recorded by the harness itself.
const (
	KindRunStart      = "run.start"      // the run began; Message holds the scenario name
	KindRunEnd        = "run.end"        // the run ended
	KindStream        = "lab.stream"     // a catalogue entry: Stream, Count (frames), FPS
	KindRoute         = "lab.route"      // a route: Route, Target (its server), Message (listen address)
	KindServer        = "lab.server"     // a server of the lab: Source its name, Message its kind, Code its evidence (AccessLog, Exits), comma-separated
	KindServerOutput  = "server.output"  // a line a server program the lab runs wrote: Code stdout or stderr
	KindServerExit    = "server.exit"    // a server program the lab runs ended: Message how, Code ExitPlanned, ExitAllowed or ExitUnplanned
	KindFaultStart    = "fault.start"    // Fault, Route (the route it acts on or moves a client to), Target (server or client)
	KindFaultEnd      = "fault.end"      // Fault, Route, Target: when its undoing began (the network is changed then)
	KindFaultUndone   = "fault.undone"   // a slow undo of Fault returned (Message: how long it took); not part of the window
	KindFaultSchedule = "fault.schedule" // a nemesis schedule: Message holds the seed and the faults
	KindFaultUnfired  = "fault.unfired"  // at the end of a run: Fault never fired (Message: its trigger)
	KindLabClient     = "lab.client"     // a client's first route: Source, Route, Message its role, Code WireTap for a program
	KindActorEnd      = "actor.end"      // a client's script ended; Message holds its error
	KindLabOrphan     = "lab.orphan"     // before the run, a program left by a harness that died was ended: Message which
	KindHarnessLag    = "harness.lag"    // after the clients ran: whether the harness had the CPU it needed (Latency: its goroutines' wait p99, Count: sampled waits, Message: all, with the time every core was busy; Code "late" past the bounds)
)

// Evidence a server gives, listed in the Code of its lab.server event: AccessLog, its access log
// (the reference server: its server.* events are evidence); Exits, its exits (a program the
// harness runs: server.exit events say how it ended).
const (
	AccessLog = "access-log"
	Exits     = "exits"
)

// Gives tells whether a lab.server event lists evidence.
func (e Event) Gives(evidence string) bool {
	return slices.Contains(strings.Split(e.Code, ","), evidence)
}

// Codes of a server.exit event: the harness ended the server (a fault, the end of the run),
// the scenario lets it end by itself, or it died on its own — which fails the run.
const (
	ExitPlanned   = "planned"
	ExitAllowed   = "allowed"
	ExitUnplanned = "unplanned"
)

// Effects of a fault on the connections it acts on, in the Code of its fault.start: it ends
// every one (a drop, a reset, a kill), or leaves them open and its undoing closes them (a
// blackhole). A fault with neither leaves them to the clients.
const (
	FaultCloses      = "closes"
	FaultClosesAtEnd = "closes-at-end"
)

// EndedNormally is the Message of an actor.end whose client ran its script to its end.
const EndedNormally = "ended normally"

// WireTap is the Code of a lab.client event whose client is a program judged from its wire
// tap (tap.* events), not from reports of its own.
const WireTap = "wire-tap"

// Event kinds of the scripted clients (fakeclient's Event* kinds, prefixed).
const (
	KindClientStatus   = ClientPrefix + fakeclient.EventStatus // Code
	KindClientPlay     = ClientPrefix + fakeclient.EventPlayRequest
	KindClientReceived = ClientPrefix + fakeclient.EventReceived
	KindClientDropped  = ClientPrefix + fakeclient.EventDropped
	KindClientRendered = ClientPrefix + fakeclient.EventRendered
	KindClientBuffer   = ClientPrefix + fakeclient.EventSample
	KindClientStall    = ClientPrefix + fakeclient.EventStall
	KindClientBW       = ClientPrefix + fakeclient.EventBandwidth // the server's onBWDone: Kbps, Latency
	KindClientMove     = ClientPrefix + fakeclient.EventMove      // a load-balance move of connection Conn began
	KindClientPublish  = ClientPrefix + fakeclient.EventPublishRequest
	KindClientSent     = ClientPrefix + fakeclient.EventSent           // a publisher's frames First..Last left on Conn
	KindClientBitrate  = ClientPrefix + fakeclient.EventBitrate        // a bitrate check: BytesOut in the interval, Strikes
	KindClientZero     = ClientPrefix + fakeclient.EventBitrateZero    // the bitrate check failed the stream
	KindClientAttempt  = ClientPrefix + fakeclient.EventRestoreAttempt // restore attempt Strikes began
	KindClientWait     = ClientPrefix + fakeclient.EventRestoreWait    // the restore timer was armed
	KindClientFailed   = ClientPrefix + fakeclient.EventRestoreFailed  // the restore policy gave up (Code FAILED)
	KindClientPings    = ClientPrefix + fakeclient.EventPingsMissing   // missing pings declared the session dead
	KindClientStopped  = ClientPrefix + fakeclient.EventStopped        // a manual stop
)

// Event kinds of the reference server's access log (fakeserver's Event* kinds, prefixed).
const (
	KindServerConnect  = ServerPrefix + fakeserver.EventConnect
	KindServerPlay     = ServerPrefix + fakeserver.EventPlay
	KindServerStop     = ServerPrefix + fakeserver.EventStop
	KindServerDisc     = ServerPrefix + fakeserver.EventDisconnect
	KindServerError    = ServerPrefix + fakeserver.EventError
	KindServerPlaylist = ServerPrefix + fakeserver.EventPlaylist  // a play2 that changed the playlist only: Transition, Playlist
	KindServerPublish  = ServerPrefix + fakeserver.EventPublish   // a live publication began: Session, Stream
	KindServerUnpub    = ServerPrefix + fakeserver.EventUnpublish // a live publication ended: Session, Stream, Message
)

// Event kinds of an external client (a process) and of what its wire tap saw: Conn numbers
// the tap's connections, Message carries a direction ("up": client to server, "down") or a
// line.
const (
	KindProcStart   = "process.start"  // the program started: Message holds its pid and command line
	KindProcOutput  = "process.output" // a line it wrote: Code stdout or stderr, Message the line
	KindProcExit    = "process.exit"   // it ended: Message how (exit status or signal)
	KindProcStop    = "process.stop"   // the harness asked it to stop: Message why (manual stop, end of run)
	KindTapConnect  = "tap.connect"    // a connection through the tap began (Message: why it could not; Code: its TLS version, Latency: the TLS handshakes)
	KindTapCommand  = "tap.command"    // the client sent Command with App (connect), Stream, Start, Offset, Transition
	KindTapStatus   = "tap.status"     // the server sent an onStatus Code
	KindTapMedia    = "tap.media"      // the first media message of a run, at Media seconds, Message its direction
	KindTapBytes    = "tap.bytes"      // the connection's bytes so far: BytesIn (from the server), BytesOut
	KindTapClose    = "tap.close"      // the connection ended: ClosedBy, Media (the last of its media, either way), bytes
	KindTapUnparsed = "tap.unparsed"   // a direction stopped being RTMP (Message), relayed unwatched
	KindTapJump     = "tap.jump"       // a track's timestamps went back or leapt from Prev to Media (Message: direction and track; Code: the status just before)
	KindTapReached  = "tap.reached"    // media first reached stream time Media (a fault's atStreamTime), Message its direction
)

// Range is an inclusive run of frame indices.
type Range struct {
	// First is the first index of the run.
	First int `json:"first"`
	// Last is the last index of the run.
	Last int `json:"last"`
}

// Event is one thing that happened. Fields that do not apply to a kind stay empty.
type Event struct {
	// Seq is the arrival order in the recorder.
	Seq int `json:"seq"`
	// At is the time since the start of the run.
	At time.Duration `json:"at"`
	// Source names the actor: a client, a server, a fault or "harness".
	Source string `json:"source"`
	// Kind is one of the Kind* constants.
	Kind string `json:"kind"`
	// Code is a status code (client.status).
	Code string `json:"code,omitempty"`
	// Conn numbers a client's NetConnection from 1 (on a server event: the connection number
	// the connection declared).
	Conn int `json:"conn,omitempty"`
	// Client is, on a server event, the client its connection declared itself to be (the
	// identity a scripted client puts in its connect command); checkers pair by it.
	Client string `json:"client,omitempty"`
	// SelfClosed marks a client's NetConnection.Connect.Closed when the client closed the
	// connection itself (a stall monitor, a zero-bitrate check, a move, a mutant) rather than
	// losing it to the network or the server.
	SelfClosed bool `json:"selfClosed,omitempty"`
	// Session is a server session id.
	Session string `json:"session,omitempty"`
	// Stream is a stream name.
	Stream string `json:"stream,omitempty"`
	// Frames is the run of frames concerned (frame events; server.play: the first frame served).
	Frames *Range `json:"frames,omitempty"`
	// Transition is a play2 transition (client.play.request, server.play x-trans-mode).
	Transition string `json:"transition,omitempty"`
	// Offset is a resume offset in seconds (client request, or the server's x-soffset).
	Offset *float64 `json:"offset,omitempty"`
	// StartTime is the stream time in seconds of the first frame served (server.play) or of
	// the run's first frame (client frame events). Stream time runs on across playlist items.
	StartTime *float64 `json:"startTime,omitempty"`
	// Until is when the last frame of a run of several frames came (At is the first's); zero
	// for an event of one moment. See Recorder for how frames become runs.
	Until time.Duration `json:"until,omitempty"`
	// EndTime is the stream time in seconds of the last frame of a run recorded as one event
	// (StartTime is the first's); nil for a run of one frame or one tick.
	EndTime *float64 `json:"endTime,omitempty"`
	// Arrivals are, for a run recorded as one event, when each of its frames came, after At
	// (the first's is 0), in nanoseconds.
	Arrivals []time.Duration `json:"arrivals,omitempty"`
	// Times are, for a run recorded as one event, each of its frames' stream time after
	// StartTime (the first's is 0), in microseconds.
	Times []int32 `json:"times,omitempty"`
	// Samples are, for a player's buffer samples recorded as one event (client.buffer), every
	// sample's time and values (samples.go); nil for a single sample.
	Samples *Samples `json:"samples,omitempty"`
	// OldStream is a switch or swap request's oldStreamName (client.play.request).
	OldStream string `json:"oldStream,omitempty"`
	// Playlist is the playlist after a request: the client's (client.play.request) or the
	// server's (server.play, server.playlist).
	Playlist []string `json:"playlist,omitempty"`
	// Count is a number of frames (lab.stream: the stream's length; server.stop: frames sent).
	Count int `json:"count,omitempty"`
	// FPS is a stream's frame rate (lab.stream).
	FPS int `json:"fps,omitempty"`
	// GOP is a stream's frames from one keyframe to the next (lab.stream).
	GOP int `json:"gop,omitempty"`
	// BufferLength and Playhead are buffer samples (client.buffer).
	BufferLength time.Duration `json:"bufferLength,omitempty"`
	Playhead     time.Duration `json:"playhead,omitempty"`
	// BytesIn and BytesOut are byte counters.
	BytesIn  int64 `json:"bytesIn,omitempty"`
	BytesOut int64 `json:"bytesOut,omitempty"`
	// Strikes counts failed checks in a row (client.bitrate, client.bitrate.zero,
	// client.pings.missing) or numbers a restore attempt (client.restore.attempt).
	Strikes int `json:"strikes,omitempty"`
	// Kbps and Latency are a bandwidth check's results (client.bandwidth).
	Kbps    float64       `json:"kbps,omitempty"`
	Latency time.Duration `json:"latency,omitempty"`
	// Fault and Route name a fault and the route it acts on.
	Fault string `json:"fault,omitempty"`
	Route string `json:"route,omitempty"`
	// Target is the server or client a fault acts on (fault events), or the server a route
	// leads to (lab.route).
	Target string `json:"target,omitempty"`
	// Command is a command a client sent, as a wire tap saw it (tap.command); how a scripted
	// player's play request went out (client.play.request: play2, play or seek); the command a
	// server's playback answered (server.play: play, play2 or seek).
	Command string `json:"command,omitempty"`
	// Start is where a play or play2 seen on the wire asked to start, in seconds (negative:
	// live, or from the start).
	Start *float64 `json:"start,omitempty"`
	// Media is a media timestamp in seconds seen on the wire: the first of a run (tap.media),
	// the last of the connection's media (tap.close), the one after a jump (tap.jump), or a
	// mark reached (tap.reached).
	Media *float64 `json:"media,omitempty"`
	// Prev is a track's media timestamp before a jump, in seconds (tap.jump).
	Prev *float64 `json:"prev,omitempty"`
	// App is the application a connect seen on the wire named (tap.command).
	App string `json:"app,omitempty"`
	// ClosedBy says which side ended a tapped connection: client, server (its network or
	// server) or tap (the end of the run).
	ClosedBy string `json:"closedBy,omitempty"`
	// Message carries a reason, an error or detail.
	Message string `json:"message,omitempty"`
}

// History is a finished, time-ordered record of a run.
type History struct {
	// Version is the file format version.
	Version int `json:"version"`
	// Scenario is the scenario's name.
	Scenario string `json:"scenario"`
	// Start is the wall time the run began.
	Start time.Time `json:"start"`
	// Events are ordered by At, then Seq.
	Events []Event `json:"events"`

	mu  sync.Mutex
	idx *index
}

func (h *History) index() *index {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.idx == nil || h.idx.n != len(h.Events) {
		h.idx = buildIndex(h.Events)
	}
	return h.idx
}

func (h *History) pick(pos []int, keep func(Event) bool) []Event {
	var out []Event
	if keep == nil {
		out = make([]Event, 0, len(pos))
	}
	for _, i := range pos {
		if keep == nil || keep(h.Events[i]) {
			out = append(out, h.Events[i])
		}
	}
	return out
}

// Of returns, in order, the events of source whose kind is one of kinds (every kind when none
// is given).
func (h *History) Of(source string, kinds ...string) []Event {
	x := h.index()
	switch len(kinds) {
	case 0:
		return h.pick(x.source(source).all, nil)
	case 1:
		return h.pick(x.source(source).byKind[kinds[0]], nil)
	}
	var pos []int
	for _, k := range kinds {
		pos = append(pos, x.source(source).byKind[k]...)
	}
	sort.Ints(pos)
	return h.pick(slices.Compact(pos), nil)
}

// Judged returns, in order, the events of source but its buffer samples: every event a
// checker judges. No checker reads the samples (reports draw them, with Of), and they are
// most of a player's events, so a checker that looks at all of a client's events takes them
// from here rather than copying the samples with them.
func (h *History) Judged(source string) []Event { return h.pick(h.index().source(source).judged, nil) }

// Kind returns, in order, the events of one of kinds.
func (h *History) Kind(kinds ...string) []Event {
	if len(kinds) == 1 {
		return h.pick(h.index().byKind[kinds[0]], nil)
	}
	var pos []int
	for _, k := range kinds {
		pos = append(pos, h.index().byKind[k]...)
	}
	sort.Ints(pos)
	return h.pick(pos, nil)
}

// Declared returns, in order, the server events of connections that declared themselves to be
// client, whose kind is one of kinds (every kind when none is given).
func (h *History) Declared(client string, kinds ...string) []Event {
	return h.pick(h.index().byClient[client], kindIn(kinds))
}

func kindIn(kinds []string) func(Event) bool {
	if len(kinds) == 0 {
		return nil
	}
	return func(e Event) bool {
		for _, k := range kinds {
			if e.Kind == k {
				return true
			}
		}
		return false
	}
}

// Filter returns the events for which keep is true, in order.
func (h *History) Filter(keep func(Event) bool) []Event {
	var out []Event
	for _, e := range h.Events {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// StreamName is a stream name without the query a stream key may carry (cam?token=abc is
// cam): clients' requests hold the key as sent, servers' events the name it names.
func StreamName(key string) string {
	name, _, _ := strings.Cut(key, "?")
	return name
}
