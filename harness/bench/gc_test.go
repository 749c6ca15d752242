package bench

import (
	"runtime/debug"
	"testing"
)

// TestGCPercentReadsTheTargetInForce: the figure printed beside the peak RSS is the target
// the runtime uses, whatever set it.
func TestGCPercentReadsTheTargetInForce(t *testing.T) {
	prev := debug.SetGCPercent(57)
	defer debug.SetGCPercent(prev)
	if got := gcPercent(); got != 57 {
		t.Fatalf("gcPercent() = %d after SetGCPercent(57)", got)
	}
	debug.SetGCPercent(130)
	if got := gcPercent(); got != 130 {
		t.Fatalf("gcPercent() = %d after SetGCPercent(130)", got)
	}
}
