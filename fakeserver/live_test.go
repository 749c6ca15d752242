package fakeserver

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

func (tc *tclient) publish(name string) {
	tc.t.Helper()
	if err := tc.c.WriteCommand(tc.ctx, rtmpconn.CSIDData, tc.sid, "publish", 0, nil, name, "live"); err != nil {
		tc.t.Fatal(err)
	}
}

// sendFrames publishes frames first..last of a live source called name.
func (tc *tclient) sendFrames(name string, first, last int) {
	tc.t.Helper()
	sp := media.Spec{Name: name, FPS: 25, KeyframeInterval: time.Second}
	if first == 0 {
		_ = tc.c.Write(tc.ctx, rtmpconn.CSIDVideo, 0, tc.sid, &message.VideoMessage{Payload: bytes.NewReader(media.AVCSequenceHeader())})
	}
	for i := first; i <= last; i++ {
		if err := tc.c.Write(tc.ctx, rtmpconn.CSIDVideo, sp.TimestampMs(i), tc.sid, &message.VideoMessage{Payload: bytes.NewReader(sp.VideoTag(i))}); err != nil {
			tc.t.Fatal(err)
		}
	}
}

func TestLivePublishRelayBadNameUnpublish(t *testing.T) {
	s, rec := newServer(t, Config{})
	viewer := dialServer(t, s)
	viewer.play("cam", -1000.0) // waits for a publisher
	if g := viewer.collect(5*time.Second, "NetStream.Play.Start"); !slices.Contains(g.codes, "NetStream.Play.Start") {
		t.Fatalf("viewer: %v", g.log)
	}
	pub := dialServer(t, s)
	pub.publish("cam")
	if g := pub.collect(5*time.Second, "NetStream.Publish.Start"); !slices.Contains(g.codes, "NetStream.Publish.Start") {
		t.Fatalf("publisher: %v", g.log)
	}
	if g := viewer.collect(5*time.Second, "NetStream.Play.PublishNotify"); !slices.Contains(g.codes, "NetStream.Play.PublishNotify") {
		t.Fatalf("viewer not told of the publisher: %v", g.log)
	}
	pub.sendFrames("cam", 0, 9)
	g := viewer.collect(300 * time.Millisecond)
	if !slices.Equal(g.frames, frameRange("cam", 0, 9)) {
		t.Fatalf("relayed frames: %v", g.log)
	}

	// A second publisher of the same name is refused while the first lives.
	other := dialServer(t, s)
	other.publish("cam")
	if g := other.collect(5*time.Second, "NetStream.Publish.BadName"); !slices.Contains(g.codes, "NetStream.Publish.BadName") {
		t.Fatalf("second publisher: %v", g.log)
	}

	// The publisher leaves: the viewer is told, and the name is free again.
	_ = pub.c.Close()
	if g := viewer.collect(5*time.Second, "NetStream.Play.UnpublishNotify"); !slices.Contains(g.codes, "NetStream.Play.UnpublishNotify") {
		t.Fatalf("viewer not told of the unpublish: %v", g.log)
	}
	other.publish("cam")
	if g := other.collect(5*time.Second, "NetStream.Publish.Start"); !slices.Contains(g.codes, "NetStream.Publish.Start") {
		t.Fatalf("republish after the first left: %v", g.log)
	}
	if len(rec.all(EventPublish)) != 2 || len(rec.all(EventUnpublish)) != 1 {
		t.Fatalf("access log: %v", rec.kinds())
	}
}

func TestIdlePublisherIsDroppedOnlyWhenConfigured(t *testing.T) {
	for _, idle := range []time.Duration{0, 300 * time.Millisecond} {
		s, _ := newServer(t, Config{IdlePublisherTimeout: idle})
		zombie := dialServer(t, s)
		zombie.publish("cam")
		zombie.collect(5*time.Second, "NetStream.Publish.Start")
		zombie.sendFrames("cam", 0, 2) // then silence: a dead publisher whose socket lives on
		next := dialServer(t, s)
		deadline := time.Now().Add(2 * time.Second)
		var got []string
		for time.Now().Before(deadline) {
			next.publish("cam")
			g := next.collect(2*time.Second, "NetStream.Publish.BadName", "NetStream.Publish.Start")
			got = append(got, g.codes...)
			if slices.Contains(g.codes, "NetStream.Publish.Start") {
				break
			}
			time.Sleep(100 * time.Millisecond) // the retry spacing of this test's publisher
		}
		started := slices.Contains(got, "NetStream.Publish.Start")
		if started != (idle > 0) {
			t.Fatalf("idle timeout %v: second publisher saw %v", idle, got)
		}
	}
}

