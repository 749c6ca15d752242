package fakeclient

import (
	"strings"
	"testing"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/rtmpconn"
)

func newTestPlayer(t *testing.T, rec *events) (*Player, *playState) {
	t.Helper()
	p, err := NewPlayer(PlayerConfig{Addr: "127.0.0.1:1", Stream: "real", BufferTime: time.Second, OnEvent: rec.add})
	if err != nil {
		t.Fatal(err)
	}
	return p, &playState{frameDur: 40 * time.Millisecond, itemStart: map[string]time.Duration{}}
}

// mediaEvent is an audio or video message as a player's session hands it to the loop.
func mediaEvent(n int, m *rtmpconn.Message) connEvent { return connEvent{n: n, media: digestMedia(m)} }

// A real H.264 frame (no streamfault tag): AVC, NALU packet.
func realFrame(fill byte) []byte { return []byte{0x27, 1, 0, 0, 0, 0, 0, 0, 1, fill} }

// Real frames are known by timestamp; one sent again with other content says so.
func TestPlayerKnowsRealFramesByTimestampAndHash(t *testing.T) {
	rec := &events{}
	p, st := newTestPlayer(t, rec)
	for i, ts := range []uint32{0, 40, 80} {
		if err := p.onConn(st, mediaEvent(1, &rtmpconn.Message{TypeID: message.TypeIDVideoMessage, Timestamp: ts, Payload: realFrame(byte(i))})); err != nil {
			t.Fatal(err)
		}
	}
	// After a reconnect: frame 1 again, the same; frame 2 again, different.
	_ = p.onConn(st, mediaEvent(2, &rtmpconn.Message{TypeID: message.TypeIDVideoMessage, Timestamp: 40, Payload: realFrame(1)}))
	_ = p.onConn(st, mediaEvent(2, &rtmpconn.Message{TypeID: message.TypeIDVideoMessage, Timestamp: 80, Payload: realFrame(9)}))
	got := kinds(rec.all(), EventReceived)
	if len(got) != 3 || got[2].First != 2 || got[2].Stream != "real" {
		t.Fatalf("received %+v: want frames 0, 1, 2 of real", got)
	}
	dropped := kinds(rec.all(), EventDropped)
	if len(dropped) != 2 || dropped[0].Message != "" || !strings.Contains(dropped[1].Message, "content differs") {
		t.Fatalf("dropped %+v: want frame 1 the same and frame 2 differing", dropped)
	}
}

// Audio only: after 100 media messages the player says it got nothing it can show.
func TestPlayerSaysWhenNothingIsUsable(t *testing.T) {
	rec := &events{}
	p, st := newTestPlayer(t, rec)
	for i := range 150 {
		_ = p.onConn(st, mediaEvent(1, &rtmpconn.Message{TypeID: message.TypeIDAudioMessage, Timestamp: uint32(i * 23), Payload: []byte{0xaf, 1, 0}}))
	}
	var said []Event
	for _, e := range kinds(rec.all(), EventStatus) {
		if e.Code == CodeNoUsableMedia {
			said = append(said, e)
		}
	}
	if len(said) != 1 || !strings.Contains(said[0].Message, "100 media messages") {
		t.Fatalf("status events %+v: want one %s after 100 messages", said, CodeNoUsableMedia)
	}
}
