package check

import "github.com/streamfault/streamfault/internal/spec"

// Checkers is the table of checkers, in the order the documentation and the schema list them.
// Adding a checker is a file with its parameters and judgement, and a line here.
var Checkers = spec.Table[Checker]{
	{Key: NameResumesAtOffset, Doc: "ResumesAtOffset: rendered frames strictly consecutive, resumes served at the requested offset.", New: func() Checker { return &ResumesAtOffset{} }},
	{Key: NamePlaysToEnd, Doc: "PlaysToEnd: the stream's last frame is rendered before a deadline.", New: func() Checker { return &PlaysToEnd{} }},
	{Key: NameReconnects, Doc: "Reconnects: the client resumed exactly Count times.", New: func() Checker { return &Reconnects{} }},
	{Key: NameStallDetected, Doc: "StallDetected: the client's stall monitor fired soon enough after a fault made the link go dark.", New: func() Checker { return &StallDetected{} }},
	{Key: NameBandwidthMeasured, Doc: "BandwidthMeasured: the server's bandwidth check reported Kbps within Tolerance.", New: func() Checker { return &BandwidthMeasured{} }},
	{Key: NamePlaylistRebuilt, Doc: "PlaylistRebuilt: after each reconnect the server's playlist equals the client's and\nnothing was streamed before the resume.", New: func() Checker { return &PlaylistRebuilt{} }},
	{Key: NameOldConnectionClosedAfterAttach, Doc: "OldConnectionClosedAfterAttach: a load-balance move attached the new connection before\nclosing the old one, and resumed after that.", New: func() Checker { return &OldConnectionClosedAfterAttach{} }},
	{Key: NameStatusReceived, Doc: "StatusReceived: the client received a status code (e.g. NetStream.Play.Failed).", New: func() Checker { return &StatusReceived{} }},
	{Key: NameRepublishes, Doc: "RepublishesAfterZeroBitrate: the publisher's bitrate check detected the stall in time,\nthe server saw a new publish and a viewer got frames again.", New: func() Checker { return &Republishes{} }},
	{Key: NameRestorePolicy, Doc: "RestorePolicy: restore attempts within maxTries, spaced by the timeout (backoff), the\ncount reset after a success, a terminal FAILED when exhausted.", New: func() Checker { return &RestorePolicy{} }},
	{Key: NameNoRestoreAfterManualStop, Doc: "NoRestoreAfterManualStop: after a manual stop the client neither restores nor publishes.", New: func() Checker { return &NoRestoreAfterManualStop{} }},
	{Key: NameDeadPeerDetected, Doc: "DeadPeerDetected: missing pings declared the session dead soon enough after a fault.", New: func() Checker { return &DeadPeerDetected{} }},
	{Key: NameLiveResumes, Doc: "LiveResumes: a viewer's timestamps never go backwards and frames come again soon after\neach republish.", New: func() Checker { return &LiveResumes{} }},
	{Key: NameNoReconnect, Doc: "NoReconnect: the client keeps its session through a fault: no detection, no reconnect,\nno restore, and media on the same connection after the fault ended.", New: func() Checker { return &NoReconnect{} }},
	{Key: NameReconnectsAfterLoss, Doc: "ReconnectsAfterLoss: every reconnect follows a loss the client did not cause itself\n(a closed connection, or one it closed on a detection, a network change or a move).", New: func() Checker { return &ReconnectsAfterLoss{} }},
	{Key: NameMediaContinuity, Doc: "MediaContinuity: the media a client got (or sent) ran on without a break: timestamps never\nback nor leaping within a connection, a resume neither repeating nor skipping.", New: func() Checker { return &MediaContinuity{} }},
	{Key: NameSubjectAlive, Doc: "SubjectAlive: the server program under test lived through the run: no exit but those the\nharness caused (a kill, a restart, the final stop).", New: func() Checker { return &SubjectAlive{} }},
}
