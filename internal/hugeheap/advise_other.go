//go:build !linux

package hugeheap

// advise does nothing where the kernel has no transparent huge pages to advise.
func advise([]byte, uintptr) int64 { return 0 }
