package hugeheap

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// advise asks the kernel to back the whole huge pages within b with huge pages, and returns
// how many bytes that covers (0 when it refused).
func advise(b []byte, huge uintptr) int64 {
	if len(b) == 0 {
		return 0
	}
	base := uintptr(unsafe.Pointer(&b[0]))
	lo := (base + huge - 1) &^ (huge - 1)
	hi := (base + uintptr(len(b))) &^ (huge - 1)
	if hi <= lo {
		return 0
	}
	if err := unix.Madvise(b[lo-base:hi-base], unix.MADV_HUGEPAGE); err != nil {
		return 0
	}
	return int64(hi - lo)
}
