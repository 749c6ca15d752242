package history

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// frameRec records frames into a recorder at chosen times.
type frameRec struct {
	r *Recorder
}

func (f frameRec) frame(source, kind string, conn, i int, st float64, at time.Duration) {
	f.r.RecordAt(f.r.Start().Add(at), Event{Source: source, Kind: kind, Conn: conn, Stream: "s",
		Frames: &Range{First: i, Last: i}, StartTime: &st})
}

func (f frameRec) event(e Event, at time.Duration) { f.r.RecordAt(f.r.Start().Add(at), e) }

// frameList is a run's frames as "first-last@at" for messages.
func frameList(h *History, source, kind string) []string {
	var out []string
	for _, e := range h.Of(source, kind) {
		out = append(out, fmt.Sprintf("%d-%d@%v", e.Frames.First, e.Frames.Last, e.At))
	}
	return out
}

// TestFramesBecomeRuns: consecutive frames are one event holding every frame's arrival and
// stream time; a gap, a repeat, another connection, a silence, a jump in stream time, a frame
// with a message, the player's own status and a fault each start a new run; buffer samples and
// another player's status do not (a status of a client that receives no frames, a publisher's,
// would).
func TestFramesBecomeRuns(t *testing.T) {
	f := frameRec{NewRecorder(nil, "x")}
	ms := time.Millisecond
	f.frame("q", KindClientReceived, 1, 0, 0, 50*ms) // q is a player too
	for i := 0; i < 10; i++ {                        // 0-9 at 40 ms
		f.frame("p", KindClientReceived, 1, i, float64(i)*0.04, time.Duration(100+40*i)*ms)
		if i == 5 {
			f.event(Event{Source: "p", Kind: KindClientBuffer, BufferLength: time.Second}, 310*ms)
			f.event(Event{Source: "q", Kind: KindClientStatus, Code: "NetConnection.Connect.Closed"}, 311*ms)
		}
	}
	f.frame("p", KindClientReceived, 1, 12, 0.48, 600*ms)                                                                   // a gap: 10, 11 missing
	f.frame("p", KindClientReceived, 1, 12, 0.48, 640*ms)                                                                   // a repeat
	f.frame("p", KindClientReceived, 2, 13, 0.52, 680*ms)                                                                   // another connection
	f.frame("p", KindClientReceived, 2, 14, 0.56, 2*time.Second)                                                            // after a silence of more than runGap
	f.frame("p", KindClientReceived, 2, 15, 1.56, 2040*ms)                                                                  // stream time leapt a second
	f.r.RecordAt(f.r.Start().Add(2080*ms), Event{Source: "p", Kind: KindClientReceived, Conn: 2, Stream: "s", Message: "x", // says something
		Frames: &Range{First: 16, Last: 16}, StartTime: ptr(1.60)})
	f.frame("p", KindClientReceived, 2, 17, 1.64, 2120*ms)
	f.event(Event{Source: "p", Kind: KindClientStatus, Code: "NetStream.Buffer.Empty"}, 2130*ms) // the player's own event
	f.frame("p", KindClientReceived, 2, 18, 1.68, 2160*ms)
	f.event(Event{Source: "drop", Kind: KindFaultStart, Fault: "drop"}, 2170*ms) // a fault
	f.frame("p", KindClientReceived, 2, 19, 1.72, 2200*ms)
	h := f.r.History()
	got := frameList(h, "p", KindClientReceived)
	want := []string{"0-9@100ms", "12-12@600ms", "12-12@640ms", "13-13@680ms", "14-14@2s", "15-15@2.04s", "16-16@2.08s",
		"17-17@2.12s", "18-18@2.16s", "19-19@2.2s"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("runs:\n got %v\nwant %v", got, want)
	}
	run := h.Of("p", KindClientReceived)[0]
	if run.LastAt() != 460*ms || *run.LastTime() != 0.36 || run.FrameAt(3) != 220*ms || len(run.Arrivals) != 10 || run.Times[9] != 360000 {
		t.Fatalf("run 0-9: until %v, end %v, frame 3 at %v, %d arrivals, times %v", run.LastAt(), *run.LastTime(), run.FrameAt(3), len(run.Arrivals), run.Times)
	}
	every := NewRecorder(nil, "x")
	every.KeepEveryFrame()
	f = frameRec{every}
	for i := 0; i < 3; i++ {
		f.frame("p", KindClientReceived, 1, i, float64(i)*0.04, time.Duration(40*i)*ms)
	}
	if n := len(every.History().Events); n != 3 {
		t.Fatalf("KeepEveryFrame: %d events, want 3", n)
	}
}

func ptr(f float64) *float64 { return &f }

