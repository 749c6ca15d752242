package check

import (
	"strings"
	"testing"

	"github.com/streamfault/streamfault/harness/history"
)

// rebuild is a two-item playlist (a, b: 25 fps, 100 frames each) dropped in a and rebuilt on
// connection 2: appendAndWait a, resume b at 2.0 s, served from a's frame 50.
func rebuild(firstCall string) *hb {
	b := &hb{}
	for _, s := range []string{"a", "b"} {
		b.add(0, history.Event{Source: "origin", Kind: history.KindStream, Stream: s, Count: 100, FPS: 25})
	}
	pl := []string{"a", "b"}
	b.add(ms(10), history.Event{Source: "v", Kind: history.KindClientPlay, Conn: 2, Stream: "a", Transition: firstCall, Offset: f(0), Playlist: pl})
	if firstCall == "append" {
		b.add(ms(11), history.Event{Source: "origin", Kind: history.KindServerPlay, Session: "s2", Stream: "a", Transition: "append",
			Offset: f(0), StartTime: f(0), Frames: &history.Range{}, Playlist: []string{"a"}, Client: "v", Conn: 2})
	}
	b.add(ms(12), history.Event{Source: "v", Kind: history.KindClientPlay, Conn: 2, Stream: "b", Transition: "resume", Offset: f(2), Playlist: pl})
	b.add(ms(13), history.Event{Source: "origin", Kind: history.KindServerPlay, Session: "s2", Stream: "a", Transition: "resume",
		Offset: f(2), StartTime: f(2), Frames: &history.Range{First: 50, Last: 50}, Playlist: pl, Client: "v", Conn: 2})
	return b
}

func TestPlaylistRebuilt(t *testing.T) {
	expect(t, playlistRebuilt(&rebuild("appendAndWait").h, "v"), Pass, "1 rebuild(s)")
	expect(t, playlistRebuilt(&rebuild("append").h, "v"), Fail, "re-added a with append")
	v := playlistRebuilt(&rebuild("append").h, "v")
	if len(v.Evidence) < 2 || !contains(v.Evidence, "origin started streaming a (append)") {
		t.Fatalf("evidence lacks the server's early stream: %v", v.Evidence)
	}

	// The server kept only b: its playlist differs from the client's.
	short := rebuild("appendAndWait")
	short.h.Events[len(short.h.Events)-1].Playlist = []string{"b"}
	short.h.Events[len(short.h.Events)-1].Stream = "b"
	expect(t, playlistRebuilt(&short.h, "v"), Fail, "server's playlist is [b] but the client's is [a b]")

	expect(t, playlistRebuilt(&(&hb{}).h, "v"), Fail, "never resumed")
}

func contains(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

func TestItemBoundaryContinuity(t *testing.T) {
	base := func(bStart float64) *hb {
		b := &hb{}
		for _, s := range []string{"a", "b"} {
			b.add(0, history.Event{Source: "origin", Kind: history.KindStream, Stream: s, Count: 100, FPS: 25})
		}
		b.add(ms(1), history.Event{Source: "v", Kind: history.KindClientReceived, Stream: "a", Frames: &history.Range{First: 0, Last: 0}, StartTime: f(0)})
		b.add(ms(2), history.Event{Source: "v", Kind: history.KindClientReceived, Stream: "b", Frames: &history.Range{First: 0, Last: 0}, StartTime: f(bStart)})
		b.add(ms(100), history.Event{Source: "v", Kind: history.KindClientRendered, Stream: "a", Frames: &history.Range{First: 0, Last: 99}, StartTime: f(0)})
		b.add(ms(200), history.Event{Source: "v", Kind: history.KindClientRendered, Stream: "b", Frames: &history.Range{First: 0, Last: 99}, StartTime: f(bStart)})
		return b
	}
	expect(t, resumesAtOffset(&base(4.0).h, "v", 0), Pass, "200 frames")
	expect(t, resumesAtOffset(&base(4.08).h, "v", 0), Fail, "stream time skipped 80 ms where a frame 99 (3.960s) gave way to b frame 0")
	expect(t, resumesAtOffset(&base(3.96).h, "v", 0), Fail, "stream time repeated 40 ms")
}

func TestOldConnectionClosedAfterAttach(t *testing.T) {
	move := func(closeFirst bool) *hb {
		b := &hb{}
		b.add(ms(1000), history.Event{Source: "v", Kind: history.KindClientMove, Conn: 1})
		success := history.Event{Source: "v", Kind: history.KindClientStatus, Code: "NetConnection.Connect.Success", Conn: 2}
		closed := history.Event{Source: "v", Kind: history.KindClientStatus, Code: "NetConnection.Connect.Closed", Conn: 1}
		if closeFirst {
			b.add(ms(1001), closed).add(ms(1005), success)
		} else {
			b.add(ms(1005), success).add(ms(1005), closed)
		}
		return b.add(ms(1006), history.Event{Source: "v", Kind: history.KindClientPlay, Conn: 2, Stream: "s", Transition: "resume", Offset: f(3)})
	}
	expect(t, oldConnectionClosedAfterAttach(&move(false).h, "v"), Pass, "attach, then close, then resume")
	expect(t, oldConnectionClosedAfterAttach(&move(true).h, "v"), Fail, "old connection 1 closed at 1.001s, before the new connection 2 attached at 1.005s")
	expect(t, oldConnectionClosedAfterAttach(&(&hb{}).h, "v"), Unknown, "no load-balance move")
}

func TestStatusReceived(t *testing.T) {
	b := (&hb{}).add(ms(5), history.Event{Source: "v", Kind: history.KindClientStatus, Code: "NetStream.Play.Start", Conn: 1})
	expect(t, statusReceived(&b.h, "v", "NetStream.Play.Start"), Pass, "received NetStream.Play.Start at 0.005s")
	v := statusReceived(&b.h, "v", "NetStream.Play.Failed")
	if v.Status != Fail || len(v.Evidence) != 1 || v.Evidence[0] != "NetStream.Play.Start" {
		t.Fatalf("got %v %v", v, v.Evidence)
	}
}

// A resume lost with its connection (no server saw it) followed by a served one is a
// recovery, not a failure; the served one is paired with its own request.
func TestLostResumeIsNotPairedWithTheNextOne(t *testing.T) {
	b := &hb{}
	b.stream().play(0, "reset", 0).serve(ms(1), "reset", 0, 0).recv(ms(2), 0, 0).render(ms(100), 0, 40)
	b.play(ms(1000), "resume", 2.0) // lost: the drop came before the server read it
	b.play(ms(1300), "resume", 2.0).serve(ms(1301), "resume", 2.0, 50).render(ms(2000), 41, 99)
	rs := Resumes(&b.h, "v")
	if len(rs) != 2 || rs[0].Served != nil || rs[1].Served == nil {
		t.Fatalf("pairing: %+v", rs)
	}
	v := resumesAtOffset(&b.h, "v", 1)
	if v.Status != Pass || !contains(v.Evidence, "was lost with its connection") {
		t.Fatalf("got %v %v", v, v.Evidence)
	}
	// The last resume unserved is a failure.
	b.play(ms(3000), "resume", 4.0)
	expect(t, resumesAtOffset(&b.h, "v", 1), Fail, "resume requested at 3.000s (offset 4.000s) never reached a server")
}
