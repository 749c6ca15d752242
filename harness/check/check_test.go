package check

import (
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/status"
)

// hb builds hand-written histories. Player v's requests go out on its current connection
// (a reset opens connection 1, each resume a new one) and the server's events carry the
// identity that connection declared.
type hb struct {
	h    history.History
	conn int
}

func (b *hb) add(at time.Duration, e history.Event) *hb {
	e.At, e.Seq = at, len(b.h.Events)
	b.h.Events = append(b.h.Events, e)
	return b
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }
func f(v float64) *float64   { return &v }

func (b *hb) stream() *hb {
	return b.add(0, history.Event{Source: "origin", Kind: history.KindStream, Stream: "s", Count: 100, FPS: 25})
}
func (b *hb) play(at time.Duration, transition string, offset float64) *hb {
	if transition == "resume" || b.conn == 0 {
		b.conn++
	}
	return b.add(at, history.Event{Source: "v", Kind: history.KindClientPlay, Stream: "s", Transition: transition, Offset: f(offset), Conn: b.conn})
}
func (b *hb) recv(at time.Duration, first, last int) *hb {
	return b.add(at, history.Event{Source: "v", Kind: history.KindClientReceived, Stream: "s", Frames: &history.Range{First: first, Last: last}})
}
func (b *hb) render(at time.Duration, first, last int) *hb {
	return b.add(at, history.Event{Source: "v", Kind: history.KindClientRendered, Stream: "s", Frames: &history.Range{First: first, Last: last}})
}
func (b *hb) serve(at time.Duration, mode string, soffset float64, frame int) *hb {
	return b.add(at, history.Event{Source: "origin", Kind: history.KindServerPlay, Stream: "s", Transition: mode,
		Offset: f(soffset), StartTime: f(float64(frame) / 25), Frames: &history.Range{First: frame, Last: frame}, Client: "v", Conn: b.conn})
}

// lab records client on route r to server origin (and route "other" beside it).
func (b *hb) lab(client, r string) *hb {
	b.add(0, history.Event{Source: "harness", Kind: history.KindRoute, Route: r, Target: "origin"})
	b.add(0, history.Event{Source: "harness", Kind: history.KindRoute, Route: "other", Target: "edge"})
	return b.add(0, history.Event{Source: client, Kind: history.KindLabClient, Route: r})
}

// healthy is a correct drop-and-resume: frames 0..99, a resume at offset 2.0s (frame 50)
// served from the keyframe at 2.0s.
func healthy() *hb {
	b := &hb{}
	return b.stream().play(0, "reset", 0).serve(ms(1), "reset", 0, 0).recv(ms(2), 0, 0).
		render(ms(100), 0, 40).play(ms(1000), "resume", 2.0).serve(ms(1001), "resume", 2.0, 50).
		render(ms(2000), 41, 99)
}

func expect(t *testing.T, v Verdict, st Status, msg string) {
	t.Helper()
	if v.Status != st || !strings.Contains(v.Message, msg) {
		t.Fatalf("got %s, want %s containing %q", v, st, msg)
	}
}

