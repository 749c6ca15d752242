package fakeserver

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/media"
)

// recorder collects server events for assertions.
type recorder struct {
	mu  sync.Mutex
	evs []Event
}

func (r *recorder) add(ev Event) { r.mu.Lock(); r.evs = append(r.evs, ev); r.mu.Unlock() }

func (r *recorder) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var k []string
	for _, e := range r.evs {
		k = append(k, e.Kind)
	}
	return k
}

func (r *recorder) every() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.evs...)
}

// findReason returns the first event whose reason contains part.
func (r *recorder) findReason(part string) (Event, bool) {
	for _, e := range r.every() {
		if strings.Contains(e.Reason, part) {
			return e, true
		}
	}
	return Event{}, false
}

func (r *recorder) find(kind string) (Event, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.evs {
		if e.Kind == kind {
			return e, true
		}
	}
	return Event{}, false
}

func startServer(t *testing.T, dur time.Duration) (*Server, *recorder) {
	t.Helper()
	return newServer(t, Config{
		Streams:       []media.Spec{{Name: "myStream", Duration: dur, FPS: 25, KeyframeInterval: time.Second}},
		AccessLogPath: filepath.Join(t.TempDir(), "access.log"),
	})
}

// newServer starts a server with cfg whose events a recorder collects; it is shut down with
// the test.
func newServer(t *testing.T, cfg Config) (*Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg.OnEvent = rec.add
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown() })
	return s, rec
}

// TestFFprobeReadsTheStream proves a real third-party player can read what the server sends.
func TestFFprobeReadsTheStream(t *testing.T) {
	ffprobe, err := exec.LookPath("ffprobe")
	if err != nil {
		if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") != "" {
			t.Fatal("ffprobe is required (STREAMFAULT_REQUIRE_TOOLS is set) but not installed")
		}
		t.Skip("ffprobe not installed")
	}
	s, rec := startServer(t, 3*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-rw_timeout", "5000000",
		"-analyzeduration", "500000", "-show_streams", "-of", "json", s.URL("myStream")).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v\n%s", err, out)
	}
	var res struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			CodecName string `json:"codec_name"`
			Width     int    `json:"width"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("ffprobe output: %v\n%s", err, out)
	}
	var video, audio bool
	for _, st := range res.Streams {
		switch {
		case st.CodecType == "video" && st.CodecName == "h264" && st.Width == 16:
			video = true
		case st.CodecType == "audio":
			audio = true
		}
	}
	if !video || !audio {
		t.Fatalf("ffprobe did not see h264 video and audio: %s", out)
	}
	// ffmpeg decodes every frame (ffprobe -count_frames crashes on the onPlayStatus data
	// stream in Debian's ffmpeg 5.1, so the frame count comes from ffmpeg).
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatalf("ffmpeg not installed next to ffprobe: %v", err)
	}
	log, err := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-v", "verbose", "-rw_timeout", "5000000",
		"-i", s.URL("myStream"), "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg decode: %v\n%s", err, log)
	}
	for _, want := range []string{"(video): 75 packets read", "75 frames decoded"} {
		if !strings.Contains(string(log), want) {
			t.Fatalf("ffmpeg output lacks %q:\n%s", want, log)
		}
	}
	if ev, ok := rec.find(EventPlay); !ok || ev.Stream != "myStream" || ev.Command != "play" {
		t.Fatalf("access log play: %+v (events %v)", ev, rec.kinds())
	}
}

func TestNewRejectsBadCatalogue(t *testing.T) {
	for _, specs := range [][]media.Spec{
		{{Name: "a", FPS: 25, Duration: time.Second}, {Name: "a", FPS: 25, Duration: time.Second}},
		{{Name: "a", FPS: 0, Duration: time.Second}},
		{{Name: "live", FPS: 25}},
	} {
		if _, err := New(Config{Streams: specs}); err == nil {
			t.Errorf("%+v: want error", specs)
		}
	}
}

func TestAccessLogIsJSONLines(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Config{AccessLogPath: filepath.Join(dir, "a.log"), Streams: []media.Spec{{Name: "x", FPS: 25, Duration: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	s.emit(Event{Kind: EventConnect, Session: "s1"})
	if err := s.Shutdown(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "a.log"))
	if err != nil || !strings.Contains(string(b), `"x-event":"connect"`) || !strings.HasSuffix(string(b), "\n") {
		t.Fatalf("access log %q %v", b, err)
	}
}
