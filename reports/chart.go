package reports

import (
	"cmp"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// point is one sample of a series; brk starts a new line (a new connection, or a gap in the
// samples that must show as one rather than as a line drawn across it).
type point struct {
	t   time.Duration
	v   float64
	brk bool
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
	if len(h.Of(client, history.KindTapConnect)) > 0 {
		return tapSeries(h, client)
	}
	out := [3]series{{"playhead (stream time)", "s", "line-playhead", nil}, {"buffer length", "s", "line-buffer", nil}, {"bytes in", "KB/s", "line-rate", nil}}
	var prev *history.Event
	vod := len(h.Of(client, history.KindClientBuffer)) > 0 // a VOD player samples its buffer; live clients are drawn from their frames
	var dropped, sent []point                              // a live viewer's frames dropped, a publisher's sent, counted per second below
	var samples []history.Sample                           // a VOD player's buffer samples
	bitrate := false
	for _, e := range h.Of(client, history.KindClientBuffer, history.KindClientSent, history.KindClientBitrate, history.KindClientReceived, history.KindClientDropped) {
		switch e.Kind {
		case history.KindClientBuffer: // a VOD player: its samples (an event may hold a run of them), drawn below
			samples = append(samples, e.BufferSamples()...)
		case history.KindClientSent: // a live publisher: stream time sent
			out[0].title = "stream time sent"
			if e.StartTime != nil {
				out[0].pts = append(out[0].pts, point{t: e.At, v: *e.StartTime})
			}
			if e.Frames != nil {
				sent = append(sent, point{t: e.At, v: float64(e.Frames.Last - e.Frames.First + 1)})
			}
		case history.KindClientBitrate: // …its bitrate check: strikes and bytes out
			bitrate = true
			out[1].title, out[2].title, out[1].unit = "bitrate-check strikes", "bytes out (bitrate check)", ""
			out[1].pts = append(out[1].pts, point{t: e.At, v: float64(e.Strikes)})
			if prev != nil && e.At > prev.At {
				out[2].pts = append(out[2].pts, point{t: e.At, v: float64(e.BytesOut) / (e.At - prev.At).Seconds() / 1000})
			}
			ev := e
			prev = &ev
		case history.KindClientReceived: // a live viewer: stream time received, frames received
			if !vod && e.StartTime != nil && e.Frames != nil {
				out[0].title, out[1].title, out[2].title, out[1].unit, out[2].unit = "stream time received", "frames received per second", "frames dropped per second", "fps", "fps"
				out[0].pts = append(out[0].pts, point{t: e.At, v: *e.StartTime})
				out[1].pts = append(out[1].pts, point{t: e.At, v: float64(e.Frames.Last - e.Frames.First + 1)})
			}
		case history.KindClientDropped:
			if !vod && e.Frames != nil {
				dropped = append(dropped, point{t: e.At, v: float64(e.Frames.Last - e.Frames.First + 1)})
			}
		}
	}
	if vod {
		out = bufferSeries(out, samples)
	}
	if out[0].title == "stream time sent" && !bitrate && len(sent) > 0 { // a publisher without a bitrate check
		out[1] = series{"frames sent per second", "fps", "line-buffer", perSecond(sent)}
		out[2].title = "bytes out (not measured: no bitrate check)"
	}
	if !vod && out[0].title == "stream time received" {
		out[1].pts = perSecond(out[1].pts)
		out[2].pts = perSecond(append(dropped, point{t: out[1].pts[len(out[1].pts)-1].t}))
	}
	for i := range out {
		markGaps(out[i].pts)
	}
	return out
}

// bufferSeries are a VOD player's panels from its buffer samples, in time order: playhead,
// buffer length and bytes in per second between samples.
func bufferSeries(out [3]series, samples []history.Sample) [3]series {
	slices.SortStableFunc(samples, func(a, b history.Sample) int { return cmp.Compare(a.At, b.At) })
	for i, smp := range samples {
		out[0].pts = append(out[0].pts, point{t: smp.At, v: smp.Playhead.Seconds()})
		out[1].pts = append(out[1].pts, point{t: smp.At, v: smp.BufferLength.Seconds()})
		if i > 0 && smp.At > samples[i-1].At {
			prev := samples[i-1]
			out[2].pts = append(out[2].pts, point{t: smp.At, v: float64(smp.BytesIn-prev.BytesIn) / (smp.At - prev.At).Seconds() / 1000})
		}
	}
	return out
}

// perSecond turns counts at their times into a count per second (bins of one second, from
// the first sample's to the last's, each drawn at its middle but never past the last sample).
func perSecond(pts []point) []point {
	if len(pts) == 0 {
		return nil
	}
	bins := map[int]float64{}
	first, last, end := int(pts[0].t/time.Second), -1, time.Duration(0)
	for _, p := range pts {
		s := int(p.t / time.Second)
		bins[s] += p.v
		first, last, end = min(first, s), max(last, s), max(end, p.t)
	}
	var out []point
	for s := first; s <= last; s++ {
		out = append(out, point{t: min(time.Duration(s)*time.Second+time.Second/2, end), v: bins[s]})
	}
	return out
}

// markGaps breaks a series where no sample came for more than a second and several times its
// usual spacing: a line must not be drawn across a stretch that was not sampled.
func markGaps(pts []point) {
	if len(pts) < 3 {
		return
	}
	gaps := make([]time.Duration, 0, len(pts)-1)
	for i := 1; i < len(pts); i++ {
		gaps = append(gaps, pts[i].t-pts[i-1].t)
	}
	typical := slices.Clone(gaps)
	slices.Sort(typical)
	limit := max(time.Second, 4*typical[len(typical)/2])
	for i := 1; i < len(pts); i++ {
		if gaps[i-1] > limit {
			pts[i].brk = true
		}
	}
}

// tapSeries are a program's panels, from its wire tap: the media time on each connection
// (from its first media to its last), bytes per second to and from the server per connection.
func tapSeries(h *history.History, client string) [3]series {
	out := [3]series{{"media time on the wire (per connection, first to last)", "s", "line-playhead", nil},
		{"bytes to the server", "KB/s", "line-buffer", nil}, {"bytes from the server", "KB/s", "line-rate", nil}}
	prev := map[int]history.Event{}
	for _, e := range h.Of(client, history.KindTapMedia, history.KindTapClose, history.KindTapBytes) {
		switch e.Kind {
		case history.KindTapMedia, history.KindTapClose:
			if e.Media != nil {
				out[0].pts = append(out[0].pts, point{t: e.At, v: *e.Media, brk: e.Kind == history.KindTapMedia})
			}
			if e.Kind == history.KindTapClose {
				delete(prev, e.Conn)
			}
		case history.KindTapBytes:
			p, ok := prev[e.Conn]
			if ok && e.At > p.At {
				d := (e.At - p.At).Seconds() * 1000
				out[1].pts = append(out[1].pts, point{t: e.At, v: float64(e.BytesOut-p.BytesOut) / d})
				out[2].pts = append(out[2].pts, point{t: e.At, v: float64(e.BytesIn-p.BytesIn) / d})
			} else {
				out[1].pts = append(out[1].pts, point{t: e.At, brk: true})
				out[2].pts = append(out[2].pts, point{t: e.At, brk: true})
			}
			prev[e.Conn] = e
		}
	}
	markGaps(out[1].pts)
	markGaps(out[2].pts)
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
	var seg []string
	flush := func() {
		if len(seg) == 1 { // a lone sample: a dot
			seg = append(seg, seg[0])
		}
		if len(seg) > 0 {
			fmt.Fprintf(b, `<polyline class="%s" points="%s"/>`, p.class, strings.Join(seg, " "))
		}
		seg = seg[:0]
	}
	for _, q := range p.pts {
		if q.brk {
			flush()
		}
		seg = append(seg, fmt.Sprintf("%.1f,%.1f", x(q.t), y(q.v)))
	}
	flush()
}

// drawStatuses marks the client's status events on the top panel.
func drawStatuses(b *strings.Builder, h *history.History, client string, x func(time.Duration) float64) {
	for _, e := range h.Of(client, history.KindTapClose) {
		fmt.Fprintf(b, `<line class="ev close" x1="%.1f" x2="%.1f" y1="%d" y2="%d"><title>%.3fs connection %d closed by %s %s</title></line>`,
			x(e.At), x(e.At), gap, gap+panelH, e.At.Seconds(), e.Conn, template.HTMLEscapeString(e.ClosedBy), template.HTMLEscapeString(e.Message))
	}
	for _, e := range h.Of(client, history.KindClientStatus, history.KindTapStatus) {
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
