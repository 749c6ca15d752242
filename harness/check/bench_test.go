package check

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// manyPlayers is the history of n players of a 15 s, 25 fps stream through one route, each
// dropped at 4 s and resumed at the end of its buffer: what a load run records (a frame event
// per received and per rendered frame, buffer samples, statuses, the server's access log).
func manyPlayers(n int) *history.History {
	b := &hb{}
	b.add(0, history.Event{Source: "origin", Kind: history.KindStream, Stream: "s", Count: 375, FPS: 25})
	b.add(0, history.Event{Source: "harness", Kind: history.KindRoute, Route: "wifi", Target: "origin"})
	b.add(ms(4000), history.Event{Source: "drop", Kind: history.KindFaultStart, Fault: "drop", Route: "wifi"})
	b.add(ms(4000), history.Event{Source: "drop", Kind: history.KindFaultEnd, Fault: "drop", Route: "wifi"})
	for p := 0; p < n; p++ {
		c := fmt.Sprintf("p%d", p)
		buf := 1 + p%4 // seconds
		resumeAt := 100 + 25*buf
		b.add(0, history.Event{Source: c, Kind: history.KindLabClient, Route: "wifi"})
		for conn, at := range []int{0, 4250} {
			conn++
			b.add(ms(at), history.Event{Source: c, Kind: history.KindClientStatus, Code: "NetConnection.Connect.Success", Conn: conn})
			tr, off := "reset", 0.0
			if conn == 2 {
				tr, off = "resume", float64(resumeAt)/25
			}
			b.add(ms(at+1), history.Event{Source: c, Kind: history.KindClientPlay, Stream: "s", Transition: tr, Offset: f(off), Conn: conn})
			b.add(ms(at+2), history.Event{Source: "origin", Kind: history.KindServerPlay, Stream: "s", Transition: tr, Offset: f(off),
				StartTime: f(off), Frames: &history.Range{First: int(off * 25), Last: int(off * 25)}, Client: c, Conn: conn})
		}
		b.add(ms(4000), history.Event{Source: c, Kind: history.KindClientStatus, Code: "NetConnection.Connect.Closed", Conn: 1})
		for i := 0; i < 375; i++ {
			conn, at := 1, i*40/2
			if i >= resumeAt {
				conn, at = 2, 4250+(i-resumeAt)*40
			}
			if i < resumeAt && at > 4000 {
				continue // lost with the drop; resent after the resume
			}
			b.add(ms(at), history.Event{Source: c, Kind: history.KindClientReceived, Stream: "s", Conn: conn, Frames: &history.Range{First: i, Last: i}})
		}
		for i := 0; i < 375; i++ {
			b.add(ms(buf*1000+i*40), history.Event{Source: c, Kind: history.KindClientRendered, Stream: "s", Frames: &history.Range{First: i, Last: i}, StartTime: f(float64(i) / 25)})
		}
		for t := 0; t < 16000; t += 250 {
			b.add(ms(t), history.Event{Source: c, Kind: history.KindClientBuffer, Conn: 1})
		}
	}
	h := &b.h
	sortEvents(h)
	return h
}

func sortEvents(h *history.History) {
	sort.SliceStable(h.Events, func(i, j int) bool { return h.Events[i].At < h.Events[j].At })
	for i := range h.Events {
		h.Events[i].Seq = i
	}
}

// BenchmarkCheck200Players judges 200 players (4 checkers each) on one history: the time of
// the checking step of a 200-player run (go test -bench Check200 ./harness/check).
func BenchmarkCheck200Players(b *testing.B) {
	h := manyPlayers(200)
	one := 1
	var expects []Expectation
	for p := 0; p < 200; p++ {
		c := fmt.Sprintf("p%d", p)
		expects = append(expects, New(&ResumesAtOffset{ClientRef: spec.ClientRef{Client: c}, MinResumes: &one}), New(&Reconnects{ClientRef: spec.ClientRef{Client: c}, Count: 1}),
			New(&PlaysToEnd{ClientRef: spec.ClientRef{Client: c}, Within: spec.Duration(time.Minute)}), New(&ReconnectsAfterLoss{ClientRef: spec.ClientRef{Client: c}}))
	}
	b.ResetTimer()
	for b.Loop() {
		fresh := &history.History{Events: h.Events} // indexed anew, as after a real run
		for _, v := range Run(fresh, expects) {
			if v.Status != Pass {
				b.Fatalf("%s", v)
			}
		}
		for p := 0; p < 200; p++ {
			Recoveries(fresh, fmt.Sprintf("p%d", p))
		}
	}
	b.ReportMetric(float64(len(h.Events)), "events")
}
