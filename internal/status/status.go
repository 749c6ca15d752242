// Package status names the RTMP status codes (the code of an onStatus or _result info object:
// NetConnection.* and NetStream.*) once, for the reference server that sends them, the
// scripted clients and the wire tap that receive them, and the checkers that judge them: a
// misspelt code is a compile error, not a checker that never matches.
package status

import "strings"

// NetConnection codes.
const (
	ConnectSuccess       = "NetConnection.Connect.Success"
	ConnectClosed        = "NetConnection.Connect.Closed"
	ConnectFailed        = "NetConnection.Connect.Failed"
	ConnectRejected      = "NetConnection.Connect.Rejected"
	ConnectNetworkChange = "NetConnection.Connect.NetworkChange"
	CallFailed           = "NetConnection.Call.Failed"
)

// NetStream codes of playback.
const (
	PlayStart              = "NetStream.Play.Start"
	PlayReset              = "NetStream.Play.Reset"
	PlayStop               = "NetStream.Play.Stop"
	PlayComplete           = "NetStream.Play.Complete"
	PlayFailed             = "NetStream.Play.Failed"
	PlayStreamNotFound     = "NetStream.Play.StreamNotFound"
	PlaySwitch             = "NetStream.Play.Switch"
	PlayTransition         = "NetStream.Play.Transition"
	PlayTransitionComplete = "NetStream.Play.TransitionComplete"
	PlayPublishNotify      = "NetStream.Play.PublishNotify"
	PlayUnpublishNotify    = "NetStream.Play.UnpublishNotify"
	BufferFull             = "NetStream.Buffer.Full"
	BufferEmpty            = "NetStream.Buffer.Empty"
	SeekNotify             = "NetStream.Seek.Notify"
	SeekFailed             = "NetStream.Seek.Failed"
	PauseNotify            = "NetStream.Pause.Notify"
	UnpauseNotify          = "NetStream.Unpause.Notify"
)

// NetStream codes of publishing.
const (
	PublishStart     = "NetStream.Publish.Start"
	PublishBadName   = "NetStream.Publish.BadName"
	PublishFailed    = "NetStream.Publish.Failed"
	UnpublishSuccess = "NetStream.Unpublish.Success"
)

// RestoreFailed is the terminal state of a WCS-style restore policy that gave up (not an
// RTMP code: the scripted clients report it as their session's final status).
const RestoreFailed = "FAILED"

const (
	connectionPrefix = "NetConnection."
	streamPrefix     = "NetStream."
)

// IsConnection tells whether code is a NetConnection code.
func IsConnection(code string) bool { return strings.HasPrefix(code, connectionPrefix) }

// IsStream tells whether code is a NetStream code.
func IsStream(code string) bool { return strings.HasPrefix(code, streamPrefix) }
