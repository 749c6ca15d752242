package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/conformance"
)

// A figure over its goal is printed MISSED and counted; one within it is marked met.
func TestPrintMarksEveryGoal(t *testing.T) {
	r := PlayersResult{Clients: 1000, Longest: 15 * time.Second, Took: 19 * time.Second, PeakRSS: 300 << 20, Frame: 40 * time.Millisecond,
		Late: [3]time.Duration{time.Millisecond, 90 * time.Millisecond, 120 * time.Millisecond}, Frames: 10,
		Verdicts: []check.Verdict{{Status: check.Pass}, {Status: check.Fail}},
		Faults:   190000, HugePages: "madvise",
		Mid: MidMemory{Goroutines: 12000, HeapInuse: 150 << 20, StackInuse: 70 << 20, Sys: 260 << 20, Proxy: ProxyShare{HeapInuse: 64 << 20, Goroutines: 6000}}}
	var b bytes.Buffer
	missed := Print(&b, "players", r.Figures())
	out := b.String()
	for _, want := range []string{"run, checking included", "goal <= 18 s", "MISSED", "peak RSS", "300", "met", "frame lateness p99", "goal <= 40 ms",
		"memory at half time", "first touches of memory", "190000", "transparent huge pages: madvise", "heap after a collection 150 MB (Toxiproxy's links 64 MB), stacks 70 MB, 12000 goroutines (12.0 a client, 6.0 of them Toxiproxy's)"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if missed != 3 { // 19 s > 18 s, 90 ms > 40 ms, 1 of 2 verdicts (300 MB <= 0.4 MB x 1000 is met)
		t.Errorf("missed %d, want 3:\n%s", missed, out)
	}
}

func TestRelayFiguresCarryTheRatioGoal(t *testing.T) {
	figs := RelayFigures([][]conformance.RelayResult{{{Subject: "reference", CPU: 2 * time.Second, Bytes: 1e9}}, {{Subject: "nginx-rtmp", CPU: time.Second, Bytes: 1e9}}})
	last := figs[len(figs)-1]
	if last.Goal == nil || last.Value != 2 || last.Met() {
		t.Fatalf("ratio figure %+v: want 2, goal %v, missed", last, RelayRatio)
	}
	if !RelayRatio.Met(1) || RelayRatio.Met(1.01) {
		t.Fatalf("relay goal %v: the issue asks a ratio of at most 1.0", RelayRatio)
	}
	if !(Goal{Limit: 1, AtLeast: true}).Met(1) || (Goal{Limit: 1}).Met(1.01) {
		t.Fatal("goal bounds")
	}
}

// A lateness nobody could measure (no paced frame had a due time) is missed, never met by a
// zero; frames without a due time are said.
func TestUnmeasuredLatenessIsMissed(t *testing.T) {
	r := PlayersResult{Clients: 1, Frame: 40 * time.Millisecond, Unmatched: 7}
	f := r.lateness(func(d time.Duration) float64 { return float64(d.Milliseconds()) })
	if f.Met() || !strings.Contains(f.Detail, "not measured") || !strings.Contains(f.Detail, "7 frames had none") {
		t.Fatalf("unmeasured lateness %+v", f)
	}
	r.Frames, r.Late[1] = 10, 20*time.Millisecond
	if f := r.lateness(func(d time.Duration) float64 { return float64(d.Milliseconds()) }); !f.Met() {
		t.Fatalf("measured lateness within goal %+v", f)
	}
}

// Rounds are summed (the ratio is of CPU over bytes across all of them, not an average of
// ratios) and each round's own ratio is listed.
func TestRelayRoundsSum(t *testing.T) {
	ref := []conformance.RelayResult{{Subject: "reference", CPU: 1 * time.Second, Bytes: 1e9}, {Subject: "reference", CPU: 3 * time.Second, Bytes: 1e9}}
	ng := []conformance.RelayResult{{Subject: "nginx-rtmp", CPU: 2 * time.Second, Bytes: 1e9}, {Subject: "nginx-rtmp", CPU: 2 * time.Second, Bytes: 1e9}}
	figs := RelayFigures([][]conformance.RelayResult{ref, ng})
	last := figs[len(figs)-1]
	if last.Value != 1 || !last.Met() || !strings.Contains(last.Detail, "over 2 round(s); each round: 0.50, 1.50") {
		t.Fatalf("ratio over rounds %+v", last)
	}
	if figs[0].Value != 2 {
		t.Fatalf("reference CPU per GB over rounds %+v: want 4 s for 2 GB", figs[0])
	}
}

// The mode of transparent huge pages is the bracketed word of Linux's file, and nothing where
// the file is missing or says no mode.
func TestHugePagesReadsTheModeInForce(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ text, want string }{
		{"always [madvise] never\n", "madvise"},
		{"[always] madvise never\n", "always"},
		{"always madvise [never]", "never"},
		{"always madvise never", ""},
		{"] [", ""},
	} {
		f := filepath.Join(dir, "enabled")
		if err := os.WriteFile(f, []byte(c.text), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := hugePages(f); got != c.want {
			t.Errorf("%q: %q, want %q", c.text, got, c.want)
		}
	}
	if got := hugePages(filepath.Join(dir, "missing")); got != "" {
		t.Errorf("a missing file gave %q", got)
	}
}

// TestFaultsNoteSaysTheAdvisedHeap: in the mode madvise, the note says how much heap the lab
// advised into huge pages, and that every page is 4 KB when it advised none.
func TestFaultsNoteSaysTheAdvisedHeap(t *testing.T) {
	advised := PlayersResult{HugePages: "madvise", HugeHeap: 520 << 20}.faultsNote()
	if !strings.Contains(advised, "advised the first 520 MB of its heap") {
		t.Errorf("advised: %q", advised)
	}
	none := PlayersResult{HugePages: "madvise"}.faultsNote()
	if strings.Contains(none, "advised") || !strings.Contains(none, "4 KB and each costs a fault") {
		t.Errorf("none advised: %q", none)
	}
}
