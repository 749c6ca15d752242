package hugeheap

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// TestAdviseMarksTheMemory: the whole huge pages within the slice are advised, and the
// kernel's map of this process says so (VmFlags hg) for every mapping that covers them.
func TestAdviseMarksTheMemory(t *testing.T) {
	const huge = 2 << 20
	b := make([]byte, 8<<20)
	got := advise(b, huge)
	if got < 6<<20 || got > 8<<20 || got%huge != 0 {
		t.Fatalf("advise of 8 MB advised %d bytes, want whole huge pages within it (6 or 8 MB)", got)
	}
	base := uintptr(unsafe.Pointer(&b[0]))
	lo := (base + huge - 1) &^ (huge - 1)
	covered, err := advisedWithin(lo, lo+uintptr(got))
	if err != nil {
		t.Fatalf("reading /proc/self/smaps: %v", err)
	}
	if covered != uintptr(got) {
		t.Errorf("the kernel says %d of the %d bytes advised are marked hg", covered, got)
	}
	if advise(b[:huge/2], huge) != 0 {
		t.Error("advise of less than a huge page advised something")
	}
}

// advisedWithin adds up the bytes of [lo, hi) that /proc/self/smaps marks hg (MADV_HUGEPAGE).
func advisedWithin(lo, hi uintptr) (uintptr, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var covered, start, end uintptr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) > 0 && !strings.HasSuffix(fields[0], ":") { // a mapping's first line
			if _, err := fmt.Sscanf(fields[0], "%x-%x", &start, &end); err != nil {
				return 0, fmt.Errorf("smaps: %q: %w", line, err)
			}
			continue
		}
		if rest, ok := strings.CutPrefix(line, "VmFlags:"); ok && strings.Contains(" "+rest+" ", " hg ") {
			if s, e := max(start, lo), min(end, hi); s < e {
				covered += e - s
			}
		}
	}
	return covered, sc.Err()
}
