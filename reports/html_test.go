package reports

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/toolcheck"
)

// realRun runs a short drop scenario for the report tests.
func realRun(t *testing.T) Run {
	t.Helper()
	s, err := scenario.Parse("html.yaml", []byte(`
name: html
server: {streams: [{name: s, duration: 4s}]}
routes: [{name: wifi}]
clients: [{name: viewer, role: player, route: wifi, bufferTime: 1s, play: [{stream: s}], reconnect: {}}]
faults: [{at: 1500ms, for: 300ms, stall: {route: wifi}}, {at: 2500ms, drop: {route: wifi}}]
expect: [{resumesAtOffset: {client: viewer}}, {playsToEnd: {client: viewer, within: 10s}}]
`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := harness.Run(context.Background(), s, harness.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return Run{Name: "html#1", File: "html.yaml", Result: res, Elapsed: res.Elapsed}
}

func TestHTMLReportIsSelfContained(t *testing.T) {
	dir := t.TempDir()
	r := realRun(t)
	if err := WriteHTML(dir, []Run{r}, []RepeatRow{{Scenario: "html", N: 1, P50: time.Millisecond}}, nil); err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "html-1.html"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"index": index, "page": page} {
		if regexp.MustCompile(`(src|href)="(https?:)?//`).Match(b) || bytes.Contains(b, []byte("<script")) {
			t.Errorf("%s fetches from the network or runs scripts", name)
		}
	}
	if !bytes.Contains(index, []byte(`href="html-1.html"`)) || !bytes.Contains(index, []byte("Recovery time over repeats")) {
		t.Error("index lacks the run link or the repeat table")
	}
	for _, want := range []string{`class="line-playhead"`, `class="line-buffer"`, `class="line-rate"`, `class="fault"`,
		"stall-1", "drop-2", `class="ev bad"`, "NetConnection.Connect.Closed", "resumesAtOffset"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

// TestHTMLRendersInChromium opens the page in headless Chromium, saves a screenshot and checks
// that the charts drew and that the console stayed free of errors.
func TestHTMLRendersInChromium(t *testing.T) {
	dir := t.TempDir()
	if err := WriteHTML(dir, []Run{realRun(t)}, nil, nil); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "page.png")
	_, out := toolcheck.Chromium(t, filepath.Join(dir, "html-1.html"), "--window-size=1100,1400", "--screenshot="+shot)
	for _, line := range toolcheck.ConsoleErrors(out) {
		t.Errorf("console: %s", line)
	}
	blue := bluePixels(t, shot)
	if blue < 200 {
		t.Fatalf("the playhead chart did not render (%d blue pixels)", blue)
	}
	if keep := os.Getenv("STREAMFAULT_KEEP_SCREENSHOT"); keep != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(keep, data, 0o644)
	}
}

// Live clients have no buffer samples: the publisher's panels show the stream time it sent,
// its bitrate-check strikes and bytes out; the viewer's the stream time it received.
func TestHTMLChartsLiveClients(t *testing.T) {
	st := func(v float64) *float64 { return &v }
	h := &history.History{Events: []history.Event{
		{At: 100 * time.Millisecond, Source: "cam", Kind: history.KindClientSent, StartTime: st(0), Frames: &history.Range{First: 0, Last: 24}},
		{At: 500 * time.Millisecond, Source: "cam", Kind: history.KindClientBitrate, BytesOut: 25000},
		{At: time.Second, Source: "cam", Kind: history.KindClientBitrate, BytesOut: 0, Strikes: 1},
		{At: 1100 * time.Millisecond, Source: "cam", Kind: history.KindClientSent, StartTime: st(1), Frames: &history.Range{First: 25, Last: 49}},
		{At: 200 * time.Millisecond, Source: "w", Kind: history.KindClientReceived, StartTime: st(0.04), Frames: &history.Range{First: 1, Last: 1}},
		{At: 300 * time.Millisecond, Source: "w", Kind: history.KindClientReceived, StartTime: st(0.08), Frames: &history.Range{First: 2, Last: 2}},
	}}
	pub := string(clientChart(h, "cam", 2*time.Second, nil))
	for _, want := range []string{"stream time sent", "bitrate-check strikes", "bytes out (bitrate check)", `class="line-playhead"`, `class="line-buffer"`, `class="line-rate"`} {
		if !strings.Contains(pub, want) {
			t.Errorf("publisher chart lacks %q", want)
		}
	}
	view := string(clientChart(h, "w", 2*time.Second, nil))
	if !strings.Contains(view, "stream time received") || !strings.Contains(view, `class="line-playhead"`) {
		t.Errorf("viewer chart: %s", view)
	}
}

// A program's panels come from its wire tap: media time per connection (a line each, not one
// drawn across the reconnect), bytes each way per second, connection closes marked with who
// closed them.
func TestHTMLChartsProcessClientsFromTheirTap(t *testing.T) {
	st := func(v float64) *float64 { return &v }
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	h := &history.History{Events: []history.Event{
		{At: ms(100), Source: "ff", Kind: history.KindTapConnect, Conn: 1},
		{At: ms(300), Source: "ff", Kind: history.KindTapMedia, Conn: 1, Media: st(0)},
		{At: ms(500), Source: "ff", Kind: history.KindTapBytes, Conn: 1, BytesIn: 10_000, BytesOut: 4000},
		{At: ms(750), Source: "ff", Kind: history.KindTapBytes, Conn: 1, BytesIn: 60_000, BytesOut: 4100},
		{At: ms(1000), Source: "ff", Kind: history.KindTapBytes, Conn: 1, BytesIn: 110_000, BytesOut: 4200},
		{At: ms(1200), Source: "ff", Kind: history.KindTapClose, Conn: 1, ClosedBy: "server", Media: st(2.96)},
		{At: ms(1500), Source: "ff", Kind: history.KindTapConnect, Conn: 2},
		{At: ms(1600), Source: "ff", Kind: history.KindTapMedia, Conn: 2, Media: st(3)},
		{At: ms(1750), Source: "ff", Kind: history.KindTapBytes, Conn: 2, BytesIn: 5000, BytesOut: 3900},
		{At: ms(2000), Source: "ff", Kind: history.KindTapBytes, Conn: 2, BytesIn: 40_000, BytesOut: 4000},
		{At: ms(2500), Source: "ff", Kind: history.KindTapClose, Conn: 2, ClosedBy: "client", Media: st(4.5)},
	}}
	svg := string(clientChart(h, "ff", 3*time.Second, nil))
	for _, want := range []string{"media time on the wire", "bytes to the server", "bytes from the server", "connection 1 closed by server", "connection 2 closed by client"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the process chart lacks %q", want)
		}
	}
	if n := strings.Count(svg, `class="line-playhead"`); n != 2 {
		t.Errorf("%d media-time lines, want one per connection (2)", n)
	}
	if n := strings.Count(svg, `class="line-rate"`); n != 2 {
		t.Errorf("%d byte-rate lines from the server, want one per connection (2)", n)
	}
	// A VOD player's samples with a 3 s hole: two lines, not one drawn across it.
	var samples []history.Event
	for _, at := range []int{100, 350, 600, 850, 3850, 4100, 4350} {
		samples = append(samples, history.Event{At: ms(at), Source: "p", Kind: history.KindClientBuffer, Playhead: ms(at), BufferLength: time.Second})
	}
	vod := string(clientChart(&history.History{Events: samples}, "p", 5*time.Second, nil))
	if n := strings.Count(vod, `class="line-buffer"`); n != 2 {
		t.Errorf("%d buffer lines across a 3 s hole in the samples, want 2", n)
	}
}

// bluePixels counts the pixels of a screenshot drawn in the playhead's blue (#1565c0).
func bluePixels(t *testing.T, shot string) int {
	t.Helper()
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	blue := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 < 0x40 && g>>8 > 0x40 && g>>8 < 0x90 && bl>>8 > 0xa0 {
				blue++
			}
		}
	}
	t.Logf("screenshot %dx%d, %d playhead-blue pixels (%s)", b.Dx(), b.Dy(), blue, shot)
	return blue
}

