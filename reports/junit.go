package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
)

// JUnit report types, in the layout of the Apache Ant JUnit XML Schema (the published
// schema most consumers accept): <testsuites> holds one <testsuite> per scenario run, whose
// <properties> carry the run's figures and whose <system-out> holds its timeline excerpt —
// the schema allows neither inside a <testcase>.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string      `xml:"name,attr"`
	Package    string      `xml:"package,attr"`
	ID         int         `xml:"id,attr"`
	Timestamp  string      `xml:"timestamp,attr"`
	Hostname   string      `xml:"hostname,attr"`
	Tests      int         `xml:"tests,attr"`
	Failures   int         `xml:"failures,attr"`
	Errors     int         `xml:"errors,attr"`
	Time       string      `xml:"time,attr"`
	Properties junitProps  `xml:"properties"`
	Cases      []junitCase `xml:"testcase"`
	SystemOut  junitText   `xml:"system-out"`
	SystemErr  junitText   `xml:"system-err"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"` // LayoutCases only
}

// JUnit layouts.
const (
	// LayoutAnt puts the output (controls, timeline) on each testsuite: valid against the
	// Apache Ant JUnit XML Schema, which allows nothing but a failure or an error inside a
	// testcase.
	LayoutAnt = "ant"
	// LayoutCases puts the output inside each testcase, where GitLab's and Jenkins' test views
	// and junitparser's TestCase.system_out read it; the Ant schema does not accept it.
	LayoutCases = "cases"
)

// Layouts are the JUnit layouts.
var Layouts = []string{LayoutAnt, LayoutCases}

type junitProps struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitText struct {
	Body string `xml:",cdata"`
}

// Run is one scenario run for the CLI's JUnit report: a result, or the harness error that
// prevented one.
type Run struct {
	// Name is the testcase name (the scenario name, with the repeat number when repeated).
	Name string
	// File is the scenario file.
	File string
	// Seed is the nemesis seed (0 when the scenario has no nemesis).
	Seed uint64
	// Result is the run's result; nil when Err prevented one.
	Result *harness.Result
	// Err is a harness error (lab, fault injection).
	Err error
	// Elapsed is the run's wall time.
	Elapsed time.Duration
	// Started is when the run began (zero: the report's start).
	Started time.Time
}

// WriteJUnit writes one testsuite per run, each holding the run's testcase, properties
// (scenario file, seed, reconnects, recovery times, resume offsets requested vs served,
// verdicts), a failure message that names what broke, and on failure a timeline excerpt in
// system-out. The document validates against the Apache Ant JUnit XML Schema.
func WriteJUnit(w io.Writer, suite string, started time.Time, runs []Run) error {
	return WriteJUnitLayout(w, LayoutAnt, suite, started, runs)
}

