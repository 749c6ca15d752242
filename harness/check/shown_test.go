package check

import (
	"math/rand/v2"
	"testing"
	"time"
	"unsafe"

	"github.com/streamfault/streamfault/harness/history"
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
	// Blocks for the spans frames fell in (3,000 around zero, 2,000 at each end), not for the
	// span between them; and a block costs about what a frame's own event does.
	if maxBlocks := (3000+2000+2000)/shownBlock + 6; len(s.blocks) > maxBlocks {
		t.Fatalf("%d blocks for frames in 3 places, want at most %d", len(s.blocks), maxBlocks)
	}
	if size, ev := unsafe.Sizeof(shownFrames{}), unsafe.Sizeof(history.Event{}); size > 2*ev {
		t.Fatalf("a block is %d bytes, more than twice an event (%d): scattered frames would cost judging more than the history", size, ev)
	}
	if at, ok := s.at(1 << 30); ok {
		t.Fatalf("a frame never shown reads as shown at %v", at)
	}
}
