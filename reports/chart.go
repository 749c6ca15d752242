package reports

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// point is one sample of a series.
type point struct {
	t time.Duration
	v float64
}

// series is one panel of a client's chart: what it shows and its samples.
type series struct {
	title, unit, class string
	pts                []point
}

// clientSeries extracts a client's three panels from the history: a VOD player's playhead,
// buffer length and bytes in per second; a publisher's stream time sent, bitrate-check strikes
// and bytes out; a live viewer's stream time received.
func clientSeries(h *history.History, client string) [3]series {
	out := [3]series{{"playhead (stream time)", "s", "line-playhead", nil}, {"buffer length", "s", "line-buffer", nil}, {"bytes in", "KB/s", "line-rate", nil}}
	var prev *history.Event
	vod := len(h.Of(client, history.KindClientBuffer)) > 0 // a VOD player samples its buffer; live clients are drawn from their frames
	for _, e := range h.Of(client, history.KindClientBuffer, history.KindClientSent, history.KindClientBitrate, history.KindClientReceived) {
		switch e.Kind {
		case history.KindClientBuffer: // a VOD player
			out[0].pts = append(out[0].pts, point{e.At, e.Playhead.Seconds()})
			out[1].pts = append(out[1].pts, point{e.At, e.BufferLength.Seconds()})
			if prev != nil && e.At > prev.At {
				out[2].pts = append(out[2].pts, point{e.At, float64(e.BytesIn-prev.BytesIn) / (e.At - prev.At).Seconds() / 1000})
			}
			ev := e
			prev = &ev
		case history.KindClientSent: // a live publisher: stream time sent
			out[0].title = "stream time sent"
			if e.StartTime != nil {
				out[0].pts = append(out[0].pts, point{e.At, *e.StartTime})
			}
		case history.KindClientBitrate: // …its bitrate check: strikes and bytes out
			out[1].title, out[2].title, out[1].unit = "bitrate-check strikes", "bytes out (bitrate check)", ""
			out[1].pts = append(out[1].pts, point{e.At, float64(e.Strikes)})
			if prev != nil && e.At > prev.At {
				out[2].pts = append(out[2].pts, point{e.At, float64(e.BytesOut) / (e.At - prev.At).Seconds() / 1000})
			}
			ev := e
			prev = &ev
		case history.KindClientReceived: // a live viewer: stream time received
			if !vod && e.StartTime != nil {
				out[0].title, out[1].title, out[2].title = "stream time received", "buffer length (not sampled live)", "bytes in (not sampled live)"
				out[0].pts = append(out[0].pts, point{e.At, *e.StartTime})
			}
		}
	}
	return out
}

// clientChart draws a client's three panels (see clientSeries) as SVG, fault windows shaded
// and status events marked.
func clientChart(h *history.History, client string, end time.Duration, faults []faultWindow) template.HTML {
	x := func(t time.Duration) float64 {
		return marginL + float64(t)/float64(end)*float64(chartW-marginL-marginR)
	}
	var b strings.Builder
	height := 3*panelH + 4*gap
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="timeline of %s">`, chartW, height, template.HTMLEscapeString(client))
	for _, f := range faults { // across every panel
		w := max(x(f.to)-x(f.from), 2)
		fmt.Fprintf(&b, `<rect class="fault" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s %.3fs–%.3fs</title></rect>`,
			x(f.from), gap/2, w, height-gap, template.HTMLEscapeString(f.name), f.from.Seconds(), f.to.Seconds())
		fmt.Fprintf(&b, `<text class="flabel" x="%.1f" y="%d">%s</text>`, x(f.from)+2, gap/2+10, template.HTMLEscapeString(f.name))
	}
	for i, p := range clientSeries(h, client) {
		drawPanel(&b, float64(gap+i*(panelH+gap)), p, x)
	}
	drawStatuses(&b, h, client, x)
	step := time.Second // the time axis
	for end/step > 12 {
		step *= 2
	}
	for t := time.Duration(0); t <= end; t += step {
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="middle">%ds</text>`, x(t), height-4, int(t.Seconds()))
	}
	b.WriteString(`</svg>`)
	return template.HTML(`<h2>` + template.HTMLEscapeString(client) + `</h2>` + b.String())
}

// drawPanel draws one series in a panel whose top is at top.
func drawPanel(b *strings.Builder, top float64, p series, x func(time.Duration) float64) {
	maxV := 0.0
	for _, q := range p.pts {
		maxV = max(maxV, q.v)
	}
	if maxV == 0 {
		maxV = 1
	}
	y := func(v float64) float64 { return top + panelH - v/maxV*panelH }
	fmt.Fprintf(b, `<rect class="panel" x="%d" y="%.0f" width="%d" height="%d"/>`, marginL, top, chartW-marginL-marginR, panelH)
	fmt.Fprintf(b, `<text class="ptitle" x="%d" y="%.0f">%s</text>`, marginL, top-6, p.title)
	fmt.Fprintf(b, `<text class="axis" x="%d" y="%.0f" text-anchor="end">%.1f %s</text>`, marginL-6, top+10, maxV, p.unit)
	fmt.Fprintf(b, `<text class="axis" x="%d" y="%.0f" text-anchor="end">0</text>`, marginL-6, top+panelH)
	if len(p.pts) > 0 {
		pts := make([]string, 0, len(p.pts))
		for _, q := range p.pts {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(q.t), y(q.v)))
		}
		fmt.Fprintf(b, `<polyline class="%s" points="%s"/>`, p.class, strings.Join(pts, " "))
	}
}

// drawStatuses marks the client's status events on the top panel.
func drawStatuses(b *strings.Builder, h *history.History, client string, x func(time.Duration) float64) {
	for _, e := range h.Of(client, history.KindClientStatus) {
		cls := "ev"
		switch {
		case strings.HasSuffix(e.Code, "Closed"), strings.HasSuffix(e.Code, "Failed"):
			cls = "ev bad"
		case strings.HasSuffix(e.Code, "Success"), strings.HasSuffix(e.Code, "Start"):
			cls = "ev good"
		case strings.HasSuffix(e.Code, "Empty"), strings.HasSuffix(e.Code, "NetworkChange"):
			cls = "ev warn"
		}
		fmt.Fprintf(b, `<line class="%s" x1="%.1f" x2="%.1f" y1="%d" y2="%d"><title>%.3fs %s %s</title></line>`,
			cls, x(e.At), x(e.At), gap, gap+panelH, e.At.Seconds(), template.HTMLEscapeString(e.Code), template.HTMLEscapeString(e.Message))
	}
}
