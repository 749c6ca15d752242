package check

import (
	"math/rand/v2"
	"testing"
	"time"
)

// shown agrees with a plain map over random frame numbers: across blocks, negative, far apart,
// shown again.
func TestShownAgreesWithAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s shown
	want := map[int]time.Duration{}
	for k := range 20000 {
		var i int
		switch k % 4 {
		case 0:
			i = rng.IntN(3000) - 1500 // around zero, across blocks
		case 1:
			i = 1<<40 + rng.IntN(2000) // far away
		case 2:
			i = -1<<40 - rng.IntN(2000)
		default:
			i = k % 1030 // consecutive, again and again
		}
		at := time.Duration(k)
		if _, ok := want[i]; !ok {
			want[i] = at
		}
		s.show(i, at)
		probe := i + rng.IntN(5) - 2
		got, ok := s.at(probe)
		w, wok := want[probe]
		if ok != wok || got != w {
			t.Fatalf("frame %d: (%v, %v), want (%v, %v)", probe, got, ok, w, wok)
		}
	}
	if s.n != len(want) {
		t.Fatalf("%d frames shown, want %d", s.n, len(want))
	}
	if len(s.blocks) > 16 {
		t.Fatalf("%d blocks for frames in 4 places", len(s.blocks))
	}
	if at, ok := s.at(1 << 30); ok {
		t.Fatalf("a frame never shown reads as shown at %v", at)
	}
}
