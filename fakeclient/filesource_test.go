package fakeclient

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
)

// A publisher sends a real FLV (made by ffmpeg, no streamfault tags) and a viewer knows its
// frames by their timestamps: indices follow the 25 fps clock, timestamps never go back.
func TestPublisherSendsARealFile(t *testing.T) {
	s := newServer(t, fakeserver.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	prec, vrec := &events{}, &events{}
	file := filepath.Join("..", "scenarios", "media", "testsrc-8s.flv")
	pub, err := NewPublisher(PublisherConfig{Addr: s.Addr(), Stream: "cam", File: file, Duration: 3 * time.Second, OnEvent: prec.add})
	if err != nil {
		t.Fatal(err)
	}
	view, err := NewViewer(ViewerConfig{Addr: s.Addr(), Stream: "cam", Duration: 3 * time.Second, OnEvent: vrec.add})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	go func() { errs <- view.Run(ctx) }()
	go func() { errs <- pub.Run(ctx) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
	got := kinds(vrec.all(), EventReceived)
	if len(got) < 25 {
		t.Fatalf("viewer received %d real frames in 3 s, want at least 25", len(got))
	}
	last := time.Duration(-1)
	for _, e := range got {
		if e.StreamTime < last {
			t.Fatalf("timestamp went back from %v to %v", last, e.StreamTime)
		}
		last = e.StreamTime
		if want := int((e.StreamTime + 20*time.Millisecond) / (40 * time.Millisecond)); e.First != want || e.Stream != "cam" {
			t.Fatalf("frame at %v is %s #%d, want cam #%d", e.StreamTime, e.Stream, e.First, want)
		}
	}
	if sent := kinds(prec.all(), EventSent); len(sent) == 0 {
		t.Fatal("the publisher reported no frames sent")
	}
}

func TestPublisherRefusesAFileThatIsNotFLV(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "x.flv")
	if err := os.WriteFile(bad, []byte("not a video"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewPublisher(PublisherConfig{Addr: "127.0.0.1:1", Stream: "cam", File: bad}); err == nil || !strings.Contains(err.Error(), "FLV") {
		t.Fatalf("err = %v", err)
	}
}

// A file whose video timestamps do not advance is refused (its loop would have no length).
func TestPublisherRefusesAFileWithoutTime(t *testing.T) {
	var b []byte
	b = append(b, 'F', 'L', 'V', 1, 1, 0, 0, 0, 9, 0, 0, 0, 0)
	body := []byte{0x27, 1, 0, 0, 0, 0, 0, 0, 1, 0x65}
	for range 3 { // three video tags, all at 0 ms
		b = append(b, 9, 0, 0, byte(len(body)), 0, 0, 0, 0, 0, 0, 0)
		b = append(b, body...)
		b = append(b, 0, 0, 0, byte(11+len(body)))
	}
	f := filepath.Join(t.TempDir(), "still.flv")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewPublisher(PublisherConfig{Addr: "127.0.0.1:1", Stream: "cam", File: f}); err == nil || !strings.Contains(err.Error(), "do not advance") {
		t.Fatalf("err = %v", err)
	}
}
