package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/streamfault/streamfault/harness"
	"github.com/streamfault/streamfault/harness/check"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
	"github.com/streamfault/streamfault/internal/gcpace"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/reports"
)

// Goals of the players benchmark.
var (
	// PlayersSlack is how much longer than its longest stream a load run may take, checking
	// included (issue 25: 2,000 players of a 15 s stream in 18 s).
	PlayersSlack = 3 * time.Second
	// PlayersRSSPerClient bounds the process's peak memory per client, in MB (issue 25: 0.4 MB,
	// 800 MB for 2,000 players).
	PlayersRSSPerClient = 0.4
	// PlayersLateFrames bounds the frames' lateness at p99, in frames: a player that falls
	// behind real time by more would show stalls the server never caused.
	PlayersLateFrames = 1.0
)

// PlayersResult is one load run as measured.
type PlayersResult struct {
	// Clients is how many clients ran.
	Clients int
	// Longest is the longest stream of the catalogue.
	Longest time.Duration
	// Took is the run's wall time, checking included.
	Took time.Duration
	// User and Sys are the CPU time the run cost.
	User, Sys time.Duration
	// PeakRSS is the process's peak memory in bytes.
	PeakRSS int64
	// Faults are the pages the run touched for the first time (minor faults), and HugePages
	// the machine's mode of transparent huge pages ("" unknown): with 4 KB pages a run of
	// 2,000 players takes 190,000 of them, about 8 % of its CPU on this virtual machine.
	Faults    int64
	HugePages string
	// HugeHeap is the heap the lab mapped ahead for its clients and advised into huge pages
	// (harness.Result.HugeHeap), in bytes.
	HugeHeap int64
	// Late are the p50, p99 and worst lateness of paced frames against when the server
	// meant them to leave, over Frames frames; Unmatched frames arrived with no due time.
	Late              [3]time.Duration
	Frames, Unmatched int
	// BurstLate are the p50, p99 and worst lateness of the frames of initial bursts (all
	// due at their playback's start), over BurstFrames frames.
	BurstLate   [3]time.Duration
	BurstFrames int
	// Frame is one frame's time at the first stream's rate.
	Frame time.Duration
	// Verdicts are the run's verdicts.
	Verdicts []check.Verdict
	// Interrupted says why the run was cut short ("" when it was not).
	Interrupted string
	// Lag and LagP99 are whether the harness had the CPU it needed during the run (its
	// harness.lag event): all it says, and how long its goroutines waited to run at p99.
	Lag    string
	LagP99 time.Duration
	// Mid is where memory went halfway through the longest stream, every client playing.
	Mid MidMemory
	// Paced says the collector's target was of the larger of the live heap and the heap the
	// clients were expected to hold (gcpace), not of the live heap only.
	Paced bool
	// GCPercent is the collector's target during the run (GOGC; streamfault sets it for labs).
	GCPercent int
}

// MidMemory is a snapshot of the Go runtime's memory during a load run.
type MidMemory struct {
	// Goroutines is how many goroutines ran.
	Goroutines int
	// HeapInuse, StackInuse and Sys are the runtime's figures of that name, in bytes.
	HeapInuse, StackInuse, Sys uint64
	// Proxy is the embedded Toxiproxy's part of it.
	Proxy ProxyShare
}

// detail says where the memory went, and how much of it is the embedded Toxiproxy's.
func (m MidMemory) detail(clients int) string {
	return fmt.Sprintf("heap after a collection %d MB (Toxiproxy's links %d MB), stacks %d MB, %d goroutines (%.1f a client, %.1f of them Toxiproxy's)",
		m.HeapInuse>>20, m.Proxy.HeapInuse>>20, m.StackInuse>>20, m.Goroutines,
		float64(m.Goroutines)/float64(max(clients, 1)), float64(m.Proxy.Goroutines)/float64(max(clients, 1)))
}

