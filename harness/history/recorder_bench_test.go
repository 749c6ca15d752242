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

// BenchmarkRecordAt is what recording costs a frame as players send them: in each op a fresh
// recorder takes 10,000 frames of 200 players in turn, each frame extending its player's run,
// and a buffer sample every sixth frame extending its sample run.
func BenchmarkRecordAt(b *testing.B) {
	const players, frames = 200, 50
	srcs := make([]string, players)
	for p := range srcs {
		srcs[p] = fmt.Sprintf("p%d", p)
	}
	b.ReportAllocs()
	for b.Loop() {
		r := NewRecorder(fixed{}, "x")
		for f := range frames {
			t := r.Start().Add(time.Duration(f) * 40 * time.Millisecond)
			st := (time.Duration(f) * 40 * time.Millisecond).Seconds()
			for _, src := range srcs {
				r.RecordAt(t, Event{Source: src, Kind: KindClientReceived, Conn: 1, Stream: "s", Frames: &Range{First: f, Last: f}, StartTime: &st})
				if f%6 == 0 {
					r.RecordAt(t, Event{Source: src, Kind: KindClientBuffer, Conn: 1, Stream: "s", BufferLength: time.Second})
				}
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*players*frames), "ns/frame")
	b.ReportMetric(float64(runtime.NumCPU()), "cores")
}