func TestResumesAtOffset(t *testing.T) {
	expect(t, resumesAtOffset(&healthy().h, "v", 1), Pass, "100 frames rendered with no gap and no duplicate across 1 resume")

	dup := healthy().render(ms(3000), 20, 22)
	v := resumesAtOffset(&dup.h, "v", 1)
	expect(t, v, Fail, "frames 20..22 of s rendered twice: frame 20 first at 0.100s, again at 3.000s")
	single := healthy().render(ms(3000), 7, 7).render(ms(3001), 9, 9)
	v = resumesAtOffset(&single.h, "v", 1)
	expect(t, v, Fail, "frame 7 of s rendered twice: first at 0.100s, again at 3.000s (and 1 more problems)")

	gap := (&hb{}).stream().play(0, "reset", 0).recv(0, 0, 0).render(ms(10), 0, 40).render(ms(20), 45, 99)
	expect(t, resumesAtOffset(&gap.h, "v", 0), Fail, "frames 41..44 of s never rendered: jumped from 40 to 45 at 0.020s")

	firstMissing := (&hb{}).stream().play(0, "reset", 0).recv(0, 0, 0).render(ms(10), 1, 99)
	expect(t, resumesAtOffset(&firstMissing.h, "v", 0), Fail, "frames 0 of s never rendered")

	backwards := (&hb{}).stream().recv(0, 0, 0).render(ms(10), 0, 5).render(ms(20), 7, 7).render(ms(30), 6, 6)
	v = resumesAtOffset(&backwards.h, "v", 0)
	if v.Status != Fail || len(v.Evidence) < 2 || !strings.Contains(strings.Join(v.Evidence, "|"), "out of order") {
		t.Fatalf("got %s %v", v, v.Evidence)
	}

	wrongOffset := (&hb{}).stream().play(0, "reset", 0).recv(0, 0, 0).render(ms(10), 0, 99).
		play(ms(5), "resume", 2.0).serve(ms(6), "resume", 0, 0)
	expect(t, resumesAtOffset(&wrongOffset.h, "v", 1), Fail, "server x-soffset 0.000s differs from the requested offset 2.000s")

	servedAfter := (&hb{}).stream().recv(0, 0, 0).render(ms(10), 0, 99).
		play(ms(5), "resume", 2.0).serve(ms(6), "resume", 2.0, 75)
	expect(t, resumesAtOffset(&servedAfter.h, "v", 1), Fail, "server served from 3.000s, after the requested offset 2.000s")

	lost := (&hb{}).stream().recv(0, 0, 0).render(ms(10), 0, 99).play(ms(5), "resume", 2.0)
	expect(t, resumesAtOffset(&lost.h, "v", 1), Fail, "never reached a server")

	noResume := (&hb{}).stream().play(0, "reset", 0).recv(0, 0, 0).render(ms(10), 0, 99)
	expect(t, resumesAtOffset(&noResume.h, "v", 1), Fail, "expected at least 1 resume(s), v made 0")
	expect(t, resumesAtOffset(&noResume.h, "v", 0), Pass, "")
	connected := func() *hb {
		return (&hb{}).stream().add(ms(1), history.Event{Source: "v", Kind: history.KindClientStatus, Conn: 1, Code: status.ConnectSuccess}).
			play(ms(2), "reset", 0).recv(ms(3), 0, 0).render(ms(10), 0, 99)
	}
	expect(t, resumesAtOffset(&connected().h, "v", 1), Fail, "v made 0 (it lost no connection; it connected at 0.001s)")
	st := func(conn int, code, msg string) history.Event {
		return history.Event{Source: "v", Kind: history.KindClientStatus, Conn: conn, Code: code, Message: msg}
	}
	closed := connected().add(ms(4000), st(1, status.ConnectClosed, "rtmp read: EOF"))
	expect(t, resumesAtOffset(&closed.h, "v", 1), Fail, "v made 0 (it lost connection 1 at 4.000s and never connected again)")
	// Its tries refused until it gave up: each as it reported it, another client's not at all.
	refused := closed.add(ms(4050), st(2, status.ConnectFailed, "connection refused")).
		add(ms(4300), st(3, status.ConnectFailed, "connection refused again")).
		add(ms(4300), history.Event{Source: "w", Kind: history.KindClientStatus, Conn: 9, Code: status.ConnectFailed, Message: "w's"}).
		add(ms(4301), st(0, status.ConnectFailed, "gave up reconnecting after 2 tries"))
	want := "v made 0 (it lost connection 1 at 4.000s and never connected again: 2 tries failed, the last at 4.300s: connection refused again; gave up reconnecting after 2 tries)"
	expect(t, resumesAtOffset(&refused.h, "v", 1), Fail, want)
	expect(t, reconnects(&refused.h, "v", 1), Fail, "v resumed 0 time(s), expected 1 (it lost connection 1 at 4.000s and never connected again: 2 tries failed")
	// Connected again: its resumes (none here) are judged as they are, with no note.
	again := refused.add(ms(5000), st(4, status.ConnectSuccess, ""))
	if v := resumesAtOffset(&again.h, "v", 1); v.Status != Fail || !strings.HasSuffix(v.Message, "v made 0") {
		t.Fatalf("a client that connected again and made no resume: got %s", v)
	}

	empty := (&hb{}).stream().play(0, "reset", 0)
	expect(t, resumesAtOffset(&empty.h, "v", 1), Unknown, "rendered no frame")
}

