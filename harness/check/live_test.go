package check

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

func cam(b *hb, at time.Duration, kind string, e history.Event) *hb {
	e.Source, e.Kind = "cam", kind
	return b.add(at, e)
}

// stalled: data until 2.0 s, three empty checks of 500 ms, detection at 3.5 s, republish at 5 s,
// viewer frames at 5.1 s.
func stalled(detectAt time.Duration) *hb {
	b := &hb{}
	cam(b, 0, history.KindClientPublish, history.Event{Stream: "cam", Message: "h264"})
	b.add(ms(1), history.Event{Source: "origin", Kind: history.KindServerPublish, Stream: "cam", Session: "s1", Client: "cam", Conn: 1})
	for t := 500; t <= 2000; t += 500 {
		cam(b, ms(t), history.KindClientBitrate, history.Event{BytesOut: 25000})
	}
	for t := 2500; t <= 3500; t += 500 {
		cam(b, ms(t), history.KindClientBitrate, history.Event{Strikes: (t - 2000) / 500})
	}
	cam(b, detectAt, history.KindClientZero, history.Event{Strikes: 3})
	cam(b, ms(4900), history.KindClientPublish, history.Event{Stream: "cam", Message: "h263"})
	b.add(ms(5000), history.Event{Source: "origin", Kind: history.KindServerPublish, Stream: "cam", Session: "s2", Client: "cam", Conn: 2})
	b.add(ms(5100), history.Event{Source: "w", Kind: history.KindClientReceived, Stream: "cam", Frames: &history.Range{First: 125, Last: 125}, StartTime: f(5)})
	return b
}

func TestRepublishesAfterZeroBitrate(t *testing.T) {
	p := Republishes{ClientRef: spec.ClientRef{Client: "cam"}, Viewer: "w", Within: spec.Duration(time.Second), Codec: "h263", Interval: spec.Duration(500 * time.Millisecond), MaxTries: 3}
	expect(t, republishesAfterZeroBitrate(&stalled(ms(3502)).h, p), Pass, "on schedule")
	expect(t, republishesAfterZeroBitrate(&stalled(ms(3580)).h, p), Pass, "on schedule")
	expect(t, republishesAfterZeroBitrate(&stalled(ms(4500)).h, p), Fail, "detection off schedule")
	extra := stalled(ms(3502))
	cam(extra, ms(3200), history.KindClientBitrate, history.Event{Strikes: 4})
	expect(t, republishesAfterZeroBitrate(&extra.h, p), Fail, "4 empty checks after")
	p.Codec = "vp8"
	expect(t, republishesAfterZeroBitrate(&stalled(ms(3502)).h, p), Fail, `announced codec "h263", want "vp8"`)
	p.Codec, p.Within = "", spec.Duration(50*time.Millisecond)
	expect(t, republishesAfterZeroBitrate(&stalled(ms(3502)).h, p), Fail, "later than 50ms")
	none := &hb{}
	cam(none, ms(500), history.KindClientBitrate, history.Event{BytesOut: 10})
	expect(t, republishesAfterZeroBitrate(&none.h, p), Fail, "never detected a zero bitrate")
}

func TestRestorePolicy(t *testing.T) {
	pol := fakeclient.Restore{Timeout: spec.Duration(500 * time.Millisecond), MaxTries: 3}
	outage := func(b *hb, at time.Duration, attempts int, gap time.Duration, then string) *hb {
		for i := 1; i <= attempts; i++ {
			cam(b, at, history.KindClientWait, history.Event{})
			at += gap
			cam(b, at, history.KindClientAttempt, history.Event{Strikes: i})
		}
		switch then {
		case "ok":
			cam(b, at+ms(5), history.KindClientStatus, history.Event{Code: "NetStream.Publish.Start"})
		case "failed":
			cam(b, at+ms(5), history.KindClientFailed, history.Event{Code: "FAILED"})
		}
		return b
	}
	expect(t, restorePolicy(&outage(outage(&hb{}, ms(1000), 2, ms(500), "ok"), ms(5000), 3, ms(500), "ok").h, "cam", pol), Pass, "2 outage(s), at most 3 of 3")
	expect(t, restorePolicy(&outage(&hb{}, ms(1000), 3, ms(500), "failed").h, "cam", pol), Pass, "terminal FAILED")
	expect(t, restorePolicy(&outage(&hb{}, ms(1000), 4, ms(500), "").h, "cam", pol), Fail, "attempt 4 at 3.000s exceeds maxTries 3")
	expect(t, restorePolicy(&outage(&hb{}, ms(1000), 2, ms(100), "ok").h, "cam", pol), Fail, "attempt too early")
	expect(t, restorePolicy(&outage(&hb{}, ms(1000), 3, ms(500), "").h, "cam", pol), Fail, "no terminal FAILED followed")
	expect(t, restorePolicy(&outage(&hb{}, ms(1000), 1, ms(500), "failed").h, "cam", pol), Fail, "after only 1 of 3 attempts")
	back := pol
	back.Backoff = &fakeclient.Backoff{Factor: 2, Max: spec.Duration(time.Minute)}
	expect(t, restorePolicy(&outage(&hb{}, ms(1000), 2, ms(500), "ok").h, "cam", back), Fail, "attempt 2 at 2.000s, 0.500s after the failure (policy 1s)")
	expect(t, restorePolicy(&(&hb{}).h, "cam", pol), Unknown, "never had to restore")
}

