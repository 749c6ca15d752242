package scenario

import (
	"path/filepath"
	"testing"
	"time"
)

func TestLengthOfBundledScenarios(t *testing.T) {
	for name, want := range map[string]time.Duration{
		"drop-mid-playback.yaml":         23 * time.Second, // a 20 s stream after a 3 s buffer
		"publisher-stall-republish.yaml": 22 * time.Second, // the clients' duration
		"process-manual-stop.yaml":       8 * time.Second,
	} {
		s, err := Load(filepath.Join("..", "..", "scenarios", name))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Length(); got != want {
			t.Errorf("%s: length %v, want %v", name, got, want)
		}
	}
}