func TestPlaysToEnd(t *testing.T) {
	expect(t, playsToEnd(&healthy().h, "v", 3*time.Second), Pass, "last frame 99 of s rendered at 2.000s")
	expect(t, playsToEnd(&healthy().h, "v", time.Second), Fail, "rendered the last frame 99 of s at 2.000s, after the deadline 1.000s")
	short := (&hb{}).stream().play(0, "reset", 0).render(ms(10), 0, 60).
		add(ms(20), history.Event{Source: "v", Kind: history.KindActorEnd, Message: "gave up"})
	v := playsToEnd(&short.h, "v", time.Minute)
	expect(t, v, Fail, "never rendered the last frame 99 of s; the highest was 60")
	if len(v.Evidence) != 1 || !strings.Contains(v.Evidence[0], "gave up") {
		t.Fatalf("evidence %v", v.Evidence)
	}
	none := (&hb{}).stream().play(0, "reset", 0)
	expect(t, playsToEnd(&none.h, "v", time.Minute), Fail, "never rendered a frame")
	expect(t, playsToEnd(&(&hb{}).h, "v", time.Minute), Unknown, "no play request")
	noCatalogue := (&hb{}).play(0, "reset", 0)
	expect(t, playsToEnd(&noCatalogue.h, "v", time.Minute), Unknown, "does not say how long")
}

func TestReconnects(t *testing.T) {
	expect(t, reconnects(&healthy().h, "v", 1), Pass, "resumed 1 time(s) as expected")
	expect(t, reconnects(&healthy().h, "v", 0), Fail, "resumed 1 time(s), expected 0 (at 1.000s)")
	expect(t, reconnects(&(&hb{}).h, "v", 0), Unknown, "")
}

func TestRecoveries(t *testing.T) {
	b := (&hb{}).lab("v", "wifi")
	b.add(0, history.Event{Source: "v", Kind: history.KindClientPlay, Stream: "s", Conn: 1, Transition: "reset"}).
		add(ms(1000), history.Event{Source: "lat", Kind: history.KindFaultStart, Fault: "lat", Route: "wifi"}). // broke nothing
		add(ms(4000), history.Event{Source: "drop-1", Kind: history.KindFaultStart, Fault: "drop-1", Route: "wifi"}).
		// A fault on another route that starts meanwhile neither takes the credit nor cuts the window.
		add(ms(4000), history.Event{Source: "drop-lte", Kind: history.KindFaultStart, Fault: "drop-lte", Route: "other"}).
		add(ms(4001), history.Event{Source: "v", Kind: history.KindClientStatus, Conn: 1, Code: "NetConnection.Connect.Closed"}).
		add(ms(4250), history.Event{Source: "v", Kind: history.KindClientDropped, Conn: 2, Frames: &history.Range{First: 175, Last: 175}}).
		add(ms(4300), history.Event{Source: "v", Kind: history.KindClientReceived, Conn: 2, Frames: &history.Range{First: 176, Last: 176}}).
		add(ms(9000), history.Event{Source: "drop-2", Kind: history.KindFaultStart, Fault: "drop-2", Route: "wifi"})
	got := Recoveries(&b.h, "v")
	if len(got) != 1 || got[0].Took != ms(250) || got[0].Until != UntilFirstFrame || got[0].Conn != 2 || got[0].Fault != "drop-1" {
		t.Fatalf("got %+v", got)
	}

	// A publisher: the stall costs it its session through its own bitrate check (no
	// Connect.Closed); the outage ends at the Publish.Start on the next connection. A second
	// fault that its session survives adds nothing.
	p := (&hb{}).lab("cam", "up")
	p.add(0, history.Event{Source: "cam", Kind: history.KindClientPublish, Stream: "cam", Conn: 1}).
		add(ms(3000), history.Event{Source: "stall", Kind: history.KindFaultStart, Fault: "stall", Route: "up"}).
		add(ms(8000), history.Event{Source: "cam", Kind: history.KindClientZero, Conn: 1}).
		add(ms(8600), history.Event{Source: "cam", Kind: history.KindClientAttempt, Conn: 2}).
		add(ms(13020), history.Event{Source: "cam", Kind: history.KindClientPublish, Stream: "cam", Conn: 3}).
		add(ms(13021), history.Event{Source: "cam", Kind: history.KindClientStatus, Conn: 3, Code: "NetStream.Publish.Start"}).
		add(ms(15000), history.Event{Source: "lat", Kind: history.KindFaultStart, Fault: "lat", Route: "up"}).
		add(ms(16000), history.Event{Source: "cam", Kind: history.KindClientBitrate, Conn: 3, BytesOut: 1})
	got = Recoveries(&p.h, "cam")
	if len(got) != 1 || got[0].Took != ms(10021) || got[0].Until != UntilRepublish || got[0].Conn != 3 || got[0].Fault != "stall" {
		t.Fatalf("publisher: got %+v", got)
	}
}

