package reports

import (
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// RepeatRow is one line of the repeat statistics: recovery time percentiles of a scenario.
type RepeatRow struct {
	// Scenario is the scenario's name.
	Scenario string
	// N is the number of recoveries measured.
	N int
	// P50, P95 and Max are recovery-time percentiles.
	P50, P95, Max time.Duration
}

// WriteHTML writes a self-contained timeline report into dir: index.html (every run with its
// verdicts, and the repeat statistics) and one page per run plotting each client's playhead,
// buffer length and bytes/s over wall time, with fault windows shaded and status events
// marked. Nothing is fetched from the network when the pages are opened.
// With cmp set, the index starts with the side-by-side table of subjects.
func WriteHTML(dir string, runs []Run, repeat []RepeatRow, cmp *Comparison) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: html: %w", err)
	}
	type row struct {
		Run
		Page, Status string
		Verdicts     []string
	}
	var rows []row
	for _, r := range runs {
		rw := row{Run: r, Page: pageName(r.Name), Status: status(r)}
		if r.Result != nil {
			for _, v := range r.Result.Verdicts {
				rw.Verdicts = append(rw.Verdicts, fmt.Sprintf("%s=%s", v.Checker, v.Status))
			}
			if err := writePage(filepath.Join(dir, rw.Page), r); err != nil {
				return err
			}
		}
		rows = append(rows, rw)
	}
	f, err := os.Create(filepath.Join(dir, "index.html"))
	if err != nil {
		return fmt.Errorf("reports: html: %w", err)
	}
	err = indexTmpl.Execute(f, map[string]any{"Rows": rows, "Repeat": repeat, "Compare": cmp})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reports: html index: %w", err)
	}
	return nil
}

func pageName(run string) string {
	return strings.NewReplacer("#", "-", "/", "-").Replace(run) + ".html"
}

func status(r Run) string {
	switch {
	case r.Err != nil:
		return "error"
	case r.Result.Interrupted != "":
		return "interrupted"
	case r.Result.Passed():
		return "pass"
	}
	return "fail"
}

// chart geometry
const (
	chartW, panelH, marginL, marginR, gap = 960, 110, 70, 20, 28
)

// faultWindow is when a named fault acted.
type faultWindow struct {
	name     string
	from, to time.Duration
}