// A program's page, drawn from its wire tap, renders in Chromium: its media-time lines are
// there, the console is clean.
func TestHTMLProcessPageRendersInChromium(t *testing.T) {
	st := func(v float64) *float64 { return &v }
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var evs []history.Event
	for conn, span := range [][2]int{{300, 2900}, {3200, 5800}} {
		c := conn + 1
		evs = append(evs, history.Event{At: ms(span[0] - 100), Source: "ff", Kind: history.KindTapConnect, Conn: c},
			history.Event{At: ms(span[0]), Source: "ff", Kind: history.KindTapMedia, Conn: c, Media: st(float64(span[0]) / 1000)})
		for at := span[0] + 250; at < span[1]; at += 250 {
			evs = append(evs, history.Event{At: ms(at), Source: "ff", Kind: history.KindTapBytes, Conn: c, BytesIn: int64(at-span[0]) * 50, BytesOut: 4000})
		}
		evs = append(evs, history.Event{At: ms(span[1]), Source: "ff", Kind: history.KindTapClose, Conn: c, ClosedBy: "server", Media: st(float64(span[1]) / 1000)})
	}
	sc, err := scenario.Parse("proc.yaml", []byte(`
name: proc
server: {streams: [{name: s, duration: 6s}]}
routes: [{name: wifi}]
clients: [{name: ff, role: process, route: wifi, stream: s, process: {command: ["true"]}}]
expect: [{statusReceived: {client: ff, code: NetStream.Play.Start}}]
`))
	if err != nil {
		t.Fatal(err)
	}
	res := &harness.Result{Scenario: sc, History: &history.History{Scenario: "proc", Events: evs}, Elapsed: 6 * time.Second}
	dir := t.TempDir()
	if err := WriteHTML(dir, []Run{{Name: "proc", File: "proc.yaml", Result: res, Elapsed: res.Elapsed}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "page.png")
	_, log := toolcheck.Chromium(t, filepath.Join(dir, "proc.html"), "--window-size=1100,1400", "--screenshot="+shot)
	for _, line := range toolcheck.ConsoleErrors(log) {
		t.Errorf("console: %s", line)
	}
	if blue := bluePixels(t, shot); blue < 200 {
		t.Fatalf("the program's media-time chart did not render (%d blue pixels)", blue)
	}
}

// A VOD player's chart is the same whether its buffer samples were recorded as runs or each
// as an event of its own, over a reconnect and a late-stamped sample.
func TestChartOfSampleRunsIsTheChartOfEachSample(t *testing.T) {
	record := func(r *history.Recorder) *history.History {
		at := func(ms int) time.Time { return r.Start().Add(time.Duration(ms) * time.Millisecond) }
		sample := func(ms, conn int) {
			r.RecordAt(at(ms), history.Event{Source: "p", Kind: history.KindClientBuffer, Conn: conn,
				BufferLength: time.Duration(3000-ms/2) * time.Millisecond, Playhead: time.Duration(ms) * time.Millisecond, BytesIn: int64(40 * ms)})
		}
		for ms := 0; ms <= 2000; ms += 250 {
			sample(ms, 1)
		}
		r.RecordAt(at(2100), history.Event{Source: "p", Kind: history.KindClientStatus, Code: "NetConnection.Connect.Closed", Conn: 1})
		for ms := 2600; ms <= 4600; ms += 250 {
			sample(ms, 2)
		}
		sample(4500, 2) // stamped before the last
		return r.History()
	}
	runs, each := history.NewRecorder(nil, "x"), history.NewRecorder(nil, "x")
	each.KeepEveryFrame()
	hr, he := record(runs), record(each)
	if len(hr.Events) >= len(he.Events) {
		t.Fatalf("runs kept %d events, each sample its own %d", len(hr.Events), len(he.Events))
	}
	if got, want := clientSeries(hr, "p"), clientSeries(he, "p"); !reflect.DeepEqual(got, want) {
		t.Errorf("chart of sample runs\n%v\nwant\n%v", got, want)
	}
	if got, want := string(clientChart(hr, "p", 5*time.Second, nil)), string(clientChart(he, "p", 5*time.Second, nil)); got != want {
		t.Error("the SVG of sample runs differs from that of each sample")
	}
}
