//go:build !unix

package lagprobe

import "time"

// cpuTime cannot say here.
func cpuTime() (time.Duration, bool) { return 0, false }
