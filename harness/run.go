// Package harness runs a scenario in three stages: build (the lab, the history's account of
// it, the clients' actors), play (the fault timeline and the actors, everything recorded into
// one history) and judge (the checkers on that history).
package harness

import (
	"fmt"
	"time"

	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/gcpace"
	"github.com/streamfault/streamfault/internal/status"
)

// Options configures a run.
type Options struct {
	// ToxiproxyURL selects an external toxiproxy-server (from the command line or the
	// environment: it wins over the scenario's toxiproxy.url); empty leaves the choice to the
	// scenario, and without one there either, a Toxiproxy is embedded.
	ToxiproxyURL string
	// AllowRemote lets a Toxiproxy (or a server under test) be on a host other than loopback:
	// an explicit opt-in; without it such a scenario is refused before anything is contacted.
	AllowRemote bool
	// Clock is the run's single time source; default the real clock.
	Clock clock.Clock
	// OutDir is where each run gets a folder of its own (scenario-date-time) for the files
	// the programs under test write ({out}: one folder per client, kept after the run);
	// default the system's temporary folder, under streamfault-out.
	OutDir string
	// OnEvent, when set, is called with every event of the run's history as it is recorded
	// (progress lines); it must be quick and safe for concurrent use.
	OnEvent func(history.Event)
	// OnFrameDue, when set, is told when the reference server meant each video frame of a
	// playback to leave: for the connection that declared itself client's number conn, the
	// frame of streamTime was due at due on the history's clock (since the run's start), at
	// the playback's start when burst (its initial burst). For measuring lateness; it must
	// be quick and safe for concurrent use.
	OnFrameDue func(client string, conn int, streamTime, due time.Duration, burst bool)
	// KeepEveryFrame records every frame as an event of its own instead of in runs (larger
	// histories; to compare the two).
	KeepEveryFrame bool
	// Pacer, when set, is told the heap the run's clients will hold while the run lasts, so
	// that the collector does not run at every 30 % of growth while they connect (gcpace);
	// when the collector's goal for that heap is 64 MB or more (about 250 clients), that much
	// heap is mapped ahead in huge pages before they start (hugeheap).
	Pacer *gcpace.Pacer
}

// Result is what a run produced.
type Result struct {
	// Scenario is the scenario that ran.
	Scenario *scenario.Scenario
	// History is everything that happened.
	History *history.History
	// Verdicts are the checkers' results, in the order of the scenario's expect list.
	Verdicts []check.Verdict
	// Elapsed is the run's wall time, lab setup and teardown included.
	Elapsed time.Duration
	// Recoveries are the measured recovery times, per client.
	Recoveries map[string][]check.Recovery
	// Faults accounts for every fault of the scenario: when it fired, or that it never did.
	Faults []FaultRecord
	// HugeHeap is the heap mapped ahead for the run's clients and advised to be backed by
	// transparent huge pages (bytes; 0 when none was: a small lab, or no Options.Pacer).
	HugeHeap int64
	// Interrupted says why the run was cut short from outside (Ctrl-C, SIGTERM, a test
	// framework's interrupt); an interrupted run has no verdict. Empty for a run that ended
	// by itself (its scenario's timeout included).
	Interrupted string
}

// FaultRecord is what became of one fault of the scenario.
type FaultRecord struct {
	// Name is the fault's name.
	Name string `json:"name"`
	// Kind is its kind.
	Kind string `json:"kind"`
	// Trigger says when it was due to fire.
	Trigger string `json:"trigger"`
	// Optional faults may never fire.
	Optional bool `json:"optional,omitempty"`
	// Fired tells whether it fired; Start and End (0 when it lasted to the end) say when.
	Fired bool          `json:"fired"`
	Start time.Duration `json:"start,omitempty"`
	End   time.Duration `json:"end,omitempty"`
}

// Problems lists why the result does not meet the scenario's expectations: a checker that
// did not pass (except the controls named by expectFailures and expectUnknown, which must
// fail or say unknown), or a fault that never fired (unless optional). Empty means success.
// A nemesis scenario's problems end with the seed that replays its schedule.
func (r *Result) Problems() []string {
	if r.Interrupted != "" {
		return []string{"run interrupted (" + r.Interrupted + "): no verdict"}
	}
	var out []string
	if !r.Scenario.Controls().Expects(check.NameSubjectAlive) { // a negative control judges the death itself
		out = subjectDeaths(r.History)
	}
	out = append(out, r.Scenario.Controls().Problems(r.Verdicts)...)
	for _, f := range r.Faults {
		if !f.Fired && !f.Optional {
			out = append(out, fmt.Sprintf("fault %s never fired (%s); mark it optional: true if it may not", f.Name, f.Trigger))
		}
	}
	if n := r.Scenario.Nemesis; n != nil && len(out) > 0 {
		out = append(out, fmt.Sprintf("nemesis seed %d (set nemesis.seed to replay this schedule)", n.Seed))
	}
	return out
}

// Passed tells whether the result meets the scenario's expectations.
func (r *Result) Passed() bool { return len(r.Problems()) == 0 }

// subjectDeaths says, for each server program that died on its own during the run, that it
// did: a run whose subject died is not a pass, whatever the verdicts.
func subjectDeaths(h *history.History) []string {
	var out []string
	for _, e := range h.Kind(history.KindServerExit) {
		if e.Code != history.ExitUnplanned {
			continue
		}
		when := ""
		if !anyClientConnected(h, e.At) {
			when = ", before any client connected"
		}
		out = append(out, fmt.Sprintf("server %s died on its own at %s%s: %s (a run whose subject dies is not a pass; set process.mayExit if it may)",
			e.Source, fmt.Sprintf("%.3fs", e.At.Seconds()), when, e.Message))
	}
	return out
}

// anyClientConnected tells whether a client connected to a server before t.
func anyClientConnected(h *history.History, t time.Duration) bool {
	for _, e := range h.Kind(history.KindClientStatus, history.KindTapConnect) {
		if e.At < t && (e.Kind == history.KindTapConnect && e.Message == "" || e.Code == status.ConnectSuccess) {
			return true
		}
	}
	return false
}
