//go:build linux && race

package rtmpconn

import "sync/atomic"

// ioSync stands for the ordering a socket gives: what a goroutine did before writing happened
// before what another does after reading. The system call wrappers tell the race detector so;
// raw system calls do not, so rawTCP does it with an atomic counter in race builds.
var ioSync atomic.Int64

func raceRelease() { ioSync.Add(1) }

func raceAcquire() { ioSync.Load() }
