package bench

import (
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/streamfault/streamfault/internal/lagprobe"
)

// cpuTime is this process's user and system CPU time so far (zero where it cannot be read).
func cpuTime() (user, sys time.Duration) {
	user, sys, _ = lagprobe.CPUTime()
	return user, sys
}

// peakRSS is this process's peak resident set size in bytes (Linux reports KiB).
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024
}

// minorFaults is how many pages this process has touched for the first time so far (the
// kernel's minor faults; zero where it cannot be read).
func minorFaults() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Minflt
}

// thpFile is where Linux says when anonymous memory gets transparent huge pages.
const thpFile = "/sys/kernel/mm/transparent_hugepage/enabled"

// hugePages is the mode of transparent huge pages in force ("always", "madvise", "never"),
// or "" where the machine does not say.
func hugePages(file string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	s := string(b)
	i, j := strings.IndexByte(s, '['), strings.IndexByte(s, ']')
	if i < 0 || j < i {
		return ""
	}
	return s[i+1 : j]
}

// loadAvg is the 1, 5 and 15 minute load averages ("?" where /proc does not say).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
