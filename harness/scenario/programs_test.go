package scenario

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestProgramsAndMissing(t *testing.T) {
	s, err := Load(filepath.Join("..", "..", "scenarios", "process-vod-drop-real-players.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Programs(); !slices.Equal(got, []string{"ffmpeg", "rtmpdump"}) {
		t.Fatalf("programs %v", got)
	}
	s.Requires = []string{"no-such-program-streamfault"}
	if got := s.Missing(); !slices.Contains(got, "no-such-program-streamfault") {
		t.Fatalf("missing %v", got)
	}
	n, err := Load(filepath.Join("..", "..", "scenarios", "nginx-vod-drop-resume.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Programs(); !slices.Equal(got, []string{"nginx"}) {
		t.Fatalf("programs of an nginx scenario: %v", got)
	}
}
