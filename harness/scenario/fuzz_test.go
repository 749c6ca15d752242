package scenario

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParse feeds the loader arbitrary bytes: it must return a scenario or an *Error, never
// panic. The seed corpus (bundled scenarios and broken variants) runs with every `go test`;
// `make fuzz` explores further.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "scenarios", "*.yaml"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{"", ":", "- [", "name: [\n", "faults: [{at: -1s}]", "a: &x [*x]",
		"timeout: 99999999999h", "server: {streams: [{fps: 1e308}]}", "\xff\xfe", "nemesis: {count: 1000, kinds: [drop], minGap: 0s, maxGap: 0s}",
		good, base + "faults: [{after: {fault: x}, name: x, drop: {route: wifi}}]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s *Scenario
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			s, err = Parse("fuzz.yaml", data)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Parse did not return within 5s on %q", data)
		}
		if err == nil && s == nil {
			t.Fatal("nil scenario without an error")
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			_ = err.Error()
		}
	})
}
