package check

import (
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// wb builds the history of a process client "p" on route r, as its wire tap records it.
type wb struct{ hb }

func newWire() *wb {
	b := &wb{}
	b.stream()
	b.add(0, history.Event{Source: "harness", Kind: history.KindRoute, Route: "r", Target: "origin"})
	b.add(0, history.Event{Source: "p", Kind: history.KindLabClient, Route: "r", Message: "process", Code: history.WireTap})
	return b
}

func (b *wb) connect(at time.Duration, conn int) *wb {
	b.add(at, history.Event{Source: "p", Kind: history.KindTapConnect, Conn: conn})
	return b
}

func (b *wb) cmd(at time.Duration, conn int, name string, start float64) *wb {
	b.add(at, history.Event{Source: "p", Kind: history.KindTapCommand, Conn: conn, Command: name, Stream: "s", Start: f(start)})
	return b
}

func (b *wb) status(at time.Duration, conn int, code string) *wb {
	b.add(at, history.Event{Source: "p", Kind: history.KindTapStatus, Conn: conn, Code: code})
	return b
}

func (b *wb) bytes(at time.Duration, conn int, in, out int64) *wb {
	b.add(at, history.Event{Source: "p", Kind: history.KindTapBytes, Conn: conn, BytesIn: in, BytesOut: out})
	return b
}

func (b *wb) close(at time.Duration, conn int, by string, media float64) *wb {
	b.add(at, history.Event{Source: "p", Kind: history.KindTapClose, Conn: conn, ClosedBy: by, Media: f(media)})
	return b
}

func (b *wb) fault(start, end time.Duration) *wb {
	b.add(start, history.Event{Source: "drop", Kind: history.KindFaultStart, Fault: "drop", Route: "r"})
	b.add(end, history.Event{Source: "drop", Kind: history.KindFaultEnd, Fault: "drop", Route: "r"})
	return b
}

func (b *wb) judge(c Checker, name string) Verdict { return judge(&b.h, c, name) }

// A player dropped at 3 s that comes back at 3.3 s asking for what it had received.
func resumingProcess(askFor float64) *wb {
	b := newWire()
	b.connect(ms(10), 1).cmd(ms(20), 1, "play", -2).bytes(ms(2000), 1, 50_000, 3000).fault(ms(3000), ms(3001)).close(ms(3001), 1, "server", 5.0)
	b.connect(ms(3300), 2).cmd(ms(3310), 2, "play", askFor).bytes(ms(4000), 2, 20_000, 3000)
	return b
}

func TestWireResumesAtOffset(t *testing.T) {
	one := 1
	c := &ResumesAtOffset{ClientRef: spec.ClientRef{Client: "p"}, MinResumes: &one}
	if v := resumingProcess(5.0).judge(c, NameResumesAtOffset); v.Status != Pass {
		t.Fatalf("asked for 5.0 s after 5.0 s delivered: %v", v)
	}
	v := resumingProcess(0).judge(c, NameResumesAtOffset)
	if v.Status != Fail || !strings.Contains(v.Message, "it gets 5.000 s again") {
		t.Fatalf("replayed from 0: %v", v)
	}
	if v := resumingProcess(6.0).judge(c, NameResumesAtOffset); v.Status != Fail || !strings.Contains(v.Message, "missing") {
		t.Fatalf("skipped a second: %v", v)
	}
	b := newWire()
	b.connect(ms(10), 1).cmd(ms(20), 1, "play", -2).close(ms(9000), 1, "client", 8.0)
	if v := b.judge(c, NameResumesAtOffset); v.Status != Unknown {
		t.Fatalf("no reconnect: %v", v)
	}
	zero := 0 // no resume required is still no evidence of a right one
	if v := b.judge(&ResumesAtOffset{ClientRef: spec.ClientRef{Client: "p"}, MinResumes: &zero}, NameResumesAtOffset); v.Status != Unknown {
		t.Fatalf("no reconnect, minResumes 0: %v", v)
	}
	two := 2
	if v := resumingProcess(5.0).judge(&ResumesAtOffset{ClientRef: spec.ClientRef{Client: "p"}, MinResumes: &two}, NameResumesAtOffset); v.Status != Fail || !strings.Contains(v.Message, "at least 2 expected") {
		t.Fatalf("one resume of two expected: %v", v)
	}
}

func TestWireReconnectsAfterLoss(t *testing.T) {
	within := &ReconnectsAfterLoss{Within: 1_000_000_000}
	within.Client = "p"
	if v := resumingProcess(5).judge(within, NameReconnectsAfterLoss); v.Status != Pass {
		t.Fatalf("reconnected 0.3 s after a loss: %v", v)
	}
	b := newWire()
	b.connect(ms(10), 1).cmd(ms(20), 1, "play", -2).fault(ms(3000), ms(3001)).close(ms(3000), 1, "server", 5.0)
	b.add(ms(3010), history.Event{Source: "p", Kind: history.KindProcExit, Message: "exit status 2"})
	v := b.judge(within, NameReconnectsAfterLoss)
	if v.Status != Fail || !strings.Contains(v.Message, "never connected again") || !strings.Contains(v.Message, "exit status 2") || strings.Contains(v.Message, "more problems") {
		t.Fatalf("never came back: %v", v)
	}
	// A reconnect with no loss behind it: the program closed a healthy connection itself.
	b = newWire()
	b.connect(ms(10), 1).cmd(ms(20), 1, "play", -2).bytes(ms(2900), 1, 50_000, 3000).close(ms(3000), 1, "client", 3.0)
	b.connect(ms(3100), 2).cmd(ms(3110), 2, "play", -2)
	plain := &ReconnectsAfterLoss{}
	plain.Client = "p"
	if v := b.judge(plain, NameReconnectsAfterLoss); v.Status != Fail || !strings.Contains(v.Message, "no loss behind it") {
		t.Fatalf("spurious reconnect: %v", v)
	}
	// The same close on a link that had gone dark for a second is a loss.
	b = newWire()
	b.connect(ms(10), 1).cmd(ms(20), 1, "play", -2).bytes(ms(1500), 1, 50_000, 3000).bytes(ms(2900), 1, 50_000, 3000).close(ms(3000), 1, "client", 3.0)
	b.connect(ms(3100), 2).cmd(ms(3110), 2, "play", -2)
	if v := b.judge(plain, NameReconnectsAfterLoss); v.Status != Pass {
		t.Fatalf("gave up on a dark link: %v", v)
	}
}

func TestWireRepublishes(t *testing.T) {
	c := &Republishes{ClientRef: spec.ClientRef{Client: "p"}, Within: 2_000_000_000}
	b := newWire()
	b.connect(ms(10), 1).cmd(ms(20), 1, "publish", 0).status(ms(30), 1, "NetStream.Publish.Start").bytes(ms(2750), 1, 3000, 90_000).close(ms(3000), 1, "server", 0)
	b.connect(ms(3300), 2).cmd(ms(3310), 2, "publish", 0).status(ms(3320), 2, "NetStream.Publish.Start")
	if v := b.judge(c, NameRepublishes); v.Status != Pass {
		t.Fatalf("republished: %v", v)
	}
	b = newWire()
	b.connect(ms(10), 1).cmd(ms(20), 1, "publish", 0).status(ms(30), 1, "NetStream.Publish.Start").bytes(ms(2750), 1, 3000, 90_000).close(ms(3000), 1, "server", 0)
	b.connect(ms(3300), 2).cmd(ms(3310), 2, "publish", 0).status(ms(3320), 2, "NetStream.Publish.BadName")
	if v := b.judge(c, NameRepublishes); v.Status != Fail || !strings.Contains(v.Message, "no later publish was accepted") {
		t.Fatalf("a refused republish is no republish: %v", v)
	}
}

func TestWireNoRestoreAndNoReconnect(t *testing.T) {
	b := newWire()
	b.connect(ms(10), 1).cmd(ms(20), 1, "publish", 0).add(ms(3000), history.Event{Source: "p", Kind: history.KindProcStop, Message: "SIGINT: manual stop"})
	b.close(ms(3010), 1, "client", 0)
	nr := &NoRestoreAfterManualStop{}
	nr.Client = "p"
	if v := b.judge(nr, NameNoRestoreAfterManualStop); v.Status != Pass {
		t.Fatalf("stopped for good: %v", v)
	}
	b.connect(ms(3400), 2).cmd(ms(3410), 2, "publish", 0)
	if v := b.judge(nr, NameNoRestoreAfterManualStop); v.Status != Fail {
		t.Fatalf("published after the stop: %v", v)
	}

	c := &NoReconnect{ClientRef: spec.ClientRef{Client: "p"}, Fault: "drop"}
	b = newWire()
	b.connect(ms(10), 1).bytes(ms(1000), 1, 1000, 1000).fault(ms(2000), ms(4000)).bytes(ms(3500), 1, 1000, 1000).bytes(ms(4500), 1, 5000, 1000)
	if v := b.judge(c, NameNoReconnect); v.Status != Pass {
		t.Fatalf("kept its session: %v", v)
	}
	if v := resumingProcess(5).judge(c, NameNoReconnect); v.Status != Fail {
		t.Fatalf("reconnected: %v", v)
	}
}

// A checker that judges what only a scripted client reports says unknown for a process.
func TestWireUnknownForWhatATapCannotSee(t *testing.T) {
	v := resumingProcess(5).judge(&PlaysToEnd{ClientRef: spec.ClientRef{Client: "p"}, Within: 1}, NamePlaysToEnd)
	if v.Status != Unknown || !strings.Contains(v.Message, "is a process") {
		t.Fatalf("playsToEnd of a process: %v", v)
	}
}

// A program whose reconnect is refused (librtmp losing its live flag: StreamNotFound on the new
// connection) did not play again: reconnects counts it as an attempt, not a reconnect.
func TestRefusedPlayIsNotAReconnect(t *testing.T) {
	b := newWire()
	b.connect(ms(10), 1).cmd(ms(20), 1, "play", -1).status(ms(25), 1, "NetStream.Play.Start").bytes(ms(2000), 1, 50_000, 3000)
	b.add(ms(30), history.Event{Source: "p", Kind: history.KindTapMedia, Conn: 1, Media: f(0), Message: "down"})
	b.fault(ms(3000), ms(3001)).close(ms(3001), 1, "server", 2.9)
	b.connect(ms(3300), 2).cmd(ms(3310), 2, "play", 0).status(ms(3320), 2, "NetStream.Play.StreamNotFound").close(ms(3400), 2, "server", 0)
	v := b.judge(&Reconnects{ClientRef: spec.ClientRef{Client: "p"}, Count: 1}, NameReconnects)
	if v.Status != Fail || !strings.Contains(v.Message, "on 0 new connection(s), expected 1") || !strings.Contains(strings.Join(v.Evidence, "\n"), "refused: NetStream.Play.StreamNotFound") {
		t.Fatalf("%v %v", v, v.Evidence)
	}
}

// A scripted player's resume whose Play.Start the server takes back at once is an attempt,
// not a resume.
func TestTakenBackResumeIsNotAReconnect(t *testing.T) {
	b := (&hb{}).stream().lab("v", "wifi")
	b.add(0, history.Event{Source: "harness", Kind: history.KindRoute, Route: "wifi", Target: "origin"})
	statusAt(b, 0, "v", "NetConnection.Connect.Success", 1, false)
	b.play(ms(1), "reset", 0)
	statusAt(b, 2, "v", "NetStream.Play.Start", 1, false)
	statusAt(b, 3000, "v", "NetConnection.Connect.Closed", 1, false)
	statusAt(b, 3300, "v", "NetConnection.Connect.Success", 2, false)
	b.add(ms(3301), history.Event{Source: "v", Kind: history.KindClientPlay, Conn: 2, Stream: "s", Transition: "resume", Offset: f(3)})
	statusAt(b, 3302, "v", "NetStream.Play.Start", 2, false)
	statusAt(b, 3303, "v", "NetConnection.Connect.Closed", 2, false)
	v := reconnects(&b.h, "v", 1)
	if v.Status != Fail || !strings.Contains(v.Message, "resumed 0 time(s), expected 1") || !strings.Contains(strings.Join(v.Evidence, "\n"), "did not hold") {
		t.Fatalf("%v %v", v, v.Evidence)
	}
}

// A program's own close after the server ended its stream, and its close when the harness
// stops it, are no losses: reconnectsAfterLoss with within has nothing to hold against it.
func TestNormalEndsAreNotLosses(t *testing.T) {
	c := &ReconnectsAfterLoss{ClientRef: spec.ClientRef{Client: "p"}, Within: spec.Duration(5 * time.Second)}
	played := newWire()
	played.connect(ms(10), 1).cmd(ms(20), 1, "play", -2).status(ms(30), 1, "NetStream.Play.Start").bytes(ms(3000), 1, 900_000, 3000)
	played.status(ms(3000), 1, "NetStream.Play.Stop").close(ms(6407), 1, "client", 6.0)
	v := played.judge(c, NameReconnectsAfterLoss)
	if v.Status != Unknown || !strings.Contains(v.Message, "lost no connection") {
		t.Fatalf("a program that played to its end: %v", v)
	}
	stopped := newWire()
	stopped.connect(ms(10), 1).cmd(ms(20), 1, "play", -2).bytes(ms(1000), 1, 100_000, 3000)
	stopped.add(ms(4000), history.Event{Source: "p", Kind: history.KindProcStop, Message: "SIGINT: its duration is over"})
	stopped.close(ms(4100), 1, "client", 1.0)
	if v := stopped.judge(c, NameReconnectsAfterLoss); v.Status != Unknown {
		t.Fatalf("a program stopped by the harness: %v", v)
	}
	if wc := wireConns(&stopped.h, "p"); !strings.Contains(wc[0].how(), "as the harness stopped it (SIGINT: its duration is over) (not a loss)") {
		t.Fatalf("how: %s", wc[0].how())
	}
	lost := newWire()
	lost.connect(ms(10), 1).cmd(ms(20), 1, "play", -2).bytes(ms(1000), 1, 100_000, 3000).close(ms(4100), 1, "client", 1.0)
	if v := lost.judge(c, NameReconnectsAfterLoss); v.Status != Fail || !strings.Contains(v.Message, "a loss: it gave up on a dead link") {
		t.Fatalf("a program that gave up on a dead link and never came back: %v", v)
	}
}

func TestStallDetectedFromTheWire(t *testing.T) {
	c := &StallDetected{Fault: "drop", Within: spec.Duration(3 * time.Second)}
	c.Client = "p"
	// The fault (named drop here) darkens the route from 2 s to 8 s.
	dark := func(closeAt int, by string, lastIn int64) *wb {
		b := newWire()
		b.connect(ms(10), 1).cmd(ms(20), 1, "play", -2).bytes(ms(1000), 1, 50_000, 3000).bytes(ms(2100), 1, lastIn, 3000).fault(ms(2000), ms(8000))
		if closeAt > 0 {
			b.close(ms(closeAt), 1, by, 2.0)
		}
		return b
	}
	expect(t, dark(4500, "client", 60_000).judge(c, NameStallDetected), Pass, "gave up on its dark link 2.500s after drop started")
	expect(t, dark(6500, "client", 60_000).judge(c, NameStallDetected), Fail, "later than 3.000s")
	expect(t, dark(8001, "server", 60_000).judge(c, NameStallDetected), Fail, "closed from the server's side at 8.001s (a loss) before it gave up")
	expect(t, dark(0, "", 60_000).judge(c, NameStallDetected), Fail, "never gave up on connection 1")
	// Bytes still arriving at 3 s: the link was not dark when the program closed it.
	busy := dark(0, "", 60_000)
	busy.bytes(ms(3000), 1, 90_000, 3000).close(ms(3500), 1, "client", 3.0)
	expect(t, busy.judge(c, NameStallDetected), Fail, "bytes still came from the server at 3.000s")
	// A fault that never fired.
	never := newWire()
	never.connect(ms(10), 1)
	expect(t, never.judge(c, NameStallDetected), Unknown, "never started")
}

// A connection opened while the fault lasted (a TLS handshake on a paused route) is dark from
// its first byte: the program's giving up on it is judged from its opening; one opened after
// the fault ended was never dark.
func TestStallDetectedOnAConnectionOpenedInTheDark(t *testing.T) {
	c := &StallDetected{Fault: "drop", Within: spec.Duration(3 * time.Second)}
	c.Client = "p"
	opened := func(at int) *wb { // the fault darkens the route from 0 to 4 s
		b := newWire()
		return b.fault(0, ms(4000)).connect(ms(at), 1)
	}
	expect(t, opened(1000).close(ms(3300), 1, "client", 0).judge(c, NameStallDetected), Pass,
		"gave up on its dark link 2.300s after it opened while drop kept the route dark")
	expect(t, opened(1000).close(ms(4200), 1, "server", 0).judge(c, NameStallDetected), Fail, "did not detect the stall")
	late := opened(500)
	late.cmd(ms(4100), 1, "play", -2).bytes(ms(4300), 1, 50_000, 3000)
	expect(t, late.judge(c, NameStallDetected), Fail, "never gave up on connection 1 after it opened at 0.500s while drop (from 0.000s) kept it dark")
	expect(t, opened(4500).close(ms(6000), 1, "client", 0).judge(c, NameStallDetected), Unknown, "nor while it lasted")
}

// A failure judged from a tap that could not read all of the traffic is unknown (the evidence
// may be in what it relayed unread); a pass stands; without unread traffic the failure stays.
func TestWireFailureOnUnreadTrafficIsUnknown(t *testing.T) {
	c := &StatusReceived{Code: "NetStream.Play.Start"}
	c.Client = "p"
	read := func() *wb {
		b := newWire()
		return b.connect(ms(10), 1).cmd(ms(20), 1, "play", -2).close(ms(900), 1, "client", 0)
	}
	expect(t, read().judge(c, NameStatusReceived), Fail, "never")
	opaque := read()
	opaque.add(ms(10), history.Event{Source: "p", Kind: history.KindTapUnparsed, Conn: 1, Message: "down: TLS relayed unread"})
	expect(t, opaque.judge(c, NameStatusReceived), Unknown, "could not read all of p's traffic (connection 1 at 0.010s: down: TLS relayed unread)")
	seen := read()
	seen.status(ms(30), 1, "NetStream.Play.Start")
	seen.add(ms(40), history.Event{Source: "p", Kind: history.KindTapUnparsed, Conn: 1, Message: "down: not RTMP"})
	expect(t, seen.judge(c, NameStatusReceived), Pass, "")
}