// Profiles names files for the profiles of a run ("" for none).
type Profiles struct {
	// CPU receives a CPU profile of the run.
	CPU string
	// Heap receives a heap profile at its end.
	Heap string
	// HeapMid receives a heap profile halfway through the longest stream, every client
	// playing.
	HeapMid string
}

// Players runs a load scenario and measures it; pacer, when set, paces the collector for it
// (harness.Options.Pacer).
func Players(ctx context.Context, s *scenario.Scenario, prof Profiles, pacer *gcpace.Pacer) (PlayersResult, error) {
	r := PlayersResult{Clients: len(s.Clients), Frame: media.DefaultFrame, GCPercent: gcPercent(), Paced: pacer != nil}
	for _, st := range s.Server.Streams {
		r.Longest = max(r.Longest, st.Duration.D())
	}
	if len(s.Server.Streams) > 0 && s.Server.Streams[0].FPS > 0 {
		r.Frame = time.Second / time.Duration(s.Server.Streams[0].FPS)
	}
	if prof.CPU != "" {
		f, err := os.Create(prof.CPU)
		if err != nil {
			return r, fmt.Errorf("bench players: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return r, fmt.Errorf("bench players: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	waitMid := r.atHalfTime(prof.HeapMid)
	u0 := used()
	t0 := time.Now()
	var late reports.LatenessMeter
	res, err := harness.Run(ctx, s, harness.Options{OnEvent: late.Observe, OnFrameDue: late.Due, Pacer: pacer})
	r.Took = time.Since(t0)
	waitMid()
	u1 := used()
	r.User, r.Sys, r.PeakRSS, r.Faults = u1.user-u0.user, u1.sys-u0.sys, u1.peakRSS, u1.faults-u0.faults
	r.HugePages = hugePages(thpFile)
	if err != nil {
		return r, fmt.Errorf("bench players: %w", err)
	}
	r.HugeHeap = res.HugeHeap
	if r.Interrupted = res.Interrupted; r.Interrupted != "" {
		return r, nil
	}
	if prof.Heap != "" {
		if err := writeHeap(prof.Heap); err != nil {
			return r, fmt.Errorf("bench players: %w", err)
		}
	}
	lates, bursts := late.Values(), late.BurstValues()
	q, b := reports.Quantiles(lates, 0.50, 0.99, 1), reports.Quantiles(bursts, 0.50, 0.99, 1)
	r.Late, r.Frames, r.Unmatched, r.Verdicts = [3]time.Duration{q[0], q[1], q[2]}, len(lates), late.Unmatched(), res.Verdicts
	r.BurstLate, r.BurstFrames = [3]time.Duration{b[0], b[1], b[2]}, len(bursts)
	for _, e := range res.History.Kind(history.KindHarnessLag) {
		r.Lag, r.LagP99 = e.Message, e.Latency
	}
	return r, nil
}

// atHalfTime takes the mid-run memory snapshot halfway through the longest stream, and a
// heap profile into heapPath unless it is ""; the function it returns waits for both.
func (r *PlayersResult) atHalfTime(heapPath string) (wait func()) {
	var herr error
	done := make(chan struct{})
	mid := time.AfterFunc(r.Longest/2, func() {
		defer close(done)
		// A collection first: the heap in use is then what is live, and the memory profile
		// that tells Toxiproxy's part is up to date (it lags a collection or two).
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		r.Mid = MidMemory{Goroutines: runtime.NumGoroutine(), HeapInuse: ms.HeapInuse, StackInuse: ms.StackInuse, Sys: ms.Sys, Proxy: proxyShare()}
		if heapPath != "" {
			herr = writeHeap(heapPath)
		}
	})
	return func() {
		if mid.Stop() {
			close(done)
		}
		<-done
		if herr != nil {
			fmt.Fprintf(os.Stderr, "bench players: heap profile: %v\n", herr)
		}
	}
}

func writeHeap(path string) error {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Passed counts the verdicts that passed.
func (r PlayersResult) Passed() int {
	n := 0
	for _, v := range r.Verdicts {
		if v.Status == check.Pass {
			n++
		}
	}
	return n
}

// lateness is the paced frames' lateness figure: not measured (NaN, missed) when no frame
// had a due time, and saying how many frames had none.
func (r PlayersResult) lateness(ms func(time.Duration) float64) Figure {
	f := Figure{Name: "frame lateness p99", Value: ms(r.Late[1]), Unit: "ms", Goal: &Goal{Limit: PlayersLateFrames * ms(r.Frame), Why: "one frame"},
		Detail: fmt.Sprintf("p50 %.0f ms, max %.0f ms over %d paced frames, from when the server meant each to leave", ms(r.Late[0]), ms(r.Late[2]), r.Frames)}
	if r.Frames == 0 {
		f.Value, f.Detail = math.NaN(), "not measured: no paced frame had a due time from the server"
	}
	if r.Unmatched > 0 {
		f.Detail += fmt.Sprintf("; %d frames had none", r.Unmatched)
	}
	return f
}

// Figures are the run's figures beside their goals.
func (r PlayersResult) Figures() []Figure {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return []Figure{
		{Name: "run, checking included", Value: r.Took.Seconds(), Unit: "s",
			Goal: &Goal{Limit: (r.Longest + PlayersSlack).Seconds(), Why: "the longest stream, plus slack"}, Detail: fmt.Sprintf("longest stream %v", r.Longest)},
		{Name: "CPU user+sys", Value: (r.User + r.Sys).Seconds(), Unit: "s", Detail: fmt.Sprintf("%.1f + %.1f", r.User.Seconds(), r.Sys.Seconds())},
		{Name: "peak RSS", Value: float64(r.PeakRSS >> 20), Unit: "MB", Goal: &Goal{Limit: PlayersRSSPerClient * float64(r.Clients), Why: "0.4 MB a client"},
			Detail: fmt.Sprintf("%.2f MB a client; the collector's target GOGC=%d%s", float64(r.PeakRSS>>10)/1024/float64(max(r.Clients, 1)), r.GCPercent, r.pacedNote())},
		{Name: "first touches of memory", Value: float64(r.Faults), Unit: "pages", Detail: r.faultsNote()},
		{Name: "memory at half time", Value: float64(r.Mid.Sys >> 20), Unit: "MB", Detail: r.Mid.detail(r.Clients)},
		r.lateness(ms),
		{Name: "burst lateness p99", Value: ms(r.BurstLate[1]), Unit: "ms", Detail: fmt.Sprintf("p50 %.0f ms, max %.0f ms over %d frames of initial bursts, from their play's start",
			ms(r.BurstLate[0]), ms(r.BurstLate[2]), r.BurstFrames)},
		{Name: "harness goroutine wait p99", Value: ms(r.LagP99), Unit: "ms", Detail: r.Lag},
		{Name: "verdicts passed", Value: float64(r.Passed()), Goal: &Goal{Limit: float64(len(r.Verdicts)), AtLeast: true, Why: "every verdict"}},
	}
}

// faultsNote says what a first touch maps, by the machine's mode of transparent huge pages.
func (r PlayersResult) faultsNote() string {
	switch r.HugePages {
	case "":
		return "minor page faults; transparent huge pages: not said by this machine"
	case "always":
		return "minor page faults; transparent huge pages: always (a first touch may map 2 MB)"
	}
	if r.HugeHeap > 0 && r.HugePages == "madvise" {
		return fmt.Sprintf("minor page faults; transparent huge pages: madvise, and the lab advised the first %d MB of its heap into them; pages past it are 4 KB and each costs a fault (README: Page faults)", r.HugeHeap>>20)
	}
	return fmt.Sprintf("minor page faults; transparent huge pages: %s, so the Go heap's pages are 4 KB and each costs a fault (README: Page faults)", r.HugePages)
}

// pacedNote says what the collector's target was a percent of, when it was paced.
func (r PlayersResult) pacedNote() string {
	if !r.Paced {
		return ""
	}
	return " of the larger of the live heap and the heap the clients were expected to hold"
}