func TestStallDetected(t *testing.T) {
	base := func(route string) *hb {
		return (&hb{}).lab("v", "wifi").add(ms(3000), history.Event{Source: "hole", Kind: history.KindFaultStart, Fault: "hole", Route: route})
	}
	ok := base("wifi").add(ms(4100), history.Event{Source: "v", Kind: history.KindClientStall, Conn: 1, Message: "no byte"})
	expect(t, stallDetected(&ok.h, "v", "hole", 2*time.Second), Pass, "stall detected 1.100s after hole started")
	expect(t, stallDetected(&ok.h, "v", "hole", time.Second), Fail, "later than 1.000s")
	early := base("wifi").add(ms(2000), history.Event{Source: "v", Kind: history.KindClientStall})
	expect(t, stallDetected(&early.h, "v", "hole", time.Minute), Fail, "never detected the stall that hole caused")
	expect(t, stallDetected(&ok.h, "v", "other", time.Minute), Unknown, "never started")
	// The fault hit another route: whatever the client detected, it is not to the fault's credit.
	elsewhere := base("other").add(ms(4100), history.Event{Source: "v", Kind: history.KindClientStall, Conn: 1})
	expect(t, stallDetected(&elsewhere.h, "v", "hole", 2*time.Second), Fail, "fault hole acted on route other, not on v's path (route wifi to origin)")
	// A detection before any fault on the client's path is a false alarm, even when a later
	// detection is on time.
	alarm := (&hb{}).lab("v", "wifi").add(ms(1000), history.Event{Source: "v", Kind: history.KindClientStall, Conn: 1}).
		add(ms(3000), history.Event{Source: "hole", Kind: history.KindFaultStart, Fault: "hole", Route: "wifi"}).
		add(ms(4100), history.Event{Source: "v", Kind: history.KindClientStall, Conn: 2})
	expect(t, stallDetected(&alarm.h, "v", "hole", 2*time.Second), Fail, "stall at 1.000s on connection 1 with no fault on v's path")
	// A server fault touches the clients whose route leads to that server; a move changes the route.
	server := (&hb{}).lab("v", "wifi").add(ms(3000), history.Event{Source: "k", Kind: history.KindFaultStart, Fault: "k", Target: "origin"}).
		add(ms(4000), history.Event{Source: "v", Kind: history.KindClientStall, Conn: 1})
	expect(t, stallDetected(&server.h, "v", "k", 2*time.Second), Pass, "")
	moved := (&hb{}).lab("v", "wifi").add(ms(1000), history.Event{Source: "mv", Kind: history.KindFaultStart, Fault: "mv", Target: "v", Route: "other"}).
		add(ms(3000), history.Event{Source: "k", Kind: history.KindFaultStart, Fault: "k", Target: "origin"}).
		add(ms(4000), history.Event{Source: "v", Kind: history.KindClientStall, Conn: 2})
	expect(t, stallDetected(&moved.h, "v", "k", 2*time.Second), Fail, "fault k acted on origin, not on v's path (route other to edge)")
}