func TestNoRestoreAfterManualStop(t *testing.T) {
	b := &hb{}
	cam(b, 0, history.KindClientPublish, history.Event{Stream: "cam"})
	cam(b, ms(1000), history.KindClientStopped, history.Event{})
	// A backup publisher taking over the name is not the stopped one restoring.
	b.add(ms(2000), history.Event{Source: "origin", Kind: history.KindServerPublish, Stream: "cam", Client: "backup", Conn: 1})
	expect(t, noRestoreAfterManualStop(&b.h, "cam"), Pass, "no restore and no publish afterwards")
	cam(b, ms(3000), history.KindClientAttempt, history.Event{Strikes: 1})
	b.add(ms(3005), history.Event{Source: "origin", Kind: history.KindServerPublish, Stream: "cam", Client: "cam", Conn: 2})
	expect(t, noRestoreAfterManualStop(&b.h, "cam"), Fail, "restore.attempt at 3.000s, after the manual stop at 1.000s (and 1 more problems)")
	expect(t, noRestoreAfterManualStop(&(&hb{}).h, "cam"), Unknown, "never stopped by hand")
}

func TestDeadPeerDetected(t *testing.T) {
	b := (&hb{}).lab("cam", "up").add(ms(1000), history.Event{Source: "dark", Kind: history.KindFaultStart, Fault: "dark", Route: "up"})
	cam(b, ms(2500), history.KindClientPings, history.Event{Strikes: 3})
	expect(t, deadPeerDetected(&b.h, "cam", "dark", 2*time.Second), Pass, "detected 1.500s after dark")
	expect(t, deadPeerDetected(&b.h, "cam", "dark", time.Second), Fail, "later than 1.000s")
	quiet := (&hb{}).lab("cam", "up").add(ms(1000), history.Event{Source: "dark", Kind: history.KindFaultStart, Fault: "dark", Route: "up"})
	expect(t, deadPeerDetected(&quiet.h, "cam", "dark", time.Second), Fail, "never detected the dead peer")
	// A publisher that declares a healthy session dead is not credited to a fault elsewhere.
	wrong := (&hb{}).lab("cam", "up").add(ms(1000), history.Event{Source: "dark", Kind: history.KindFaultStart, Fault: "dark", Route: "other"})
	cam(wrong, ms(2500), history.KindClientPings, history.Event{Strikes: 3})
	expect(t, deadPeerDetected(&wrong.h, "cam", "dark", 2*time.Second), Fail, "not on cam's path")
}

func TestLiveResumes(t *testing.T) {
	view := func(ts ...float64) *hb {
		b := &hb{}
		b.add(0, history.Event{Source: "w", Kind: history.KindClientPlay, Stream: "cam", Transition: "live"})
		b.add(ms(1), history.Event{Source: "origin", Kind: history.KindServerPublish, Stream: "cam"})
		for i, v := range ts {
			b.add(ms(10+i), history.Event{Source: "w", Kind: history.KindClientReceived, Stream: "cam", Frames: &history.Range{First: i, Last: i}, StartTime: f(v)})
		}
		return b
	}
	// The viewer loses its session at 20 ms and gets frames again: a resume.
	lost := func(again bool) *hb {
		b := view(0, 0.04)
		b.add(ms(20), history.Event{Source: "w", Kind: history.KindClientStatus, Code: "NetConnection.Connect.Closed", Conn: 1})
		if again {
			b.add(ms(500), history.Event{Source: "w", Kind: history.KindClientReceived, Stream: "cam", Frames: &history.Range{First: 30, Last: 30}, StartTime: f(1.2)})
		}
		return b
	}
	expect(t, liveResumes(&lost(true).h, "w", time.Second, 1), Pass, "frames again after 1 interruption(s)")
	expect(t, liveResumes(&lost(false).h, "w", time.Second, 1), Fail, "its session (connection 1) was lost at 0.020s and no frame came again")
	bad := lost(true)
	bad.add(ms(600), history.Event{Source: "w", Kind: history.KindClientReceived, Stream: "cam", Frames: &history.Range{First: 1, Last: 1}, StartTime: f(0.04)})
	expect(t, liveResumes(&bad.h, "w", time.Second, 1), Fail, "timestamp went back from 1.200s to 0.040s")
	// A new session that begins at the server's cached keyframe, a little before what the old
	// one had, is no step back; one that begins seconds back is.
	rejoin := func(at float64) *hb {
		b := view()
		b.add(ms(10), history.Event{Source: "w", Kind: history.KindClientReceived, Conn: 1, Stream: "cam", Frames: &history.Range{First: 82, Last: 82}, StartTime: f(3.28)})
		b.add(ms(20), history.Event{Source: "w", Kind: history.KindClientStatus, Code: "NetConnection.Connect.Closed", Conn: 1})
		b.add(ms(500), history.Event{Source: "w", Kind: history.KindClientReceived, Conn: 2, Stream: "cam", Frames: &history.Range{First: 75, Last: 75}, StartTime: f(at)})
		return b
	}
	expect(t, liveResumes(&rejoin(3.0).h, "w", time.Second, 1), Pass, "frames again after 1 interruption(s)")
	expect(t, liveResumes(&rejoin(1.0).h, "w", time.Second, 1), Fail, "timestamp went back from 3.280s to 1.000s")
	// A republish the viewer never sees frames of fails; one it does passes.
	republished := view(0, 0.04)
	republished.add(ms(100), history.Event{Source: "w", Kind: history.KindClientStatus, Code: "NetStream.Play.UnpublishNotify", Conn: 1})
	republished.add(ms(200), history.Event{Source: "origin", Kind: history.KindServerPublish, Stream: "cam"})
	expect(t, liveResumes(&republished.h, "w", time.Second, 2), Fail, "no frame after the publish at 0.200s")
	republished.add(ms(300), history.Event{Source: "w", Kind: history.KindClientReceived, Stream: "cam", Frames: &history.Range{First: 9, Last: 9}, StartTime: f(0.4)})
	expect(t, liveResumes(&republished.h, "w", time.Second, 2), Pass, "within 1s of each of 2 publish(es)")
	// Nothing interrupted the stream: no resume to judge, whatever minPublishes says.
	expect(t, liveResumes(&view(0, 0.04, 2.0).h, "w", time.Second, 1), Unknown, "nothing interrupted w's live stream")
	expect(t, liveResumes(&view(0, 0.04, 0).h, "w", time.Second, 1), Fail, "timestamp went back from 0.040s to 0.000s")
	expect(t, liveResumes(&view(0, 0.04).h, "w", time.Second, 2), Fail, "saw 1 publish(es) of cam, expected at least 2")
	expect(t, liveResumes(&(&hb{}).h, "w", time.Second, 1), Fail, "received no frame")
}

