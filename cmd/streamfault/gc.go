package main

import "github.com/streamfault/streamfault/internal/gcpace"

// labGCPercent is the collector's target for commands that run labs (run, compare, bench):
// the heap may grow 30 % past what is live and on the stacks, not Go's default 100 %. A lab's
// heap is mostly buffers that live as long as its connections — the embedded Toxiproxy alone
// holds four 32 KB copy buffers for each — so the default would let a 2,000-player run take
// twice that memory again for garbage; this costs about a second of CPU in a 20 s run. The
// percent is of the larger of the heap live and the heap the running labs will hold (gcpace),
// so that a connect storm does not run a collection at every 30 % of growth.
const labGCPercent = 30

// labCommands are the commands that run labs.
var labCommands = map[string]bool{"run": true, "compare": true, "bench": true}

// labPacer paces the collector for the labs this process runs: set by main (leanHeap) for a
// command that runs labs; nil otherwise, and in tests, where runs leave the target alone.
var labPacer *gcpace.Pacer

// leanHeap returns a started pacer at labGCPercent for a command that runs labs, unless the
// user set GOGC (which then stays as given): nil then.
func leanHeap(args []string, getenv func(string) string) *gcpace.Pacer {
	if len(args) == 0 || !labCommands[args[0]] || getenv("GOGC") != "" {
		return nil
	}
	p := gcpace.Runtime(labGCPercent)
	p.Start()
	return p
}
