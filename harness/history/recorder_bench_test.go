package history

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkRecorderHistory takes the History of what 2,000 players of a 15 s, 25 fps stream
// record (frames in runs, a buffer sample every 250 ms, a drop at 4 s that every open run is
// cut at): the first step of checking a 2,000-player run, once every actor has ended
// (go test -bench RecorderHistory ./harness/history).
func BenchmarkRecorderHistory(b *testing.B) {
	r := NewRecorder(fixed{}, "x")
	at := func(d time.Duration) time.Time { return r.Start().Add(d) }
	const players = 2000
	for i := 0; i < 375; i++ { // frame by frame, every player, as they come
		t := time.Duration(i) * 40 * time.Millisecond
		for p := 0; p < players; p++ {
			src := fmt.Sprintf("p%d", p)
			st := (time.Duration(i) * 40 * time.Millisecond).Seconds()
			r.RecordAt(at(t), Event{Source: src, Kind: KindClientReceived, Conn: 1, Stream: "s", Frames: &Range{First: i, Last: i}, StartTime: &st})
			if i%6 == 0 {
				r.RecordAt(at(t), Event{Source: src, Kind: KindClientBuffer, BufferLength: time.Second})
			}
		}
	}
	r.RecordAt(at(4*time.Second), Event{Source: "drop", Kind: KindFaultStart, Fault: "drop"}) // stamped late: it cuts every run
	b.ResetTimer()
	var h *History
	for b.Loop() {
		h = r.History()
	}
	b.ReportMetric(float64(len(h.Events)), "events")
	b.ReportMetric(float64(runtime.NumCPU()), "cores")
}

// fixed is a clock that always says the same time.
type fixed struct{}

func (fixed) Now() time.Time                       { return time.Unix(1e9, 0) }
func (fixed) After(time.Duration) <-chan time.Time { return nil }

// BenchmarkRecordAt is what recording costs a frame as players send them: 200 players in
// turn, each frame extending its player's run, a buffer sample every sixth frame extending
// its sample run; a fresh recorder every 30 s of stream time keeps the runs' lists short.
func BenchmarkRecordAt(b *testing.B) {
	const players = 200
	srcs := make([]string, players)
	for p := range srcs {
		srcs[p] = fmt.Sprintf("p%d", p)
	}
	var r *Recorder
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		p, frame := i%players, i/players%750
		if frame == 0 && p == 0 {
			r = NewRecorder(fixed{}, "x")
		}
		t := r.Start().Add(time.Duration(frame) * 40 * time.Millisecond)
		st := (time.Duration(frame) * 40 * time.Millisecond).Seconds()
		r.RecordAt(t, Event{Source: srcs[p], Kind: KindClientReceived, Conn: 1, Stream: "s", Frames: &Range{First: frame, Last: frame}, StartTime: &st})
		if frame%6 == 0 {
			r.RecordAt(t, Event{Source: srcs[p], Kind: KindClientBuffer, Conn: 1, Stream: "s", BufferLength: time.Second})
		}
		i++
	}
	b.ReportMetric(float64(runtime.NumCPU()), "cores")
}
