package media

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/amf0"
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

// TestWriteFLVIsReadByFFprobe: the file holds every frame (ffprobe counts them) — skipped
// without ffprobe unless STREAMFAULT_REQUIRE_TOOLS=1.
func TestWriteFLVIsReadByFFprobe(t *testing.T) {
	s := Spec{Name: "f", Duration: 2 * time.Second, FPS: 25, KeyframeInterval: time.Second}
	path := filepath.Join(t.TempDir(), "f.flv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFLV(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := exec.LookPath("ffprobe"); err != nil {
		if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") == "1" {
			t.Fatal("ffprobe is missing")
		}
		t.Skip("ffprobe is missing")
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "50" {
		t.Fatalf("ffprobe: %v %q", err, out)
	}
}

// TestWriteFLVKeyframeIndex: every entry of the index points at a tag of the keyframe's
// frame, at the keyframe's time.
func TestWriteFLVKeyframeIndex(t *testing.T) {
	s := Spec{Name: "k", Duration: 3 * time.Second, FPS: 25, KeyframeInterval: time.Second}
	var buf bytes.Buffer
	if err := s.WriteFLV(&buf); err != nil {
		t.Fatal(err)
	}
	file := buf.Bytes()
	metaLen := int(file[13+1])<<16 | int(file[13+2])<<8 | int(file[13+3])
	vals, err := amf0.DecodeAll(file[13+11:13+11+metaLen], amf0.DefaultLimits)
	if err != nil || len(vals) != 2 {
		t.Fatalf("metadata: %v %v", vals, err)
	}
	var index map[string]any
	for k, v := range vals[1].(map[string]any) {
		if k == "keyframes" {
			index = v.(map[string]any)
		}
	}
	times, _ := index["times"].([]any)
	pos, _ := index["filepositions"].([]any)
	if len(times) != 3 || len(pos) != 3 {
		t.Fatalf("index %v", index)
	}
	for k := range times {
		p := int(pos[k].(float64))
		ts := uint32(file[p+4])<<16 | uint32(file[p+5])<<8 | uint32(file[p+6]) | uint32(file[p+7])<<24
		if file[p] != 8 || float64(ts)/1000 != times[k].(float64) || ts != s.TimestampMs(k*25) {
			t.Errorf("entry %d: tag type %d at %d ms, index says %v s", k, file[p], ts, times[k])
		}
	}
}

// TestReadFLVRoundTrip: ReadFLV gives back what WriteFLV wrote, frame identities and times.
func TestReadFLVRoundTrip(t *testing.T) {
	s := Spec{Name: "r", Duration: time.Second, FPS: 25, KeyframeInterval: time.Second}
	var buf bytes.Buffer
	if err := s.WriteFLV(&buf); err != nil {
		t.Fatal(err)
	}
	tags, err := ReadFLV(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 2+2*25 || tags[0].Type != 18 {
		t.Fatalf("%d tags, first of type %d", len(tags), tags[0].Type)
	}
	next := 0
	for _, tag := range tags {
		if id, ok := ParseVideo(tag.Body); ok && tag.Type == 9 {
			if id.Index != next || tag.Timestamp != s.TimestampMs(next) {
				t.Fatalf("video frame %d at %d ms, want %d at %d ms", id.Index, tag.Timestamp, next, s.TimestampMs(next))
			}
			next++
		}
	}
	if next != 25 {
		t.Fatalf("%d frames", next)
	}
	if _, err := ReadFLV(bytes.NewReader(buf.Bytes()[:buf.Len()-7])); err == nil {
		t.Fatal("a cut file read without error")
	}
}

// A tag's identity is cut from it in place: "sf:<stream>:<index>" and nothing else, the
// stream's name its only allocation.
func TestParseTagCutsInPlace(t *testing.T) {
	for _, c := range []struct {
		tag    string
		ok     bool
		stream string
		index  int
	}{
		{"sf:clip:12", true, "clip", 12}, {"sf::3", true, "", 3}, {"sf:a:b:c", false, "", 0}, {"sf:a", false, "", 0},
		{"xx:a:1", false, "", 0}, {"sf:a:-1", false, "", 0}, {"sf:a:x", false, "", 0}, {"sf:a:", false, "", 0}, {"", false, "", 0},
	} {
		id, ok := parseTag([]byte(c.tag), Identity{})
		if ok != c.ok || ok && (id.Stream != c.stream || id.Index != c.index) {
			t.Errorf("parseTag(%q) = %+v, %v; want %q %d, %v", c.tag, id, ok, c.stream, c.index, c.ok)
		}
	}
	tag := Spec{Name: "clip", FPS: 25, Duration: time.Second}.VideoTag(7)
	if allocs := testing.AllocsPerRun(100, func() {
		if id, ok := ParseVideo(tag); !ok || id.Index != 7 {
			t.Fatalf("ParseVideo: %+v %v", id, ok)
		}
	}); allocs > 1 {
		t.Errorf("ParseVideo allocates %v times a frame, want at most 1 (the stream's name)", allocs)
	}
}