// TestRunsOutliveOtherReceiversAndAnonymousErrors: a run goes on past the events of players
// and viewers that have not received a frame yet (their role says they only receive) and past
// a server's error about a session that never said which client it is, and a player's end — as they happen and
// when recorded late; a publisher's status and a server's error about the publisher still cut
// it (the negative control).
func TestRunsOutliveOtherReceiversAndAnonymousErrors(t *testing.T) {
	ms := time.Millisecond
	for _, late := range []bool{true, false} {
		f := frameRec{NewRecorder(nil, "x")}
		for _, c := range [][2]string{{"p", "player"}, {"q", "player"}, {"v", "viewer"}, {"pub", "publisher"}} {
			f.event(Event{Source: c[0], Kind: KindLabClient, Message: c[1]}, 0)
		}
		others := []Event{
			{Source: "q", Kind: KindClientStatus, Code: "NetConnection.Connect.Success", At: 150 * ms},
			{Source: "origin", Kind: KindServerConnect, Client: "q", Conn: 1, At: 170 * ms},
			{Source: "v", Kind: KindClientStatus, Code: "NetStream.Play.Start", At: 190 * ms},
			{Source: "origin", Kind: KindServerError, Message: "handshake: read C2: EOF", At: 210 * ms},
			{Source: "q", Kind: KindActorEnd, Message: "ended normally", At: 230 * ms},
		}
		cutters := []Event{
			{Source: "pub", Kind: KindClientStatus, Code: "NetStream.Publish.Start", At: 610 * ms},
			{Source: "pub", Kind: KindActorEnd, Message: "ended normally", At: 615 * ms},
			{Source: "origin", Kind: KindServerError, Client: "pub", Message: "x", At: 810 * ms},
		}
		record := func(evs []Event) {
			for _, e := range evs {
				f.event(e, e.At)
			}
		}
		for i := 0; i < 25; i++ { // 0-24 at 40 ms from 100 ms
			at := time.Duration(100+40*i) * ms
			if !late {
				for _, e := range append(others, cutters...) {
					if e.At > at-40*ms && e.At <= at {
						f.event(e, e.At)
					}
				}
			}
			f.frame("p", KindClientReceived, 1, i, float64(i)*0.04, at)
		}
		if late {
			record(others)
			record(cutters)
		}
		h := f.r.History()
		got := strings.Join(frameList(h, "p", KindClientReceived), " ")
		if want := "0-12@100ms 13-17@620ms 18-24@820ms"; got != want {
			t.Fatalf("late %v: runs %s, want %s", late, got, want)
		}
	}
}

// TestRunsSplitAtEventsRecordedLate: a fault's start recorded once it ended, stamped back at
// its start, cuts the runs it falls in, exactly at the first frame after it — with that
// frame's own arrival and stream time — and a 30 fps run (33/34 ms steps) keeps each frame's
// stream time exact.
func TestRunsSplitAtEventsRecordedLate(t *testing.T) {
	f := frameRec{NewRecorder(nil, "x")}
	ms := time.Millisecond
	for i := 0; i < 30; i++ {
		st := (time.Duration(i) * time.Second / 30).Truncate(ms).Seconds()
		f.frame("p", KindClientReceived, 1, i, st, time.Duration(33*i)*ms+time.Duration(i)*time.Microsecond)
	}
	f.event(Event{Source: "stall", Kind: KindFaultStart, Fault: "stall"}, 500*ms)
	h := f.r.History()
	runs := h.Of("p", KindClientReceived)
	if len(runs) != 2 || runs[0].Frames.Last != 15 || runs[1].Frames.First != 16 {
		t.Fatalf("split: %v", frameList(h, "p", KindClientReceived))
	}
	second := runs[1]
	if second.At != 33*16*ms+16*time.Microsecond || *second.StartTime != 0.533 || second.FrameAt(29) != 33*29*ms+29*time.Microsecond {
		t.Fatalf("the part after the fault: at %v, stream time %v, frame 29 at %v", second.At, *second.StartTime, second.FrameAt(29))
	}
	if second.EndTime == nil || *second.EndTime != 0.966 || h.Events[len(h.Events)-1].Kind != KindClientReceived {
		t.Fatalf("end %v; order %v", second.EndTime, h.Events[len(h.Events)-1].Kind)
	}
	for i, e := range h.Events[1:] {
		if e.At < h.Events[i].At {
			t.Fatalf("event %d goes back in time", i+1)
		}
	}
}

