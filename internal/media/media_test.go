package media

import (
	"testing"
	"time"
)

func spec() Spec {
	return Spec{Name: "myStream", Duration: 20 * time.Second, FPS: 25, KeyframeInterval: time.Second}
}

func TestVideoIdentityRoundTrip(t *testing.T) {
	s := spec()
	for _, i := range []int{0, 1, 24, 25, 26, 499} {
		id, ok := ParseVideo(s.VideoTag(i))
		if !ok {
			t.Fatalf("frame %d: identity not found", i)
		}
		want := Identity{Stream: "myStream", Index: i, Key: i%25 == 0}
		if id != want {
			t.Fatalf("frame %d: got %+v, want %+v", i, id, want)
		}
	}
	if _, ok := ParseVideo(AVCSequenceHeader()); ok {
		t.Fatal("sequence header must carry no identity")
	}
	if _, ok := ParseVideo([]byte{0x17, 1, 0, 0, 0, 0, 0, 0, 9, 1}); ok {
		t.Fatal("truncated NAL must not parse")
	}
}

func TestAudioIdentityRoundTrip(t *testing.T) {
	s := spec()
	id, ok := ParseAudio(s.AudioTag(42))
	if !ok || id.Stream != "myStream" || id.Index != 42 {
		t.Fatalf("got %+v ok=%v", id, ok)
	}
	if got := len(s.AudioTag(0)); got != 1+audioRate/25 {
		t.Fatalf("audio tag length %d", got)
	}
}

func TestTiming(t *testing.T) {
	s := spec()
	if s.Frames() != 500 || s.GOP() != 25 {
		t.Fatalf("frames %d gop %d", s.Frames(), s.GOP())
	}
	if s.TimestampMs(26) != 1040 {
		t.Fatalf("ts %d", s.TimestampMs(26))
	}
	cases := []struct {
		at       time.Duration
		idx, key int
	}{
		{0, 0, 0}, {39 * time.Millisecond, 0, 0}, {40 * time.Millisecond, 1, 0},
		{7040 * time.Millisecond, 176, 175}, {time.Hour, 499, 475}, {-time.Second, 0, 0},
	}
	for _, c := range cases {
		if got := s.IndexAtOrBefore(c.at); got != c.idx {
			t.Errorf("IndexAtOrBefore(%v) = %d, want %d", c.at, got, c.idx)
		}
		if got := s.KeyframeAtOrBefore(c.at); got != c.key {
			t.Errorf("KeyframeAtOrBefore(%v) = %d, want %d", c.at, got, c.key)
		}
	}
	thirty := Spec{Name: "x", FPS: 30, Duration: time.Second}
	if thirty.IndexAtOrBefore(100*time.Millisecond) != 3 || thirty.TimestampMs(1) != 33 {
		t.Fatal("30 fps timing")
	}
}

func TestEmulationPrevention(t *testing.T) {
	raw := []byte{0, 0, 1, 0, 0, 0, 5, 0, 0, 3}
	n := nal(0, 1, raw)
	if got := unescape(n[1:]); string(got) != string(raw) {
		t.Fatalf("round trip: %v", got)
	}
	for i := 0; i+2 < len(n); i++ {
		if n[i] == 0 && n[i+1] == 0 && n[i+2] <= 2 {
			t.Fatalf("start-code emulation left at %d: %v", i, n)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := []Spec{{}, {Name: "a:b", FPS: 25}, {Name: "a", FPS: 0}, {Name: "a", FPS: 25, KeyframeInterval: -1}}
	for _, s := range bad {
		if s.Validate() == nil {
			t.Errorf("%+v: want error", s)
		}
	}
	if err := spec().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestPadKeepsIdentity(t *testing.T) {
	s := Spec{Name: "live", FPS: 25, KeyframeInterval: time.Second}
	tag := s.VideoTag(3)
	padded := Pad(tag, 2500)
	if len(padded) != 2500 {
		t.Fatalf("padded to %d bytes, want 2500", len(padded))
	}
	id, ok := ParseVideo(padded)
	if !ok || id.Stream != "live" || id.Index != 3 {
		t.Fatalf("identity after padding: %+v %v", id, ok)
	}
	if got := Pad(tag, 10); len(got) != len(tag) {
		t.Fatalf("a tag larger than the target grew to %d", len(got))
	}
}