func TestPingTimeoutClosesASilentSession(t *testing.T) {
	s, rec := newServer(t, Config{PingInterval: 100 * time.Millisecond, PingTimeout: 300 * time.Millisecond})
	tc := dialServer(t, s) // never answers pings
	pings := 0
	for {
		m := tc.next(3 * time.Second)
		if m == nil {
			break // the server closed the connection (msgs closed) or nothing for 3 s
		}
		if uc, ok := m.Control.(*message.UserCtrl); ok {
			if _, ok := uc.Event.(*message.UserCtrlEventPingRequest); ok {
				pings++
			}
		}
	}
	if pings < 2 {
		t.Fatalf("%d pings before the close", pings)
	}
	found := false
	for _, e := range rec.all(EventError) {
		found = found || bytes.Contains([]byte(e.Reason), []byte("ping timeout"))
	}
	if !found {
		t.Fatalf("no ping timeout in the access log: %v", rec.kinds())
	}
}

func TestStallMediaKeepsTheSocketAndResumes(t *testing.T) {
	s, _ := playlistServer(t)
	tc := dialServer(t, s)
	tc.buffer(200)
	tc.play2(map[string]any{"streamName": "a", "transition": "reset"})
	if g := tc.collect(5*time.Second, "NetStream.Play.Start"); !slices.Contains(g.codes, "NetStream.Play.Start") {
		t.Fatalf("start: %v", g.log)
	}
	s.StallMedia(true)
	tc.collect(100 * time.Millisecond) // what was already on its way
	if g := tc.collect(400 * time.Millisecond); len(g.frames) > 0 {
		t.Fatalf("frames during the stall: %v", g.log)
	}
	s.StallMedia(false)
	g := tc.collect(5*time.Second, "NetStream.Play.Complete")
	if len(g.frames) == 0 || !slices.Contains(g.codes, "NetStream.Play.Complete") {
		t.Fatalf("after the stall: %v", g.log)
	}
}

// TestLivePlayLength: play(name, -1000, 400) gets 400 ms of the live stream from its first
// keyframe, then Play.Stop and nothing more; a player without a length keeps getting media.
func TestLivePlayLength(t *testing.T) {
	s, _ := newServer(t, Config{})
	short, long := dialServer(t, s), dialServer(t, s)
	short.play("cam", -1000.0, 400.0)
	long.play("cam", -1000.0)
	for _, v := range []*tclient{short, long} {
		if g := v.collect(5*time.Second, "NetStream.Play.Start"); !slices.Contains(g.codes, "NetStream.Play.Start") {
			t.Fatalf("viewer: %v", g.log)
		}
	}
	pub := dialServer(t, s)
	pub.publish("cam")
	if g := pub.collect(5*time.Second, "NetStream.Publish.Start"); !slices.Contains(g.codes, "NetStream.Publish.Start") {
		t.Fatalf("publisher: %v", g.log)
	}
	for _, v := range []*tclient{short, long} {
		if g := v.collect(5*time.Second, "NetStream.Play.PublishNotify"); !slices.Contains(g.codes, "NetStream.Play.PublishNotify") {
			t.Fatalf("viewer not told of the publisher: %v", g.log)
		}
	}
	pub.sendFrames("cam", 0, 29)
	g := short.collect(5*time.Second, "NetStream.Play.Stop")
	if !slices.Contains(g.codes, "NetStream.Play.Stop") || !slices.Equal(g.frames, frameRange("cam", 0, 10)) {
		t.Fatalf("short player (400 ms = frames 0..10): %v", g.log)
	}
	if g := long.collect(300 * time.Millisecond); !slices.Equal(g.frames, frameRange("cam", 0, 29)) {
		t.Fatalf("long player: %v", g.log)
	}
	pub.sendFrames("cam", 30, 34)
	if g := short.collect(200 * time.Millisecond); len(g.frames) != 0 {
		t.Fatalf("frames after Play.Stop: %v", g.log)
	}
}
