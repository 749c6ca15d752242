package spec

import (
	"testing"
	"time"
)

func TestDurationForms(t *testing.T) {
	for in, want := range map[string]time.Duration{`4s`: 4 * time.Second, `"250ms"`: 250 * time.Millisecond, `'1.5s'`: 1500 * time.Millisecond, `0`: 0} {
		var d Duration
		if err := d.parse(in); err != nil || d.D() != want {
			t.Errorf("%s: got %v %v", in, d, err)
		}
	}
	var d Duration
	if d.parse("4") == nil {
		t.Error("a bare number must be rejected")
	}
}
