package check

// Kind is one checker: its YAML key, what it proves (the JSON Schema's description) and how to
// make its parameters.
type Kind struct {
	// Key is the checker's YAML key in an expect entry.
	Key string
	// Doc says what the checker proves.
	Doc string
	// New returns new, empty parameters of the checker.
	New func() Checker
}

// Checkers is the table of checkers, in the order the documentation and the schema list them.
// Adding a checker is a file with its parameters and judgement, and a line here.
var Checkers = []Kind{
	{NameResumesAtOffset, "ResumesAtOffset: rendered frames strictly consecutive, resumes served at the requested offset.", func() Checker { return &ResumesAtOffset{} }},
	{NamePlaysToEnd, "PlaysToEnd: the stream's last frame is rendered before a deadline.", func() Checker { return &PlaysToEnd{} }},
	{NameReconnects, "Reconnects: the client resumed exactly Count times.", func() Checker { return &Reconnects{} }},
	{NameStallDetected, "StallDetected: the client's stall monitor fired soon enough after a fault made the link go dark.", func() Checker { return &StallDetected{} }},
	{NameBandwidthMeasured, "BandwidthMeasured: the server's bandwidth check reported Kbps within Tolerance.", func() Checker { return &BandwidthMeasured{} }},
	{NamePlaylistRebuilt, "PlaylistRebuilt: after each reconnect the server's playlist equals the client's and\nnothing was streamed before the resume.", func() Checker { return &PlaylistRebuilt{} }},
	{NameOldConnectionClosedAfterAttach, "OldConnectionClosedAfterAttach: a load-balance move attached the new connection before\nclosing the old one, and resumed after that.", func() Checker { return &OldConnectionClosedAfterAttach{} }},
	{NameStatusReceived, "StatusReceived: the client received a status code (e.g. NetStream.Play.Failed).", func() Checker { return &StatusReceived{} }},
	{NameRepublishes, "RepublishesAfterZeroBitrate: the publisher's bitrate check detected the stall in time,\nthe server saw a new publish and a viewer got frames again.", func() Checker { return &Republishes{} }},
	{NameRestorePolicy, "RestorePolicy: restore attempts within maxTries, spaced by the timeout (backoff), the\ncount reset after a success, a terminal FAILED when exhausted.", func() Checker { return &RestorePolicy{} }},
	{NameNoRestoreAfterManualStop, "NoRestoreAfterManualStop: after a manual stop the client neither restores nor publishes.", func() Checker { return &NoRestoreAfterManualStop{} }},
	{NameDeadPeerDetected, "DeadPeerDetected: missing pings declared the session dead soon enough after a fault.", func() Checker { return &DeadPeerDetected{} }},
	{NameLiveResumes, "LiveResumes: a viewer's timestamps never go backwards and frames come again soon after\neach republish.", func() Checker { return &LiveResumes{} }},
	{NameNoReconnect, "NoReconnect: the client keeps its session through a fault: no detection, no reconnect,\nno restore, and media on the same connection after the fault ended.", func() Checker { return &NoReconnect{} }},
	{NameReconnectsAfterLoss, "ReconnectsAfterLoss: every reconnect follows a loss the client did not cause itself\n(a closed connection, or one it closed on a detection, a network change or a move).", func() Checker { return &ReconnectsAfterLoss{} }},
}

// Names lists every checker's YAML key, in table order.
func Names() []string {
	out := make([]string, len(Checkers))
	for i, k := range Checkers {
		out[i] = k.Key
	}
	return out
}

func byKey(key string) (Kind, bool) {
	for _, k := range Checkers {
		if k.Key == key {
			return k, true
		}
	}
	return Kind{}, false
}
