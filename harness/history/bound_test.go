package history

import (
	"math"
	"strings"
	"testing"
)

// bounded returns ev as b bounds it.
func (b *bounder) bounded(ev Event) Event {
	b.bound(&ev)
	return ev
}

func TestBoundsOfAnEvent(t *testing.T) {
	var b bounder
	nan := math.NaN()
	ev := b.bounded(Event{Source: "p", Kind: KindTapCommand, Offset: &nan, Stream: strings.Repeat("é", 5000), Message: "m"})
	if ev.Offset != nil || !strings.Contains(ev.Message, "offset was NaN") {
		t.Fatalf("a NaN offset: %v, %q", ev.Offset, ev.Message)
	}
	if len(ev.Stream) > MaxString+40 || !strings.HasSuffix(ev.Stream, "[cut: 10000 bytes]") || !strings.HasPrefix(ev.Stream, "éé") {
		t.Fatalf("a 10,000-byte stream name kept as %d bytes: …%q", len(ev.Stream), ev.Stream[len(ev.Stream)-30:])
	}
	// Past a source's budget its strings are cut short; another source keeps its own.
	long := strings.Repeat("x", MaxString)
	for range MaxSourceStrings/MaxString + 1 {
		b.bounded(Event{Source: "p", Message: long})
	}
	if got := b.bounded(Event{Source: "p", Message: long}); len(got.Message) > CutString+40 {
		t.Fatalf("past the budget a string kept %d bytes", len(got.Message))
	}
	if got := b.bounded(Event{Source: "q", Message: long}); got.Message != long {
		t.Fatal("another source's strings were cut")
	}
}

// Each optional number is named by its own field, and bounding an event within its bounds
// allocates nothing (an event is bounded under the recorder's lock).
func TestBoundNamesEachNumberAndAllocatesNothing(t *testing.T) {
	var b bounder
	inf, one := math.Inf(1), 1.0
	ev := b.bounded(Event{Source: "p", StartTime: &one, Media: &inf, Prev: &inf})
	if ev.Media != nil || ev.Prev != nil || ev.StartTime == nil || !strings.Contains(ev.Message, "[media was +Inf prev was +Inf]") {
		t.Fatalf("media %v, prev %v, start time %v, %q", ev.Media, ev.Prev, ev.StartTime, ev.Message)
	}
	plain := Event{Source: "p", Kind: KindClientStatus, Code: "NetConnection.Connect.Success", StartTime: &one, Message: "ok"}
	if n := testing.AllocsPerRun(100, func() { b.bound(&plain) }); n != 0 {
		t.Fatalf("bounding an event within its bounds made %v allocations", n)
	}
}
