package bench

import (
	"os"
	"strings"
	"syscall"
	"time"
)

// usage is what this process has used so far.
type usage struct {
	user, sys time.Duration // CPU time
	peakRSS   int64         // peak resident set size in bytes
	faults    int64         // pages touched for the first time (the kernel's minor faults)
}

// used reads the process's usage, one getrusage(2) for all of it (zero where it cannot be
// read).
func used() usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return usage{}
	}
	// Linux reports the peak in KiB.
	return usage{user: time.Duration(ru.Utime.Nano()), sys: time.Duration(ru.Stime.Nano()), peakRSS: ru.Maxrss * 1024, faults: ru.Minflt}
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
