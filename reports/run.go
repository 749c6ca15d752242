package reports

import (
	"errors"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
)

// FromRun is the JSON report of a run as the CLI holds it: the result's report with the run's
// name (when repeated), start and harness error; a run that a harness error left without a
// result still gets a report, which says so, so that a merge of shards loses no run.
func FromRun(r Run) Report {
	res := r.Result
	if res == nil {
		name, _, _ := strings.Cut(r.Name, "#") // a repeat's run name is the scenario's, #i
		s := &scenario.Scenario{Name: name, Path: r.File}
		res = &harness.Result{Scenario: s, History: &history.History{Scenario: name}, Elapsed: r.Elapsed}
	}
	rep := FromResult(res)
	if r.Name != rep.Scenario {
		rep.Run = r.Name
	}
	rep.Started = r.Started
	if r.Elapsed > 0 { // the run's wall time as the CLI measured it, which its JUnit shows
		rep.ElapsedSeconds = r.Elapsed.Seconds()
	}
	if r.Err != nil {
		rep.Error, rep.Passed = r.Err.Error(), false
		rep.Problems = append([]string{"harness error: " + r.Err.Error()}, rep.Problems...)
	}
	if r.Result == nil {
		rep.History = nil
	}
	return rep
}

// AsRun is the run a report was written from (FromRun's inverse as far as the report holds
// it): its name, file, seed, start, wall time, result and harness error.
func (rep *Report) AsRun() Run {
	r := Run{Name: rep.Scenario, File: rep.File, Seed: rep.Seed, Started: rep.Started,
		Elapsed: time.Duration(rep.ElapsedSeconds * float64(time.Second))}
	if rep.Run != "" {
		r.Name = rep.Run
	}
	if rep.Error != "" {
		r.Err = errors.New(rep.Error)
	}
	if rep.Error == "" || rep.History != nil {
		r.Result = rep.Result()
		if r.Result.History == nil {
			r.Result.History = &history.History{Scenario: rep.Scenario}
		}
	}
	return r
}

// RepeatRows are the recovery time percentiles per scenario over runs that repeat scenarios
// (a run named other than its scenario, "name#2"), in the order scenarios first appear; none
// when no scenario was repeated.
func RepeatRows(runs []Run) []RepeatRow {
	repeated := false
	for _, r := range runs {
		repeated = repeated || (r.Result != nil && r.Name != r.Result.Scenario.Name)
	}
	if !repeated {
		return nil
	}
	var order []string
	times := map[string][]time.Duration{}
	for _, r := range runs {
		if r.Result == nil {
			continue
		}
		name := r.Result.Scenario.Name
		if _, seen := times[name]; !seen {
			order = append(order, name)
			times[name] = nil
		}
		times[name] = append(times[name], Recoveries(r.Result)...)
	}
	rows := make([]RepeatRow, 0, len(order))
	for _, name := range order {
		p50, p95, mx := Percentiles(times[name])
		rows = append(rows, RepeatRow{Scenario: name, N: len(times[name]), P50: p50, P95: p95, Max: mx})
	}
	return rows
}
