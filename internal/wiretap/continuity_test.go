package wiretap

import (
	"testing"

	"github.com/yutopp/go-rtmp/message"
)

func TestTracksNoteJumpsOnly(t *testing.T) {
	video, audio := uint8(message.TypeIDVideoMessage), uint8(message.TypeIDAudioMessage)
	tr := newTracks()
	for _, ts := range []float64{0, 0.04, 0.08} {
		if e, ok := tr.see(video, ts); ok {
			t.Fatalf("a steady track jumped at %v: %+v", ts, e)
		}
	}
	// Audio interleaved a little behind video is another track, not a jump.
	if e, ok := tr.see(audio, 0.05); ok {
		t.Fatalf("audio behind video is not a jump: %+v", e)
	}
	// The server announces a new publisher, whose timestamps start at 0 again.
	tr.announced = "NetStream.Play.PublishNotify"
	e, ok := tr.see(video, 0)
	if !ok || *e.Prev != 0.08 || *e.Media != 0 || e.Name != "video" || e.Code != "NetStream.Play.PublishNotify" {
		t.Fatalf("going back: %+v, %v", e, ok)
	}
	// A leap forward beyond LeapNoted is media missing; the status is only the one just before.
	e, ok = tr.see(video, 3)
	if !ok || *e.Prev != 0 || e.Code != "" {
		t.Fatalf("leaping 3 s: %+v, %v", e, ok)
	}
	// A hostile peer jumping on every message gets a bounded number of events.
	n := 0
	for i := range 1000 {
		if _, ok := tr.see(video, float64(i%2)*10); ok {
			n++
		}
	}
	if n > maxJumps {
		t.Fatalf("%d jump events for one direction; at most %d", n, maxJumps)
	}
	// A new publish starts the tracks afresh.
	tr.restart()
	if e, ok := tr.see(video, 0); ok {
		t.Fatalf("first timestamp of a new run is no jump: %+v", e)
	}
}

func TestMarksAreReachedOnce(t *testing.T) {
	m := newMarks([]float64{2, 0.5, 1})
	if got := m.reached(0.2); len(got) != 0 {
		t.Fatalf("0.2 s reached %v", got)
	}
	if got := m.reached(1.2); len(got) != 2 || got[0] != 0.5 || got[1] != 1 {
		t.Fatalf("1.2 s reached %v, want [0.5 1]", got)
	}
	if got := m.reached(0); len(got) != 0 {
		t.Fatalf("going back reached %v", got)
	}
	if got := m.reached(5); len(got) != 1 || got[0] != 2 {
		t.Fatalf("5 s reached %v, want [2]", got)
	}
	if got := m.reached(9); len(got) != 0 {
		t.Fatalf("marks reported twice: %v", got)
	}
}

func TestPlayStartKeepsTheSpecialValues(t *testing.T) {
	for arg, want := range map[float64]float64{-2000: -2, -1000: -1, -2: -2, -1: -1, 0: 0, 3500: 3.5} {
		if got := playStart(arg); got != want {
			t.Errorf("play start %v reads %v, want %v", arg, got, want)
		}
	}
}