func TestBandwidthMeasured(t *testing.T) {
	b := (&hb{}).add(ms(50), history.Event{Source: "v", Kind: history.KindClientBW, Kbps: 390, Latency: ms(1)})
	expect(t, bandwidthMeasured(&b.h, "v", 400, 0.2), Pass, "measured 390 kbps, within ±20% of 400 kbps")
	expect(t, bandwidthMeasured(&b.h, "v", 800, 0.2), Fail, "measured 390 kbps, outside 640..960")
	expect(t, bandwidthMeasured(&(&hb{}).h, "v", 400, 0.2), Fail, "no onBWDone")
}

func TestResumesPairEachRequestWithItsOwnServerPlay(t *testing.T) {
	// Two resumes of one client on connections 2 and 3, served in the opposite order.
	b := (&hb{}).stream()
	b.add(ms(1000), history.Event{Source: "v", Kind: history.KindClientPlay, Stream: "s", Transition: "resume", Offset: f(2.0), Conn: 2})
	b.add(ms(1001), history.Event{Source: "v", Kind: history.KindClientPlay, Stream: "s", Transition: "resume", Offset: f(2.04), Conn: 3})
	b.add(ms(1002), history.Event{Source: "origin", Kind: history.KindServerPlay, Stream: "s", Transition: "resume", Offset: f(2.04),
		Frames: &history.Range{First: 50, Last: 50}, Client: "v", Conn: 3})
	b.add(ms(1003), history.Event{Source: "origin", Kind: history.KindServerPlay, Stream: "s", Transition: "resume", Offset: f(2.0),
		Frames: &history.Range{First: 50, Last: 50}, Client: "v", Conn: 2})
	rs := Resumes(&b.h, "v")
	if len(rs) != 2 || rs[0].Served == nil || rs[1].Served == nil || rs[0].Served.Seq == rs[1].Served.Seq {
		t.Fatalf("pairs: %+v", rs)
	}
	if *rs[0].Served.Offset != 2.0 || *rs[1].Served.Offset != 2.04 {
		t.Fatalf("paired with %v and %v", *rs[0].Served.Offset, *rs[1].Served.Offset)
	}
	lone := (&hb{}).stream().play(ms(1000), "resume", 2.0)
	if rs := Resumes(&lone.h, "v"); len(rs) != 1 || rs[0].Served != nil {
		t.Fatalf("an unserved request: %+v", rs)
	}
}

// TestResumesInterleavedClients: four players resume one stream at the same instant with
// different buffers (offsets); the server logs their resumes in another order, and one
// client's resume is lost with its connection. Each request is paired with its own server
// event, and the lost one with none — never with another client's.
func TestResumesInterleavedClients(t *testing.T) {
	b := (&hb{}).stream()
	offsets := map[string]float64{"a": 5.0, "b": 6.0, "c": 7.0, "d": 8.0}
	for _, c := range []string{"a", "b", "c", "d"} {
		b.add(ms(4000), history.Event{Source: c, Kind: history.KindClientPlay, Stream: "s", Transition: "resume", Offset: f(offsets[c]), Conn: 2})
	}
	for _, c := range []string{"d", "b", "a"} { // c's resume never reached the server
		b.add(ms(4010), history.Event{Source: "origin", Kind: history.KindServerPlay, Stream: "s", Transition: "resume",
			Offset: f(offsets[c]), Frames: &history.Range{First: int(offsets[c] * 25), Last: int(offsets[c] * 25)}, Client: c, Conn: 2})
	}
	for c, off := range offsets {
		rs := Resumes(&b.h, c)
		if len(rs) != 1 {
			t.Fatalf("%s: %d resumes", c, len(rs))
		}
		switch {
		case c == "c" && rs[0].Served != nil:
			t.Errorf("c's lost resume was credited with %s's server play", rs[0].Served.Client)
		case c != "c" && (rs[0].Served == nil || *rs[0].Served.Offset != off || rs[0].Served.Client != c):
			t.Errorf("%s paired with %+v", c, rs[0].Served)
		}
	}
}
