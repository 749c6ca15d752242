package bench

import (
	"math"
	"runtime"
	"strings"
)

// What the embedded Toxiproxy holds of this process's memory, told apart by the code that
// allocated it or runs in it: a figure the harness cannot shrink (each link copies through
// buffers and goroutines of its own), so that a user reading the memory figures knows which
// part is the proxy's.

// proxyPkg is the import path every function of Toxiproxy's module starts with.
const proxyPkg = "github.com/Shopify/toxiproxy/"

// ProxyShare is Toxiproxy's part of a process's memory.
type ProxyShare struct {
	// HeapInuse is the heap in use by objects allocated with a Toxiproxy function on the stack,
	// as of the last garbage collection, estimated from the runtime's sampled memory profile.
	HeapInuse uint64
	// Goroutines is how many goroutines run a Toxiproxy function.
	Goroutines int
}

// proxyShare measures Toxiproxy's part of this process's memory now.
func proxyShare() ProxyShare {
	return ProxyShare{HeapInuse: heapInuseUnder(proxyPkg), Goroutines: goroutinesUnder(proxyPkg)}
}

// heapInuseUnder estimates the heap in use by objects allocated with a function of pkg on the
// stack. The profile samples one allocation in about MemProfileRate bytes; each record is
// scaled by the inverse of the chance that an object of its mean size was sampled.
func heapInuseUnder(pkg string) uint64 {
	var recs []runtime.MemProfileRecord
	for n := 256; ; n *= 2 { // bounded: the profile has at most as many records as stacks
		recs = make([]runtime.MemProfileRecord, n)
		got, ok := runtime.MemProfile(recs, false)
		if ok {
			recs = recs[:got]
			break
		}
	}
	var sum float64
	under := stackTest(pkg)
	for i := range recs {
		r := &recs[i]
		if r.InUseBytes() == 0 || !under(r.Stack()) {
			continue
		}
		sum += float64(r.InUseBytes()) * sampleScale(r.AllocBytes, r.AllocObjects, runtime.MemProfileRate)
	}
	return uint64(sum)
}

// sampleScale is how many bytes one sampled byte stands for, for objects of the mean size
// bytes/objects sampled at one in rate bytes: an object of size s is sampled with chance
// 1 - e^(-s/rate).
func sampleScale(bytes, objects int64, rate int) float64 {
	if rate <= 1 || objects <= 0 || bytes <= 0 {
		return 1
	}
	mean := float64(bytes) / float64(objects)
	return 1 / (1 - math.Exp(-mean/float64(rate)))
}

// goroutinesUnder counts the goroutines with a function of pkg on their stack.
func goroutinesUnder(pkg string) int {
	var recs []runtime.StackRecord
	for n := runtime.NumGoroutine() + 64; ; n *= 2 { // bounded: goroutines are finite
		recs = make([]runtime.StackRecord, n)
		got, ok := runtime.GoroutineProfile(recs)
		if ok {
			recs = recs[:got]
			break
		}
	}
	n := 0
	under := stackTest(pkg)
	for i := range recs {
		if under(recs[i].Stack()) {
			n++
		}
	}
	return n
}

// stackTest returns a test of whether a function of pkg is on a stack; it resolves each
// program counter once, since thousands of goroutines share a few stacks.
func stackTest(pkg string) func(stack []uintptr) bool {
	seen := map[uintptr]bool{}
	return func(stack []uintptr) bool {
		for _, pc := range stack {
			in, ok := seen[pc]
			if !ok {
				in = pcUnder(pc, pkg)
				seen[pc] = in
			}
			if in {
				return true
			}
		}
		return false
	}
}

// pcUnder tells whether the code at pc, or a function inlined there, is pkg's.
func pcUnder(pc uintptr, pkg string) bool {
	frames := runtime.CallersFrames([]uintptr{pc})
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, pkg) {
			return true
		}
		if !more {
			return false
		}
	}
}
