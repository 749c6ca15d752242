package check

import (
	"strings"
	"testing"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
)

// A real frame sent again with other content fails resumesAtOffset, however smooth the
// rendering looked.
func TestResumeOfOtherMediaFails(t *testing.T) {
	b := healthy()
	b.add(ms(1002), history.Event{Source: "v", Kind: history.KindClientDropped, Stream: "s", Conn: 2, Frames: &history.Range{First: 49, Last: 49},
		StartTime: f(1.96), Message: "content differs from the frame received before (hash 00000002, was 00000001)"})
	v := resumesAtOffset(&b.h, "v", 1)
	if v.Status != Fail || !strings.Contains(v.Message, "with other content") {
		t.Fatalf("%v", v)
	}
}

// A player that rendered nothing because nothing usable came says why in the verdict.
func TestNothingRenderedSaysWhy(t *testing.T) {
	b := &hb{}
	b.stream().add(ms(500), history.Event{Source: "v", Kind: history.KindClientStatus, Code: fakeclient.CodeNoUsableMedia, Conn: 1,
		Message: "100 media messages and no video frame this player can show"})
	v := resumesAtOffset(&b.h, "v", 1)
	if v.Status != Unknown || !strings.Contains(v.Message, "no video frame this player can show") {
		t.Fatalf("%v", v)
	}
}

// Against a server without the access log, a resume is judged by the first frame that arrived
// on its connection: at the offset it passes, from 0 it fails.
func TestResumeJudgedFromTheClientWithoutAnAccessLog(t *testing.T) {
	build := func(servedFrom float64, first int) *hb {
		b := &hb{}
		b.lab("v", "wifi")
		b.add(0, history.Event{Source: "origin", Kind: history.KindServer, Message: "nginx"})
		b.stream().play(0, "reset", 0)
		b.add(ms(2), history.Event{Source: "v", Kind: history.KindClientReceived, Stream: "s", Conn: 1, Frames: &history.Range{First: 0, Last: 0}, StartTime: f(0)})
		b.render(ms(100), 0, 49).play(ms(1000), "resume", 2.0)
		kind := history.KindClientReceived
		if first < 50 {
			kind = history.KindClientDropped
		}
		b.add(ms(1100), history.Event{Source: "v", Kind: kind, Stream: "s", Conn: 2, Frames: &history.Range{First: first, Last: first}, StartTime: f(servedFrom)})
		return b.render(ms(2000), 50, 99)
	}
	if v := resumesAtOffset(&build(2.0, 50).h, "v", 1); v.Status != Pass || !strings.Contains(v.Message, "each served from its offset") ||
		!strings.Contains(v.Message, "keeps no access log") {
		t.Fatalf("served at the offset: %v", v)
	}
	// The frames after the resume came from the buffer, none on the resume's connection: the
	// verdict does not claim the server resumed right.
	b := &hb{}
	b.lab("v", "wifi")
	b.add(0, history.Event{Source: "origin", Kind: history.KindServer, Message: "nginx"})
	b.stream().play(0, "reset", 0)
	b.add(ms(2), history.Event{Source: "v", Kind: history.KindClientReceived, Stream: "s", Conn: 1, Frames: &history.Range{First: 0, Last: 99}, StartTime: f(0)})
	b.render(ms(100), 0, 49).play(ms(1000), "resume", 4.0).render(ms(2000), 50, 99)
	if v := resumesAtOffset(&b.h, "v", 1); v.Status != Pass || !strings.Contains(v.Message, "0 of them served from its offset, 1 with no frame after it") {
		t.Fatalf("no frame on the resume's connection: %v", v)
	}
	if v := resumesAtOffset(&build(0, 0).h, "v", 1); v.Status != Fail || !strings.Contains(v.Message, "the server ignored the resume: served from 0.000 s for offset 2.000 s") {
		t.Fatalf("served from 0: %v", v)
	}
}
