//go:build !linux

package proc

import (
	"errors"
	"time"
)

// CPUTime is unknown off Linux (no /proc to read).
func CPUTime(int) (time.Duration, error) {
	return 0, errors.New("proc: cpu time: no /proc here")
}
