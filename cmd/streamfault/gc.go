package main

import "runtime/debug"

// labGCPercent is the collector's target for commands that run labs (run, compare, bench):
// the heap may grow 30 % past what is live and on the stacks, not Go's default 100 %. A lab's
// heap is mostly buffers that live as long as its connections — the embedded Toxiproxy alone
// holds four 32 KB copy buffers for each — so the default would let a 2,000-player run take
// twice that memory again for garbage; this costs about a second of CPU in a 20 s run.
const labGCPercent = 30

// labCommands are the commands that run labs.
var labCommands = map[string]bool{"run": true, "compare": true, "bench": true}

// leanHeap sets the collector's target to labGCPercent for a command that runs labs, unless
// the user set GOGC (which then stays as given).
func leanHeap(args []string, getenv func(string) string) {
	if len(args) > 0 && labCommands[args[0]] && getenv("GOGC") == "" {
		debug.SetGCPercent(labGCPercent)
	}
}
