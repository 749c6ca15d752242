package check

import (
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

func statusAt(b *hb, at int, client, code string, conn int, self bool) *hb {
	return b.add(ms(at), history.Event{Source: client, Kind: history.KindClientStatus, Code: code, Conn: conn, SelfClosed: self})
}

func TestNoReconnect(t *testing.T) {
	// A 1 s stall on the publisher's route; its session carries on.
	base := func(route string, end bool) *hb {
		b := (&hb{}).lab("cam", "up")
		statusAt(b, 0, "cam", "NetConnection.Connect.Success", 1, false)
		b.add(ms(1000), history.Event{Source: "stall", Kind: history.KindFaultStart, Fault: "stall", Route: route})
		if end {
			b.add(ms(2000), history.Event{Source: "stall", Kind: history.KindFaultEnd, Fault: "stall", Route: route})
		}
		return b
	}
	ok := base("up", true)
	ok.add(ms(2500), history.Event{Source: "cam", Kind: history.KindClientSent, Conn: 1, Frames: &history.Range{First: 60, Last: 84}})
	expect(t, noReconnect(&ok.h, "cam", "stall"), Pass, "kept connection 1 through stall")
	expect(t, noReconnect(&ok.h, "cam", "other"), Unknown, "never started")
	expect(t, noReconnect(&base("up", false).h, "cam", "stall"), Unknown, "lasted until the end of the run")
	expect(t, noReconnect(&base("down", true).h, "cam", "stall"), Fail, "not on cam's path")
	silent := base("up", true)
	expect(t, noReconnect(&silent.h, "cam", "stall"), Fail, "no media on connection 1 after stall ended")
	republished := base("up", true)
	republished.add(ms(1600), history.Event{Source: "cam", Kind: history.KindClientZero, Conn: 1})
	statusAt(republished, 1601, "cam", "NetConnection.Connect.Closed", 1, true)
	statusAt(republished, 2100, "cam", "NetConnection.Connect.Success", 2, false)
	republished.add(ms(2500), history.Event{Source: "cam", Kind: history.KindClientSent, Conn: 2, Frames: &history.Range{First: 60, Last: 84}})
	v := noReconnect(&republished.h, "cam", "stall")
	expect(t, v, Fail, "bitrate.zero at 1.600s on connection 1")
	if !contains(v.Evidence, "reconnected: connection 2 at 2.100s") || !contains(v.Evidence, "connection 1 closed at 1.601s") {
		t.Fatalf("evidence: %v", v.Evidence)
	}
}

func TestNoReconnectKnowsWhatTheFaultDoes(t *testing.T) {
	// effect is the Code of the fault's start; the fault lasts 1 s to 2 s on cam's route.
	run := func(effect string, closeAt int) *hb {
		b := (&hb{}).lab("cam", "up")
		statusAt(b, 0, "cam", "NetConnection.Connect.Success", 1, false)
		b.add(ms(1000), history.Event{Source: "f", Kind: history.KindFaultStart, Fault: "f", Route: "up", Code: effect})
		b.add(ms(2000), history.Event{Source: "f", Kind: history.KindFaultEnd, Fault: "f", Route: "up"})
		if closeAt > 0 {
			statusAt(b, closeAt, "cam", "NetConnection.Connect.Closed", 1, false)
		}
		b.add(ms(2500), history.Event{Source: "cam", Kind: history.KindClientSent, Conn: 1, Frames: &history.Range{First: 60, Last: 84}})
		return b
	}
	// A drop that left the connection open found nothing to drop: a pass would be vacuous.
	expect(t, noReconnect(&run(history.FaultCloses, 0).h, "cam", "f"), Unknown, "found nothing of the client's to act on")
	// A drop that closed it: the session was not kept.
	expect(t, noReconnect(&run(history.FaultCloses, 1010).h, "cam", "f"), Fail, "connection 1 closed at 1.010s")
	// A blackhole whose undoing closed it: the client's behaviour is not seen.
	expect(t, noReconnect(&run(history.FaultClosesAtEnd, 2050).h, "cam", "f"), Unknown, "undoing fault f at 2.000s closed connection 1")
	// A blackhole during which the client closed it itself: a failure of the client.
	expect(t, noReconnect(&run(history.FaultClosesAtEnd, 1500).h, "cam", "f"), Fail, "connection 1 closed at 1.500s")
	// A blackhole kept through: a pass.
	expect(t, noReconnect(&run(history.FaultClosesAtEnd, 0).h, "cam", "f"), Pass, "kept connection 1 through f")
	// A latency fault closes nothing: kept through is a pass.
	expect(t, noReconnect(&run("", 0).h, "cam", "f"), Pass, "kept connection 1 through f")
}

func TestReconnectsAfterLoss(t *testing.T) {
	b := &hb{}
	statusAt(b, 0, "v", "NetConnection.Connect.Success", 1, false)
	expect(t, reconnectsAfterLoss(&b.h, "v"), Unknown, "never reconnected")
	// A drop: the network closed connection 1.
	statusAt(b, 4000, "v", "NetConnection.Connect.Closed", 1, false)
	statusAt(b, 4250, "v", "NetConnection.Connect.Success", 2, false)
	expect(t, reconnectsAfterLoss(&b.h, "v"), Pass, "each of 1 reconnect(s) followed a loss")
	// A stall monitor closing a dark connection is a loss it saw.
	b.add(ms(6000), history.Event{Source: "v", Kind: history.KindClientStall, Conn: 2})
	statusAt(b, 6001, "v", "NetConnection.Connect.Closed", 2, true)
	statusAt(b, 6010, "v", "NetConnection.Connect.Success", 3, false)
	expect(t, reconnectsAfterLoss(&b.h, "v"), Pass, "each of 2 reconnect(s) followed a loss")
	// The double-reconnect mutant closes its new, healthy connection with nothing seen on it.
	statusAt(b, 6300, "v", "NetStream.Play.Start", 3, false)
	statusAt(b, 6301, "v", "NetConnection.Connect.Closed", 3, true)
	statusAt(b, 6302, "v", "NetConnection.Connect.Success", 4, false)
	expect(t, reconnectsAfterLoss(&b.h, "v"), Fail, "connection 3 was closed by v itself at 6.301s with nothing seen on it")
	// A load-balance move attaches before the old connection closes.
	m := &hb{}
	statusAt(m, 0, "v", "NetConnection.Connect.Success", 1, false)
	m.add(ms(1000), history.Event{Source: "v", Kind: history.KindClientMove, Conn: 1})
	statusAt(m, 1004, "v", "NetConnection.Connect.Success", 2, false)
	statusAt(m, 1005, "v", "NetConnection.Connect.Closed", 1, true)
	expect(t, reconnectsAfterLoss(&m.h, "v"), Pass, "each of 1 reconnect(s)")
	// A publisher that restores after a manual stop had no loss behind it.
	p := &hb{}
	statusAt(p, 0, "cam", "NetConnection.Connect.Success", 1, false)
	p.add(ms(1000), history.Event{Source: "cam", Kind: history.KindClientStopped, Conn: 1})
	statusAt(p, 1000, "cam", "NetConnection.Connect.Closed", 1, true)
	statusAt(p, 1500, "cam", "NetConnection.Connect.Success", 2, false)
	expect(t, reconnectsAfterLoss(&p.h, "cam"), Fail, "connection 1 was closed by cam itself")
}

// TestReconnectsAfterLossRetriesAndLateLosses: a connect that failed before the first one
// that succeeded is a retry, not a reconnect with no loss behind it; a loss closer to the
// client's planned end than within cannot be judged (unknown), while one before an end of the
// client's own choosing (it gave up) is a failure.
func TestReconnectsAfterLossRetriesAndLateLosses(t *testing.T) {
	b := &hb{}
	statusAt(b, 0, "v", "NetConnection.Connect.Failed", 1, false)
	statusAt(b, 300, "v", "NetConnection.Connect.Success", 2, false)
	v := reconnectsAfterLoss(&b.h, "v")
	expect(t, v, Unknown, "never reconnected")
	if !strings.Contains(strings.Join(v.Evidence, "\n"), "a retry, not a reconnect") {
		t.Fatalf("evidence %v", v.Evidence)
	}
	late := func(end string) *hb {
		b := &hb{}
		statusAt(b, 0, "cam", "NetConnection.Connect.Success", 1, false)
		statusAt(b, 9800, "cam", "NetConnection.Connect.Closed", 1, false)
		b.add(ms(10000), history.Event{Source: "cam", Kind: history.KindActorEnd, Message: end})
		return b
	}
	c := &ReconnectsAfterLoss{ClientRef: spec.ClientRef{Client: "cam"}, Within: spec.Duration(time.Second)}
	expect(t, c.Judge(&late(history.EndedNormally).h), Unknown, "too close to its end to judge within 1s")
	expect(t, c.Judge(&late("restore gave up after 5 attempts").h), Fail, "connection 1 was lost at 9.800s and cam never connected again")
}