// TestWaitSeesARunGrow: a Wait for a frame that joins a run already seen returns.
func TestWaitSeesARunGrow(t *testing.T) {
	f := frameRec{NewRecorder(nil, "x")}
	f.frame("p", KindClientRendered, 0, 0, 0, 0)
	got := make(chan Event, 1)
	go func() {
		e, _ := f.r.Wait(context.Background(), func(e Event) bool { return e.Frames != nil && e.Frames.Last >= 3 })
		got <- e
	}()
	for i := 1; i < 4; i++ {
		waiting(t, f.r) // the Wait has seen the run as it is, and waits for more
		f.frame("p", KindClientRendered, 0, i, float64(i)*0.04, time.Duration(i)*40*time.Millisecond)
	}
	select {
	case e := <-got:
		if e.Frames.First != 0 || e.Frames.Last < 3 {
			t.Fatalf("waited for %+v", e.Frames)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait never saw frame 3 join the run")
	}
}

// waiting polls until a Wait on r has looked at everything recorded and waits.
func waiting(t *testing.T, r *Recorder) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		w := r.waited
		r.mu.Unlock()
		if w {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the Wait never started waiting")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPlainFrameSeesEveryField: a frame event carrying anything besides its frames, times and
// identity stays an event of its own — checked for every field of Event, so that a field added
// later cannot be merged away unnoticed.
func TestPlainFrameSeesEveryField(t *testing.T) {
	runFields := map[string]bool{"Seq": true, "At": true, "Source": true, "Kind": true, "Conn": true, "Stream": true,
		"Frames": true, "StartTime": true, "Until": true, "EndTime": true, "Arrivals": true, "Times": true}
	eachFieldSet(t, runFields, Event{}, func(name string, e *Event) {
		if plainFrame(e) {
			t.Errorf("a frame event with %s set would join a run and lose it", name)
		}
	})
}

// eachFieldSet calls f with a copy of base with one field set, for every field of Event but
// those of skip.
func eachFieldSet(t *testing.T, skip map[string]bool, base Event, f func(name string, e *Event)) {
	t.Helper()
	typ := reflect.TypeOf(Event{})
	for i := 0; i < typ.NumField(); i++ {
		fd := typ.Field(i)
		if skip[fd.Name] {
			continue
		}
		e := base
		v := reflect.ValueOf(&e).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString("x")
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Int, reflect.Int64:
			v.SetInt(1)
		case reflect.Float64:
			v.SetFloat(1)
		case reflect.Pointer:
			v.Set(reflect.New(fd.Type.Elem()))
		case reflect.Slice:
			v.Set(reflect.MakeSlice(fd.Type, 1, 1))
		default:
			t.Fatalf("field %s of kind %s: teach this test", fd.Name, v.Kind())
		}
		f(fd.Name, &e)
	}
}

// TestRunsRoundTripJSON: a history of runs reads back with every frame's arrival and time.
func TestRunsRoundTripJSON(t *testing.T) {
	f := frameRec{NewRecorder(nil, "x")}
	for i := 0; i < 5; i++ {
		f.frame("p", KindClientReceived, 1, i, float64(i)*0.04, time.Duration(40*i)*time.Millisecond)
	}
	var b strings.Builder
	if err := f.r.History().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back History
	if err := json.Unmarshal([]byte(b.String()), &back); err != nil {
		t.Fatal(err)
	}
	e := back.Events[0]
	if len(back.Events) != 1 || e.FrameAt(4) != 160*time.Millisecond || *e.EndTime != 0.16 || e.Times[4] != 160000 {
		t.Fatalf("read back: %+v", e)
	}
}

// TestLateEventsCutEveryRunTheyFallIn: a fault and a player's own status recorded after the
// frames they fall among cut the runs of every player the fault concerns and of that player
// only for its status — a later player's run is cut by the later fault as well.
func TestLateEventsCutEveryRunTheyFallIn(t *testing.T) {
	f := frameRec{NewRecorder(nil, "x")}
	ms := time.Millisecond
	for i := 0; i < 11; i++ {
		f.frame("p", KindClientReceived, 1, i, float64(i)*0.04, time.Duration(100+40*i)*ms)
	}
	for i := 0; i < 4; i++ {
		f.frame("q", KindClientReceived, 1, i, float64(i)*0.04, time.Duration(830+40*i)*ms)
	}
	f.event(Event{Source: "p", Kind: KindClientStatus, Code: "NetStream.Buffer.Empty"}, 300*ms)
	f.event(Event{Source: "drop", Kind: KindFaultStart, Fault: "drop"}, 200*ms)
	f.event(Event{Source: "drop", Kind: KindFaultEnd, Fault: "drop"}, 900*ms)
	h := f.r.History()
	if got, want := strings.Join(frameList(h, "p", KindClientReceived), " "), "0-2@100ms 3-5@220ms 6-10@340ms"; got != want {
		t.Errorf("p: %s, want %s", got, want)
	}
	if got, want := strings.Join(frameList(h, "q", KindClientReceived), " "), "0-1@830ms 2-3@910ms"; got != want {
		t.Errorf("q: %s, want %s (cut by the fault's end)", got, want)
	}
}

// TestLenCountsARunOnce: what a recording holds, as Len tells it, is a run for consecutive
// frames and one event for anything else.
func TestLenCountsARunOnce(t *testing.T) {
	f := frameRec{NewRecorder(fixed{}, "x")}
	for i := range 5 {
		f.frame("p", KindClientReceived, 1, i, float64(i)*0.04, time.Duration(i)*40*time.Millisecond)
	}
	if n := f.r.Len(); n != 1 {
		t.Fatalf("five consecutive frames: Len %d, want 1", n)
	}
	f.event(Event{Source: "p", Kind: KindClientStatus, Code: "NetStream.Buffer.Full"}, 200*time.Millisecond)
	f.frame("p", KindClientReceived, 1, 5, 0.2, 240*time.Millisecond)
	if n := f.r.Len(); n != 3 {
		t.Fatalf("a status and a frame after the run: Len %d, want 3", n)
	}
}
