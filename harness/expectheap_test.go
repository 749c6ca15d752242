package harness

import (
	"sync"
	"testing"

	"github.com/streamfault/streamfault/internal/gcpace"
	"github.com/streamfault/streamfault/internal/hugeheap"
)

// TestExpectHeapReservesALargeLabsHeap: a lab whose clients' heap has a goal of MinReserve or
// more gets that goal mapped ahead and advised, with the collector off meanwhile; a small lab
// gets neither, and the collector's target is never touched beyond the expectation.
func TestExpectHeapReservesALargeLabsHeap(t *testing.T) {
	var (
		mu      sync.Mutex // the pacer may set the target from a collection's cleanup too
		targets []int
		target  = 30
	)
	set := func(p int) int {
		mu.Lock()
		defer mu.Unlock()
		old := target
		target, targets = p, append(targets, p)
		return old
	}
	sets := func() []int {
		mu.Lock()
		defer mu.Unlock()
		out := targets
		targets = nil
		return out
	}
	pacer := gcpace.New(30, set, func() int64 { return 1 << 20 })
	pacer.Start()
	defer pacer.Stop()

	clients := int(hugeheap.MinReserve/heapPerClient) + 1
	sets()
	release, advised := expectHeap(pacer, clients)
	got := sets()
	goal := pacer.Goal(int64(clients) * heapPerClient)
	if advised < goal-4<<20 || advised > goal {
		t.Errorf("%d clients: advised %d bytes, want the whole huge pages of the goal %d", clients, advised, goal)
	}
	if len(got) != 3 || got[1] != -1 || got[2] != got[0] {
		t.Errorf("%d clients: targets set %v, want the raised one, off while reserving, the raised one again", clients, got)
	}
	release()
	sets()

	release, advised = expectHeap(pacer, 10)
	got = sets()
	if advised != 0 || len(got) != 1 || got[0] == -1 {
		t.Errorf("10 clients: advised %d bytes, targets set %v; want none advised and only the raised target", advised, got)
	}
	release()
}
