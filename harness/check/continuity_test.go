package check

import (
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
)

// frames records scripted frames of stream s on conn, one event per frame at 25 fps from ts.
func frames(b *hb, client string, conn int, at time.Duration, ts float64, n int) *hb {
	for i := range n {
		t := ts + float64(i)*0.04
		b.add(at+time.Duration(i)*40*time.Millisecond, history.Event{Source: client, Kind: history.KindClientReceived, Conn: conn, Stream: "s",
			Frames: &history.Range{First: i, Last: i}, StartTime: &t})
	}
	return b
}

func mc(client string) *MediaContinuity {
	c := &MediaContinuity{}
	c.Client = client
	c.Default(nil)
	return c
}

func TestMediaContinuityOfAScriptedPlayer(t *testing.T) {
	gop := func() *hb {
		b := &hb{}
		return b.add(0, history.Event{Source: "origin", Kind: history.KindStream, Stream: "s", Count: 250, FPS: 25, GOP: 25})
	}
	// A resume at 2.0 s served from the keyframe at 2.0 s after 2.0 s had been delivered.
	ok := frames(frames(gop(), "v", 1, 0, 0, 51), "v", 2, ms(3000), 2.0, 25)
	expect(t, mc("v").Judge(&ok.h), Pass, "ran on without a break on each of 2 connection(s)")
	// From the start again: 2 s repeated.
	again := frames(frames(gop(), "v", 1, 0, 0, 51), "v", 2, ms(3000), 0, 25)
	expect(t, mc("v").Judge(&again.h), Fail, "2.000s of media delivered again from connection 1 (last 2.000s) to connection 2 (first 0.000s)")
	// Resumed 3 s later than delivered: frames skipped.
	skipped := frames(frames(gop(), "v", 1, 0, 0, 51), "v", 2, ms(3000), 5.0, 25)
	expect(t, mc("v").Judge(&skipped.h), Fail, "3.000s of media skipped")
	// Within a connection, the server's timestamps went back without a word.
	back := frames(frames(gop(), "v", 1, 0, 0, 51), "v", 1, ms(3000), 1.0, 10)
	expect(t, mc("v").Judge(&back.h), Fail, "connection 1: video timestamps went back from 2.000s to 1.000s")
	// … or after a seek the player asked for: announced.
	seek := frames(gop(), "v", 1, 0, 0, 51)
	statusAt(seek, 2100, "v", "NetStream.Seek.Notify", 1, false)
	frames(seek, "v", 1, ms(3000), 1.0, 10)
	expect(t, mc("v").Judge(&seek.h), Pass, "without a break")
	// Nothing received: nothing to judge.
	expect(t, mc("v").Judge(&gop().h), Unknown, "moved no media")
}

func TestMediaContinuityOfAProgram(t *testing.T) {
	media := func(b *wb, at time.Duration, conn int, dir string, ts float64) *wb {
		b.add(at, history.Event{Source: "p", Kind: history.KindTapMedia, Conn: conn, Media: f(ts), Message: dir})
		return b
	}
	jump := func(b *wb, at time.Duration, conn int, prev, next float64, code string) *wb {
		b.add(at, history.Event{Source: "p", Kind: history.KindTapJump, Conn: conn, Prev: f(prev), Media: f(next), Code: code, Message: "down video"})
		return b
	}
	// A live viewer whose connection saw the timestamps restart at a republish seam.
	seam := newWire()
	seam.connect(ms(10), 1)
	seam.add(ms(20), history.Event{Source: "p", Kind: history.KindTapCommand, Conn: 1, Command: "play", Stream: "cam"})
	media(seam, ms(100), 1, "down", 0)
	jump(seam, ms(5000), 1, 4.96, 0, "NetStream.Play.PublishNotify")
	seam.close(ms(9000), 1, "tap", 4.0)
	v := seam.judge(mc("p"), NameMediaContinuity)
	expect(t, v, Fail, "connection 1: video timestamps went back from 4.960s to 0.000s at 5.000s (after NetStream.Play.PublishNotify)")
	// The same program's seam announced by Play.Reset: the player was told.
	told := newWire()
	told.connect(ms(10), 1)
	media(told, ms(100), 1, "down", 0)
	jump(told, ms(5000), 1, 4.96, 0, "NetStream.Play.Reset")
	told.close(ms(9000), 1, "tap", 4.0)
	expect(t, told.judge(mc("p"), NameMediaContinuity), Pass, "without a break")
	// A VOD player restarted from the beginning after 5 s had been delivered (the wrapper).
	restart := newWire()
	restart.connect(ms(10), 1).cmd(ms(20), 1, "play", -2)
	media(restart, ms(100), 1, "down", 0)
	restart.close(ms(3001), 1, "server", 5.0).connect(ms(3300), 2).cmd(ms(3310), 2, "play", -2)
	media(restart, ms(3400), 2, "down", 0)
	restart.close(ms(9000), 2, "tap", 8.0)
	expect(t, restart.judge(mc("p"), NameMediaContinuity), Fail, "5.000s of media delivered again from connection 1")
	// The tap reads each direction on its own: under load the first media of connection 2 may
	// be recorded before the play that asked for it. The verdict is the same.
	late := newWire()
	late.connect(ms(10), 1).cmd(ms(20), 1, "play", -2)
	media(late, ms(100), 1, "down", 0)
	late.close(ms(3001), 1, "server", 5.0).connect(ms(3300), 2)
	media(late, ms(3400), 2, "down", 0)
	late.cmd(ms(3401), 2, "play", -2).close(ms(9000), 2, "tap", 8.0)
	expect(t, late.judge(mc("p"), NameMediaContinuity), Fail, "5.000s of media delivered again from connection 1")
	// A program that never got media.
	expect(t, newWire().connect(ms(10), 1).judge(mc("p"), NameMediaContinuity), Unknown, "moved no media")
}
