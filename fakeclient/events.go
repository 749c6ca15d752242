package fakeclient

import (
	"time"

	"github.com/streamfault/streamfault/internal/status"
)

// Event kinds a player reports.
const (
	EventStatus      = "status"          // Code holds a NetConnection/NetStream status code
	EventPlayRequest = "play.request"    // a play2 sent on connection Conn: Stream, Transition, Offset
	EventReceived    = "frames.received" // video frames First..Last arrived on connection Conn
	EventDropped     = "frames.dropped"  // frames First..Last arrived but were already held
	EventRendered    = "frames.rendered" // frames First..Last passed the playhead, in order
	EventSample      = "buffer"          // BufferLength, Playhead and BytesIn sampled
	EventStall       = "stall.detected"  // the stall monitor gave up on connection Conn
	EventBandwidth   = "bandwidth"       // the server's onBWDone: Kbps, Latency
	EventMove        = "move"            // a load-balance move of connection Conn began; Message names the target
)

// Event is something a player did or saw.
type Event struct {
	// Time is when it happened (player clock).
	Time time.Time
	// Kind is one of the Event* constants.
	Kind string
	// Code is the status code (status events).
	Code string
	// Conn numbers the NetConnection, from 1; 0 when not tied to one.
	Conn int
	// Stream is the stream name (frame and play events).
	Stream string
	// First and Last delimit a run of frame indices (frame events).
	First, Last int
	// Transition and Offset describe a play2 request (play.request); Offset is in seconds.
	Transition string
	Offset     float64
	// OldStream is a switch or swap request's oldStreamName (play.request).
	OldStream string
	// Command is how a play request went out (play.request): play2, play, or play then seek.
	Command string
	// Playlist is the player's playlist once the request is applied (play.request).
	Playlist []string
	// StreamTime is the stream time of frame First (frame events).
	StreamTime time.Duration
	// BufferLength and Playhead are sampled in buffer events (Playhead is stream time).
	BufferLength, Playhead time.Duration
	// BytesIn counts bytes received over all connections so far (buffer events).
	BytesIn int64
	// BytesOut is the bytes sent in a bitrate check's interval (bitrate events).
	BytesOut int64
	// Strikes counts checks in a row that failed (bitrate, pings.missing) or the restore
	// attempt number (restore.attempt).
	Strikes int
	// Kbps and Latency are the server's bandwidth-check results (bandwidth events).
	Kbps    float64
	Latency time.Duration
	// Message carries an error or detail.
	Message string
	// SelfClosed marks a Connect.Closed the client caused itself (a stall monitor, a
	// zero-bitrate check, a move, a mutant), as opposed to a loss.
	SelfClosed bool
}

// Publisher event kinds (besides status events).
const (
	EventPublishRequest = "publish.request" // publish sent on connection Conn: Stream, Codec in Message
	EventBitrate        = "bitrate"         // a bitrate check: BytesOut sent in the interval, Strikes
	EventBitrateZero    = "bitrate.zero"    // Strikes checks in a row saw no byte leave: republish
	EventRestoreAttempt = "restore.attempt" // attempt Attempt of the restore timer begins
	EventRestoreFailed  = "restore.failed"  // the restore policy gave up: terminal FAILED
	EventPingsMissing   = "pings.missing"   // Strikes ping probes in a row saw no ping: the session is dead
	EventStopped        = "stopped"         // a manual stop
	EventSent           = "frames.sent"     // frames First..Last left on connection Conn
	EventRestoreWait    = "restore.scheduled"
)

// EventKinds lists every event kind a scripted client reports.
var EventKinds = []string{EventStatus, EventPlayRequest, EventReceived, EventDropped, EventRendered, EventSample, EventStall,
	EventBandwidth, EventMove, EventPublishRequest, EventBitrate, EventBitrateZero, EventRestoreAttempt, EventRestoreFailed,
	EventPingsMissing, EventStopped, EventSent, EventRestoreWait}

// StatusCodes lists the status codes a scripted client reports: its own (connect, buffer,
// network change, FAILED) and those a server sends it.
var StatusCodes = []string{status.ConnectSuccess, status.ConnectClosed, status.ConnectFailed, status.ConnectNetworkChange, status.ConnectRejected,
	status.PlayStart, status.PlayReset, status.PlayStop, status.PlayComplete, status.PlayFailed, status.PlayStreamNotFound, status.PlaySwitch,
	status.PlayTransition, status.PlayTransitionComplete, status.PlayPublishNotify, status.PlayUnpublishNotify,
	status.BufferFull, status.BufferEmpty, status.PublishStart, status.PublishBadName, status.PublishFailed,
	status.UnpublishSuccess, status.RestoreFailed}
