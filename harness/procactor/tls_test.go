package procactor

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/tlsca"
)

// Against an RTMPS server the program's URL is rtmps:// and {cafile} is a file holding the
// run's authority while the program runs, gone after it.
func TestRTMPSPlaceholders(t *testing.T) {
	ca, err := tlsca.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var rec recorded
	s := Spec{Command: []string{"sh", "-c", `echo "{url}"; cat "{cafile}"; echo "{cafile}"`}, Grace: spec.Duration(500 * time.Millisecond)}
	s.Default()
	a, err := New(Config{Name: "p", Spec: s, Stream: "clip", App: "vod", Upstream: "127.0.0.1:1", CA: ca, OnEvent: rec.add})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range rec.of(history.KindProcOutput) {
		lines = append(lines, e.Message)
	}
	if len(lines) < 3 || lines[0] != "rtmps://"+a.Addr()+"/vod/clip" {
		t.Fatalf("output %q: want the rtmps URL of the tap first", lines)
	}
	if got := strings.Join(lines[1:len(lines)-1], "\n") + "\n"; !bytes.Equal([]byte(got), ca.PEM) {
		t.Fatalf("{cafile} held %q, want the authority's certificate", got)
	}
	if _, err := os.Stat(lines[len(lines)-1]); !os.IsNotExist(err) {
		t.Fatalf("{cafile} %s after the run: %v, want it removed", lines[len(lines)-1], err)
	}
}