// WriteJUnitLayout writes the JUnit report in a layout (LayoutAnt or LayoutCases).
func WriteJUnitLayout(w io.Writer, layout, suite string, started time.Time, runs []Run) error {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	doc := junitSuites{}
	for i, r := range runs {
		at := r.Started
		if at.IsZero() {
			at = started
		}
		s := junitSuite{Name: r.Name, Package: "streamfault." + suite, ID: i, Hostname: host,
			Timestamp: at.UTC().Format("2006-01-02T15:04:05"), Tests: 1, Time: secs(r.Elapsed)}
		c := junitCase{Name: r.Name, Classname: "streamfault." + suite, Time: secs(r.Elapsed)}
		props := []junitProp{{"scenario.file", r.File}}
		if r.Seed != 0 {
			props = append(props, junitProp{"nemesis.seed", fmt.Sprint(r.Seed)})
		}
		switch {
		case r.Result != nil && r.Result.Interrupted != "":
			// Neither a pass nor a failure: the run was cut short and not judged.
			s.Errors++
			c.Error = &junitFailure{Message: r.Result.Problems()[0], Type: "interrupted"}
		case r.Err != nil:
			s.Errors++
			c.Error = &junitFailure{Message: r.Err.Error(), Type: "harness"}
		case !r.Result.Passed():
			s.Failures++
			problems := r.Result.Problems()
			c.Failure = &junitFailure{Message: firstLine(problems[0]), Type: "checker", Body: strings.Join(problems, "\n")}
		}
		if r.Result != nil {
			props = append(props, figures(r.Result)...)
			props = append(props, controlProps(r.Result)...)
			if r.Result.History != nil {
				out := xmlText(controlLines(r.Result) + EventLog(r.Result.History, 120))
				if layout == LayoutCases {
					c.SystemOut = &junitText{Body: out}
				} else {
					s.SystemOut.Body = out
				}
			}
		}
		s.Properties = junitProps{Props: props}
		s.Cases = []junitCase{c}
		doc.Suites = append(doc.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("reports: junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("reports: junit: %w", err)
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// WriteJUnitFile writes the JUnit report in a layout to path, creating its directory,
// atomically (a partial file is never left behind).
func WriteJUnitFile(path, layout, suite string, started time.Time, runs []Run) error {
	return writeAtomically(path, func(w io.Writer) error { return WriteJUnitLayout(w, layout, suite, started, runs) })
}

// figures are the per-run properties: reconnects, recovery times, resume offsets.
func figures(r *harness.Result) []junitProp {
	var props []junitProp
	clients := make([]string, 0, len(r.Scenario.Clients))
	for _, c := range r.Scenario.Clients {
		clients = append(clients, c.Name)
	}
	sort.Strings(clients)
	for _, c := range clients {
		resumes := check.Resumes(r.History, c)
		props = append(props, junitProp{c + ".reconnects", fmt.Sprint(len(resumes))})
		var offs []string
		for _, rs := range resumes {
			served := "none"
			if rs.Served != nil && rs.Served.StartTime != nil {
				served = fmt.Sprintf("%.3f", *rs.Served.StartTime)
			}
			offs = append(offs, fmt.Sprintf("requested=%.3fs served=%ss", *rs.Request.Offset, served))
		}
		if len(offs) > 0 {
			props = append(props, junitProp{c + ".resume.offsets", strings.Join(offs, "; ")})
		}
		for _, k := range []struct{ kind, name string }{{history.KindClientAttempt, "restore.attempts"},
			{history.KindClientZero, "bitrate.zero"}, {history.KindClientPings, "pings.missing"}, {history.KindClientFailed, "restore.failed"}} {
			if n := len(r.History.Of(c, k.kind)); n > 0 {
				props = append(props, junitProp{c + "." + k.name, fmt.Sprint(n)})
			}
		}
		var rec []string
		for _, x := range r.Recoveries[c] {
			rec = append(rec, fmt.Sprint(x.Took.Milliseconds()))
		}
		if len(rec) > 0 {
			props = append(props, junitProp{c + ".recovery.ms", strings.Join(rec, " ")})
		}
	}
	for _, v := range r.Verdicts {
		props = append(props, junitProp{"verdict." + v.Checker + "." + v.Subject, string(v.Status)})
	}
	for _, f := range r.Faults {
		what := "never fired (" + f.Trigger + ")"
		switch {
		case f.Fired && f.End > 0:
			what = fmt.Sprintf("fired %s, ended %s", secs(f.Start), secs(f.End))
		case f.Fired:
			what = fmt.Sprintf("fired %s, lasted to the end", secs(f.Start))
		}
		props = append(props, junitProp{"fault." + f.Name, what})
	}
	if r.History != nil {
		for _, e := range r.History.Kind(history.KindHarnessLag) {
			props = append(props, junitProp{"harness.lag", e.Message})
		}
	}
	return props
}

// controlProps marks each verdict that is a control and came out as its control demands:
// control.<checker>.<client> = "negative control: passes because <checker> failed as expected".
func controlProps(r *harness.Result) []junitProp {
	var props []junitProp
	for _, line := range controls(r) {
		props = append(props, junitProp{"control." + line.key, line.what})
	}
	return props
}

// controlLines says the same at the head of the run's output.
func controlLines(r *harness.Result) string {
	var b strings.Builder
	for _, line := range controls(r) {
		fmt.Fprintf(&b, "%s(%s): %s\n", line.checker, line.subject, line.what)
	}
	return b.String()
}

type controlLine struct{ key, checker, subject, what string }

// controls lists the verdicts a scenario's expectFailures or expectUnknown names, with what
// they came out as.
func controls(r *harness.Result) []controlLine {
	if r.Scenario == nil {
		return nil
	}
	ctl := r.Scenario.Controls()
	var out []controlLine
	for _, v := range r.Verdicts {
		one := []check.Verdict{v}
		what := ""
		switch {
		case ctl.Failures != nil && len((check.Controls{Failures: ctl.Failures}).Problems(one)) == 0 && v.Status == check.Fail:
			what = "negative control: passes because " + v.Checker + " failed as expected"
		case ctl.Unknown != nil && len((check.Controls{Unknown: ctl.Unknown}).Problems(one)) == 0 && v.Status == check.Unknown:
			what = "vacuity control: passes because " + v.Checker + " said unknown as expected"
		default:
			continue
		}
		out = append(out, controlLine{key: v.Checker + "." + v.Subject, checker: v.Checker, subject: v.Subject, what: what})
	}
	return out
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
