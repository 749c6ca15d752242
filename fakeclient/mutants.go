package fakeclient

// MutantResumeFromStart is a broken player: after a drop it asks to resume at offset 0 and
// appends whatever arrives without splicing, so it shows frames twice.
const MutantResumeFromStart = "resume-from-start"

// MutantDoubleReconnect is a broken player: once a resume has started playing it drops its
// new connection one more time (as a spurious stall timer would) and resumes again, so one
// outage costs two reconnects.
const MutantDoubleReconnect = "double-reconnect"

// MutantNoStallMonitor is a broken player: its stall monitor never fires, so on a half-open
// link (no Connect.Closed) it waits until the link comes back or closes.
const MutantNoStallMonitor = "no-stall-monitor"

// MutantSlowBandwidthReply is a broken player: it answers each onBWCheck that carries a
// payload 250 ms late (as if it consumed data slowly), so the server under-measures its
// bandwidth. (A delay on every answer would also inflate the latency probe, which the server
// subtracts.)
const MutantSlowBandwidthReply = "slow-bw-reply"

// MutantRebuildWithAppend is a broken player: when it rebuilds its playlist after a drop it
// re-adds the earlier items with append instead of appendAndWait, so the server starts
// streaming them at once and they arrive twice.
const MutantRebuildWithAppend = "rebuild-with-append"

// MutantResumeAtItemStart is a broken player: it resumes at the stream time where the current
// playlist item began instead of the end of its buffer, and shows what arrives unspliced.
const MutantResumeAtItemStart = "resume-at-item-start"

// MutantCloseBeforeAttach is a broken player: on a load-balance move it closes its old
// connection first and only then connects to the new server, so playback depends on the
// buffer bridging the whole connect.
const MutantCloseBeforeAttach = "close-before-attach"

// Mutants lists the player's deliberately broken behaviours.
var Mutants = []string{MutantResumeFromStart, MutantDoubleReconnect, MutantNoStallMonitor, MutantSlowBandwidthReply,
	MutantRebuildWithAppend, MutantResumeAtItemStart, MutantCloseBeforeAttach}

// Publisher mutants: deliberately broken Streaming Auto Restore behaviours.
const (
	// MutantNoBitrateCheck never notices that its bitrate fell to zero.
	MutantNoBitrateCheck = "no-bitrate-check"
	// MutantRestoreForever ignores the restore policy's maxTries.
	MutantRestoreForever = "restore-forever"
	// MutantRestoreAfterManualStop keeps its restore timer running after a manual stop.
	MutantRestoreAfterManualStop = "restore-after-manual-stop"
	// MutantIgnorePings never counts missing pings.
	MutantIgnorePings = "ignore-pings"
	// MutantRestartTimestamps starts its timestamps at 0 again on every republish.
	MutantRestartTimestamps = "restart-timestamps"
	// MutantQueryInApp puts its identity in the application name as a query
	// (live?sfclient=cam&sfconn=1), as streamfault's clients once did: servers that validate
	// application names refuse it.
	MutantQueryInApp = "query-in-app"
	// MutantResetOnAccept counts itself restored on any Publish.Start, also one the server
	// takes back at once, and starts its restore count again: against a server that keeps
	// taking it back it restores forever.
	MutantResetOnAccept = "reset-on-accept"
)

// PublisherMutants lists the publisher's deliberately broken behaviours.
var PublisherMutants = []string{MutantNoBitrateCheck, MutantRestoreForever, MutantRestoreAfterManualStop,
	MutantIgnorePings, MutantRestartTimestamps, MutantQueryInApp, MutantResetOnAccept}