// TestAcceptsThatDoNotHoldAreNotRestores: a Publish.Start the server takes back at once (it
// closes the session; no fault on the path) restores nothing, so a client that counts it as a
// success and starts its count again passes maxTries; the same close during a drop on the
// client's route is a loss, and the accept before it held.
func TestAcceptsThatDoNotHoldAreNotRestores(t *testing.T) {
	pol := fakeclient.Restore{Timeout: spec.Duration(500 * time.Millisecond), MaxTries: 3}
	taken := func(withFault bool) *hb {
		b := (&hb{}).lab("cam", "wifi")
		b.add(0, history.Event{Source: "harness", Kind: history.KindRoute, Route: "wifi", Target: "origin"})
		at := ms(1000)
		for i := 1; i <= 5; i++ {
			cam(b, at, history.KindClientWait, history.Event{})
			at += ms(500)
			cam(b, at, history.KindClientAttempt, history.Event{Strikes: 1, Conn: i}) // the client starts again every time
			cam(b, at+ms(5), history.KindClientStatus, history.Event{Code: "NetStream.Publish.Start", Conn: i})
			if withFault {
				drop := fmt.Sprintf("drop-%d", i)
				b.add(at+ms(5), history.Event{Source: drop, Kind: history.KindFaultStart, Fault: drop, Route: "wifi"})
				b.add(at+ms(5), history.Event{Source: drop, Kind: history.KindFaultEnd, Fault: drop, Route: "wifi"})
			}
			cam(b, at+ms(6), history.KindClientStatus, history.Event{Code: "NetConnection.Connect.Closed", Conn: i})
		}
		return b
	}
	v := restorePolicy(&taken(false).h, "cam", pol)
	expect(t, v, Fail, "attempt 4 at 3.000s exceeds maxTries 3 (counted since the last accept that held)")
	if !strings.Contains(strings.Join(v.Evidence, "\n"), "did not hold: the server closed the session 0.001s later") {
		t.Fatalf("evidence %v", v.Evidence)
	}
	expect(t, restorePolicy(&taken(true).h, "cam", pol), Pass, "5 outage(s), at most 1 of 3")
}

// TestNoFrameQuotesTheRefusal: a verdict that found no frame says what the server refused and
// why, and that the server died.
func TestNoFrameQuotesTheRefusal(t *testing.T) {
	b := &hb{}
	b.add(ms(10), history.Event{Source: "w", Kind: history.KindClientStatus, Code: "NetStream.Play.StreamNotFound", Conn: 1, Message: "Failed to play cam; stream not found."})
	b.add(ms(20), history.Event{Source: "origin", Kind: history.KindServerExit, Code: history.ExitUnplanned, Message: "exit status 1"})
	v := liveResumes(&b.h, "w", time.Second, 1)
	expect(t, v, Fail, `w received no frame (the last refusal: NetStream.Play.StreamNotFound at 0.010s on connection 1 ("Failed to play cam; stream not found."); server origin died on its own at 0.020s: exit status 1)`)
}
