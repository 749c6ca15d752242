package proc

import (
	"fmt"
	"os"
	"sync"
)

// OwnerEnv marks every program the harness starts — and what those start, which inherits it —
// with the harness that owns it: its PID and start time. The parent-death signal ends a
// program when its harness dies, even by SIGKILL, but not what a wrapper script started in its
// process group; the next run finds those by this mark (SweepOrphans) and ends them.
const OwnerEnv = "STREAMFAULT_OWNER"

// Orphan is a program a harness that died left running.
type Orphan struct {
	// PID is its process id (it was sent SIGKILL).
	PID int
	// Owner is the OwnerEnv mark of the harness that started it.
	Owner string
	// Command is its command line, for the record.
	Command string
}

// String describes the orphan.
func (o Orphan) String() string {
	return fmt.Sprintf("pid %d (%s), left by the harness %s that no longer runs", o.PID, o.Command, o.Owner)
}

// ownerMark is this harness's OwnerEnv value: "<pid>:<start time in clock ticks>", so that a
// reused PID is not taken for a harness still running.
var ownerMark = sync.OnceValue(func() string {
	pid := os.Getpid()
	start, _ := startTime(pid)
	return fmt.Sprintf("%d:%d", pid, start)
})
