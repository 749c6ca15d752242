package proc

import (
	"fmt"
	"strconv"
	"time"
)

// clockTick is Linux's clock tick (USER_HZ), the unit of /proc/PID/stat's times.
const clockTick = 10 * time.Millisecond

// CPUTime is the CPU time (user and system) a process has used so far (/proc/PID/stat, fields
// 14 and 15).
func CPUTime(pid int) (time.Duration, error) {
	f, err := statFields(pid)
	if err != nil || len(f) < 13 {
		return 0, fmt.Errorf("proc: cpu time of %d: /proc stat has %d fields after the command: %w", pid, len(f), err)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14: the 12th after "pid (comm)"
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("proc: cpu time of %d: /proc stat fields %q %q", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * clockTick, nil
}