func writePage(path string, r Run) error {
	h := r.Result.History
	end := time.Duration(0)
	if n := len(h.Events); n > 0 {
		end = h.Events[n-1].At
	}
	end = max(end, time.Second)
	var faults []faultWindow
	starts := map[string]time.Duration{}
	for _, e := range h.Events {
		switch e.Kind {
		case history.KindFaultStart:
			starts[e.Fault] = e.At
		case history.KindFaultEnd:
			faults = append(faults, faultWindow{e.Fault, starts[e.Fault], e.At})
			delete(starts, e.Fault)
		}
	}
	for name, at := range starts { // open until the end of the run (healed then)
		faults = append(faults, faultWindow{name, at, end})
	}
	sort.Slice(faults, func(i, j int) bool { return faults[i].from < faults[j].from })

	var charts []template.HTML
	for _, c := range r.Result.Scenario.Clients {
		charts = append(charts, clientChart(h, c.Name, end, faults))
	}
	var verdicts []map[string]any
	for _, v := range r.Result.Verdicts {
		verdicts = append(verdicts, map[string]any{"V": v})
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("reports: html: %w", err)
	}
	err = pageTmpl.Execute(f, map[string]any{
		"Name": r.Name, "File": r.File, "Status": status(r), "Seed": r.Seed,
		"Elapsed": fmt.Sprintf("%.1fs", r.Elapsed.Seconds()), "Verdicts": verdicts, "Charts": charts,
		"Problems": r.Result.Problems(), "Notes": r.Result.Notes(), "Timeline": EventLog(h, 400),
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reports: html page %s: %w", path, err)
	}
	return nil
}

const style = `<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
.pass{color:#176f2c;font-weight:bold}.fail,.error{color:#b00020;font-weight:bold}
.panel{fill:#fafafa;stroke:#bbb}.fault{fill:#ff9800;fill-opacity:.18}.flabel{font-size:10px;fill:#a65c00}
.ptitle{font-size:12px;fill:#444}.axis{font-size:10px;fill:#666}
polyline{fill:none;stroke-width:1.6}.line-playhead{stroke:#1565c0}.line-buffer{stroke:#2e7d32}.line-rate{stroke:#6a1b9a}
.ev{stroke:#888;stroke-width:1}.ev.good{stroke:#2e7d32}.ev.bad{stroke:#c62828;stroke-width:2}.ev.warn{stroke:#ef6c00}.ev.close{stroke:#000;stroke-dasharray:3 2}
pre{background:#f5f5f5;padding:8px;overflow:auto;max-height:420px;white-space:pre-wrap;overflow-wrap:anywhere}
svg{max-width:100%;height:auto}
</style>`

var indexTmpl = template.Must(template.New("index").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>streamfault report</title>` + style + `</head><body>
<h1>streamfault report</h1>
{{with .Compare}}<h2>Side by side</h2>
<table><tr><th>scenario</th>{{range .Subjects}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><td>{{.Scenario}}</td>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table><h2>Runs</h2>{{end}}
<table><tr><th>run</th><th>status</th><th>time</th><th>verdicts</th></tr>
{{range .Rows}}<tr><td>{{if .Result}}<a href="{{.Page}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}</td><td class="{{.Status}}">{{.Status}}</td>
<td>{{printf "%.1fs" .Elapsed.Seconds}}</td><td>{{range .Verdicts}}{{.}} {{end}}{{if .Err}}{{.Err}}{{end}}</td></tr>
{{end}}</table>
{{if .Repeat}}<h2>Recovery time over repeats (fault to first frame, or to the republish)</h2>
<table><tr><th>scenario</th><th>n</th><th>p50</th><th>p95</th><th>max</th></tr>
{{range .Repeat}}<tr><td>{{.Scenario}}</td><td>{{.N}}</td>{{if .N}}<td>{{.P50}}</td><td>{{.P95}}</td><td>{{.Max}}</td>{{else}}<td>-</td><td>-</td><td>-</td>{{end}}</tr>{{end}}
</table>{{end}}
</body></html>
`))

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Name}} — streamfault</title>` + style + `</head><body>
<p><a href="index.html">all runs</a></p>
<h1>{{.Name}} <span class="{{.Status}}">{{.Status}}</span></h1>
<p>{{.File}} · {{.Elapsed}}{{if .Seed}} · nemesis seed {{.Seed}}{{end}}</p>
<table><tr><th>checker</th><th>subject</th><th>status</th><th>message</th></tr>
{{range .Verdicts}}<tr><td>{{.V.Checker}}</td><td>{{.V.Subject}}</td><td class="{{.V.Status}}">{{.V.Status}}</td><td>{{.V.Message}}{{if .V.Evidence}}<details><summary>evidence</summary><pre>{{range .V.Evidence}}{{.}}
{{end}}</pre></details>{{end}}</td></tr>
{{end}}</table>
{{if .Problems}}<h2>Why it failed</h2><pre>{{range .Problems}}{{.}}
{{end}}</pre>{{end}}
{{if .Notes}}<h2>Note</h2><pre>{{range .Notes}}{{.}}
{{end}}</pre>{{end}}
{{range .Charts}}{{.}}{{end}}
<p>Shaded: fault windows. Markers on the top panel: status events (green: Success/Start, red: Closed/Failed, orange: Buffer.Empty/NetworkChange, grey: any other status); dashed black: a program's connection closing through its wire tap (hover: who closed it). A line breaks where a new connection begins or where nothing was sampled.</p>
<h2>Timeline</h2><pre>{{.Timeline}}</pre>
</body></html>
`))
