//go:build !unix

package lagprobe

import "time"

// CPUTime cannot say here (ok is false).
func CPUTime() (user, sys time.Duration, ok bool) { return 0, 0, false }
