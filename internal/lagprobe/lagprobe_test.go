package lagprobe

import (
	"strings"
	"testing"
	"time"
)

// Quantiles are the upper edges of their buckets, never past the worst wake; a wake past the
// histogram counts as the worst.
func TestQuantiles(t *testing.T) {
	var h histogram
	for i := 0; i < 98; i++ {
		h.add(300 * time.Microsecond)
	}
	h.add(45 * time.Millisecond)
	h.add(-time.Millisecond) // early: on time
	s := h.summary(10 * time.Millisecond)
	if s.Wakes != 100 || s.P50 != time.Millisecond || s.P99 != time.Millisecond || s.Max != 45*time.Millisecond {
		t.Fatalf("%+v", s)
	}
	h.add(3 * time.Second)
	h.add(4 * time.Second)
	if s := h.summary(10 * time.Millisecond); s.P99 != 4*time.Second || s.Max != 4*time.Second {
		t.Fatalf("a wake past the histogram: %+v", s)
	}
	var few histogram
	few.add(200 * time.Microsecond)
	if s := few.summary(time.Millisecond); s.P99 != 200*time.Microsecond {
		t.Fatalf("a quantile above the worst wake: %+v", s)
	}
}

// A probe counts its wakes until stopped, and says so.
func TestProbeCountsWakes(t *testing.T) {
	p := Start(time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		if s := p.Stop(); s.Wakes > 0 {
			if !strings.Contains(s.String(), "wakes, one every 1ms") {
				t.Fatalf("%q", s)
			}
			return
		}
		p = Start(time.Millisecond)
	}
	t.Fatal("the probe never woke in 5 s")
}
