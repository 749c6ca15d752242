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
