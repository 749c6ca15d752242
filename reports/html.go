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
		"Problems": r.Result.Problems(), "Timeline": EventLog(h, 400),
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reports: html page %s: %w", path, err)
	}
	return nil
}

// clientChart draws three panels (playhead, buffer length, bytes/s) for one client as SVG.
func clientChart(h *history.History, client string, end time.Duration, faults []faultWindow) template.HTML {
	type pt struct {
		t time.Duration
		v float64
	}
	var playhead, buffer, rate []pt
	var prev *history.Event
	titles := [3]string{"playhead (stream time)", "buffer length", "bytes in"}
	units := [3]string{"s", "s", "KB/s"}
	vod := false // a VOD player samples its buffer; live clients are drawn from their frames
	for _, e := range h.Events {
		if e.Source == client && e.Kind == history.KindClientBuffer {
			vod = true
			break
		}
	}
	for _, e := range h.Events {
		if e.Source != client {
			continue
		}
		switch e.Kind {
		case history.KindClientBuffer: // a VOD player
			playhead = append(playhead, pt{e.At, e.Playhead.Seconds()})
			buffer = append(buffer, pt{e.At, e.BufferLength.Seconds()})
			if prev != nil && e.At > prev.At {
				rate = append(rate, pt{e.At, float64(e.BytesIn-prev.BytesIn) / (e.At - prev.At).Seconds() / 1000})
			}
			ev := e
			prev = &ev
		case history.KindClientSent: // a live publisher: stream time sent
			titles[0] = "stream time sent"
			if e.StartTime != nil {
				playhead = append(playhead, pt{e.At, *e.StartTime})
			}
		case history.KindClientBitrate: // …its bitrate check: strikes and bytes out
			titles[1], titles[2], units[1] = "bitrate-check strikes", "bytes out (bitrate check)", ""
			buffer = append(buffer, pt{e.At, float64(e.Strikes)})
			if prev != nil && e.At > prev.At {
				rate = append(rate, pt{e.At, float64(e.BytesOut) / (e.At - prev.At).Seconds() / 1000})
			}
			ev := e
			prev = &ev
		case history.KindClientReceived: // a live viewer: stream time received
			if !vod && e.StartTime != nil {
				titles[0], titles[1], titles[2] = "stream time received", "buffer length (not sampled live)", "bytes in (not sampled live)"
				playhead = append(playhead, pt{e.At, *e.StartTime})
			}
		}
	}
	x := func(t time.Duration) float64 {
		return marginL + float64(t)/float64(end)*float64(chartW-marginL-marginR)
	}
	var b strings.Builder
	height := 3*panelH + 4*gap
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="timeline of %s">`, chartW, height, template.HTMLEscapeString(client))
	// fault windows, across every panel
	for _, f := range faults {
		w := max(x(f.to)-x(f.from), 2)
		fmt.Fprintf(&b, `<rect class="fault" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s %.3fs–%.3fs</title></rect>`,
			x(f.from), gap/2, w, height-gap, template.HTMLEscapeString(f.name), f.from.Seconds(), f.to.Seconds())
		fmt.Fprintf(&b, `<text class="flabel" x="%.1f" y="%d">%s</text>`, x(f.from)+2, gap/2+10, template.HTMLEscapeString(f.name))
	}
	panels := []struct {
		title, unit string
		pts         []pt
		class       string
	}{{titles[0], units[0], playhead, "line-playhead"}, {titles[1], units[1], buffer, "line-buffer"}, {titles[2], units[2], rate, "line-rate"}}
	for i, p := range panels {
		top := float64(gap + i*(panelH+gap))
		maxV := 0.0
		for _, q := range p.pts {
			maxV = max(maxV, q.v)
		}
		if maxV == 0 {
			maxV = 1
		}
		y := func(v float64) float64 { return top + panelH - v/maxV*panelH }
		fmt.Fprintf(&b, `<rect class="panel" x="%d" y="%.0f" width="%d" height="%d"/>`, marginL, top, chartW-marginL-marginR, panelH)
		fmt.Fprintf(&b, `<text class="ptitle" x="%d" y="%.0f">%s</text>`, marginL, top-6, p.title)
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.0f" text-anchor="end">%.1f %s</text>`, marginL-6, top+10, maxV, p.unit)
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%.0f" text-anchor="end">0</text>`, marginL-6, top+panelH)
		if len(p.pts) > 0 {
			var pts []string
			for _, q := range p.pts {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(q.t), y(q.v)))
			}
			fmt.Fprintf(&b, `<polyline class="%s" points="%s"/>`, p.class, strings.Join(pts, " "))
		}
	}
	// status events as markers on the top panel
	for _, e := range h.Events {
		if e.Source != client || e.Kind != history.KindClientStatus {
			continue
		}
		cls := "ev"
		switch {
		case strings.HasSuffix(e.Code, "Closed"), strings.HasSuffix(e.Code, "Failed"):
			cls = "ev bad"
		case strings.HasSuffix(e.Code, "Success"), strings.HasSuffix(e.Code, "Start"):
			cls = "ev good"
		case strings.HasSuffix(e.Code, "Empty"), strings.HasSuffix(e.Code, "NetworkChange"):
			cls = "ev warn"
		}
		fmt.Fprintf(&b, `<line class="%s" x1="%.1f" x2="%.1f" y1="%d" y2="%d"><title>%.3fs %s %s</title></line>`,
			cls, x(e.At), x(e.At), gap, gap+panelH, e.At.Seconds(), template.HTMLEscapeString(e.Code), template.HTMLEscapeString(e.Message))
	}
	// time axis
	step := time.Second
	for end/step > 12 {
		step *= 2
	}
	for t := time.Duration(0); t <= end; t += step {
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="middle">%ds</text>`, x(t), height-4, int(t.Seconds()))
	}
	b.WriteString(`</svg>`)
	return template.HTML(`<h2>` + template.HTMLEscapeString(client) + `</h2>` + b.String())
}

const style = `<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
.pass{color:#176f2c;font-weight:bold}.fail,.error{color:#b00020;font-weight:bold}
.panel{fill:#fafafa;stroke:#bbb}.fault{fill:#ff9800;fill-opacity:.18}.flabel{font-size:10px;fill:#a65c00}
.ptitle{font-size:12px;fill:#444}.axis{font-size:10px;fill:#666}
polyline{fill:none;stroke-width:1.6}.line-playhead{stroke:#1565c0}.line-buffer{stroke:#2e7d32}.line-rate{stroke:#6a1b9a}
.ev{stroke:#888;stroke-width:1}.ev.good{stroke:#2e7d32}.ev.bad{stroke:#c62828;stroke-width:2}.ev.warn{stroke:#ef6c00}
pre{background:#f5f5f5;padding:8px;overflow:auto;max-height:420px}
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
{{range .Charts}}{{.}}{{end}}
<p>Shaded: fault windows. Markers on the top panel: status events (green: Success/Start, red: Closed/Failed, orange: Buffer.Empty/NetworkChange).</p>
<h2>Timeline</h2><pre>{{.Timeline}}</pre>
</body></html>
`))
