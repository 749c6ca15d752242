//go:build unix

package lagprobe

import (
	"syscall"
	"time"
)

// CPUTime is the user and system CPU time this process has used so far; ok is false when
// the system cannot say.
func CPUTime() (user, sys time.Duration, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, false
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano()), true
}
