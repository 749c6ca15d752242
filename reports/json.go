// Package reports writes what a run produced for people and tools: the JSON report (the
// history with its verdicts, loadable again for offline re-checking).
package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/fault"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
)

// Version is the JSON report format version (3: frame events may be runs; 4: buffer samples
// may be runs; 2 and 3 are read too).
const Version = 4

// oldestVersion is the oldest report format this build reads.
const oldestVersion = 2

// Report is the JSON form of one scenario run.
type Report struct {
	// Version is the report format version.
	Version int `json:"version"`
	// Scenario is the scenario's name.
	Scenario string `json:"scenario"`
	// Run names the run when it is one of several of the scenario ("name#2"); empty otherwise.
	Run string `json:"run,omitempty"`
	// File is the scenario file.
	File string `json:"file,omitempty"`
	// Passed tells whether the run met the scenario's expectations.
	Passed bool `json:"passed"`
	// Seed is the nemesis seed (0 when the scenario has no nemesis).
	Seed uint64 `json:"seed,omitempty"`
	// Started is when the run began (zero in reports of older builds).
	Started time.Time `json:"started,omitzero"`
	// Error is the harness error that ended the run (a lab that could not start…); such a
	// run has no verdict, and without a history no result either.
	Error string `json:"error,omitempty"`
	// Interrupted says why the run was cut short from outside; such a run has no verdict.
	Interrupted string `json:"interrupted,omitempty"`
	// Problems explain a failed run.
	Problems []string `json:"problems,omitempty"`
	// Notes are what a reader should know that does not change the result (the harness
	// itself fell behind real time).
	Notes []string `json:"notes,omitempty"`
	// ElapsedSeconds is the run's wall time.
	ElapsedSeconds float64 `json:"elapsedSeconds"`
	// Clients are the names of the scenario's clients (each member of a group), whose
	// figures the JUnit report lists.
	Clients []string `json:"clients,omitempty"`
	// Expect are the checkers with their parameters as resolved when the scenario was loaded,
	// so that the report re-checks on its own.
	Expect []check.Expectation `json:"expect,omitempty"`
	// Controls name the verdicts that had to fail or say unknown.
	check.Controls
	// Faults accounts for every fault: when it fired, or that it never did.
	Faults []harness.FaultRecord `json:"faults,omitempty"`
	// Verdicts are the checkers' results.
	Verdicts []check.Verdict `json:"verdicts"`
	// Recoveries are the measured recovery times per client.
	Recoveries map[string][]check.Recovery `json:"recoveries,omitempty"`
	// History is everything that happened.
	History *history.History `json:"history"`
}

// FromResult builds the report of a run.
func FromResult(r *harness.Result) Report {
	var seed uint64
	if n := r.Scenario.Nemesis; n != nil {
		seed = n.Seed
	}
	clients := make([]string, 0, len(r.Scenario.Clients))
	for _, c := range r.Scenario.Clients {
		clients = append(clients, c.Name)
	}
	return Report{Seed: seed, Version: Version, Scenario: r.Scenario.Name, File: r.Scenario.Path, Passed: r.Passed(), Interrupted: r.Interrupted,
		Problems: r.Problems(), Notes: r.Notes(), ElapsedSeconds: r.Elapsed.Seconds(), Clients: clients, Expect: r.Scenario.Expect, Controls: r.Scenario.Controls(),
		Faults: r.Faults, Verdicts: r.Verdicts, Recoveries: r.Recoveries, History: r.History}
}

// Result is the run the report was written from, as far as the report holds it (the scenario's
// name, file, client names, expectations, controls and nemesis seed; the history, verdicts,
// faults and recoveries): what makes one JUnit file of reports written by separate processes.
func (rep *Report) Result() *harness.Result {
	s := &scenario.Scenario{Name: rep.Scenario, Path: rep.File, Expect: rep.Expect,
		ExpectFailures: rep.Controls.Failures, ExpectUnknown: rep.Controls.Unknown}
	for _, c := range rep.Clients {
		s.Clients = append(s.Clients, scenario.Client{Name: c})
	}
	if rep.Seed != 0 {
		s.Nemesis = &fault.Nemesis{Seed: rep.Seed}
	}
	return &harness.Result{Scenario: s, History: rep.History, Verdicts: rep.Verdicts, Recoveries: rep.Recoveries,
		Faults: rep.Faults, Interrupted: rep.Interrupted, Elapsed: time.Duration(rep.ElapsedSeconds * float64(time.Second))}
}

// WriteJSON writes the report as JSON, its history streamed one event at a time (memory for
// one event, not for the file: a history can hold hundreds of thousands).
func WriteJSON(w io.Writer, rep Report) error {
	h := rep.History
	rep.History = nil
	head, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		return fmt.Errorf("reports: encode %s: %w", rep.Scenario, err)
	}
	// The history is the last field: its null is replaced by the streamed history.
	const tail = "\"history\": null\n}"
	if !bytes.HasSuffix(head, []byte(tail)) {
		return fmt.Errorf("reports: encode %s: the report does not end with its history", rep.Scenario)
	}
	if _, err := w.Write(head[:len(head)-len(tail)+len(`"history": `)]); err != nil {
		return fmt.Errorf("reports: write %s: %w", rep.Scenario, err)
	}
	if h == nil {
		_, err = io.WriteString(w, "null")
	} else {
		err = h.WriteJSON(w)
	}
	if err == nil {
		_, err = io.WriteString(w, "\n}\n")
	}
	if err != nil {
		return fmt.Errorf("reports: write %s: %w", rep.Scenario, err)
	}
	return nil
}

// WriteJSONFile writes dir/<scenario>.json (dir/<scenario>-<i>.json for repeat i), creating
// dir, atomically (a partial file is never left behind).
func WriteJSONFile(dir string, rep Report) (string, error) {
	name := rep.Scenario
	if rep.Run != "" {
		name = strings.ReplaceAll(rep.Run, "#", "-")
	}
	path := filepath.Join(dir, name+".json")
	return path, writeAtomically(path, func(w io.Writer) error { return WriteJSON(w, rep) })
}

// ReadJSON loads a report written by WriteJSON.
func ReadJSON(r io.Reader) (*Report, error) {
	var rep Report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("reports: decode: %w", err)
	}
	if rep.Version < oldestVersion || rep.Version > Version {
		return nil, fmt.Errorf("reports: version %d, this build reads %d to %d", rep.Version, oldestVersion, Version)
	}
	return &rep, nil
}
