package bench

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The relay latency run measures frames with the window and without, and its figure says
// both: what the window adds is the difference.
func TestRelayLatencyMeasuresBothWays(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r, err := MeasureRelayLatency(ctx, 2, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if r.Frames[0] < 2*25 || r.Frames[1] < 2*25 || r.With[0] < 0 || r.With[2] < r.With[1] || r.Without[2] < r.Without[1] {
		t.Fatalf("relay latency %+v", r)
	}
	f := r.Figure()
	if f.Value != float64((r.With[0]-r.Without[0]).Microseconds())/1000 || !strings.Contains(f.Detail, "2 viewers") {
		t.Fatalf("figure %+v of %+v", f, r)
	}
}
