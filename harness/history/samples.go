package history

import "time"

// Buffer samples as runs. A player samples its buffer every 250 ms: 2,000 players for 15 s
// recorded 134,000 sample events of about 450 bytes, two thirds of the history, though no
// checker reads them (the report's charts do). The Recorder keeps consecutive samples of one
// player's connection as one event — its first sample's values in BufferLength, Playhead and
// BytesIn, and every sample's time and values in Samples, 32 bytes a sample — so that each is
// read back as it was recorded (BufferSamples).
//
// A sample joins the open run of its player when it is on the same connection and stream,
// says nothing else, comes no earlier than the run's last and at most runGap after it, and
// within runLongest of its first. As for frames, any other event about the player (or about
// no player) ends the run: a run of samples never spans another of its player's events.
// Unlike frames, a run of samples is not split at events recorded after the fact (a fault's
// start): no checker asks which samples came after an event.

// Samples are the samples of a run, each at At plus its After (the first's is 0).
type Samples struct {
	// After is when each sample was taken, after the event's At, in nanoseconds.
	After []time.Duration `json:"after"`
	// BufferLengths, Playheads and BytesIn are each sample's values, as in a single sample.
	BufferLengths []time.Duration `json:"bufferLengths"`
	Playheads     []time.Duration `json:"playheads"`
	BytesIn       []int64         `json:"bytesIn"`
}

// Sample is one buffer sample of a player.
type Sample struct {
	// At is when it was taken, since the start of the run.
	At time.Duration
	// BufferLength, Playhead and BytesIn are what the player held, where it played and what
	// it had received.
	BufferLength, Playhead time.Duration
	BytesIn                int64
}

// BufferSamples are the samples a client.buffer event holds: its own, or every one of a run
// (as many as all of Samples' lists have, should a file have them of different lengths).
func (e Event) BufferSamples() []Sample {
	s := e.Samples
	if s == nil {
		return []Sample{{At: e.At, BufferLength: e.BufferLength, Playhead: e.Playhead, BytesIn: e.BytesIn}}
	}
	n := min(len(s.After), len(s.BufferLengths), len(s.Playheads), len(s.BytesIn))
	out := make([]Sample, n)
	for i := range out {
		out[i] = Sample{At: e.At + s.After[i], BufferLength: s.BufferLengths[i], Playhead: s.Playheads[i], BytesIn: s.BytesIn[i]}
	}
	return out
}

// whole tells whether the run's lists agree (one from a file may not): only then may it grow.
func (s *Samples) whole() bool {
	n := len(s.After)
	return n > 0 && s.After[0] == 0 && len(s.BufferLengths) == n && len(s.Playheads) == n && len(s.BytesIn) == n
}

// extendSamples adds ev, a buffer sample, to the open run of its player when it continues
// it, and returns the run's index when it did (under mu).
func (r *Recorder) extendSamples(ev *Event) (int, bool) {
	key := runKey{ev.Source, KindClientBuffer}
	o, ok := r.open[key]
	if !ok {
		return 0, false
	}
	i := o.i
	run := &r.events[i/recordChunk][i%recordChunk]
	last := run.At
	if s := run.Samples; s != nil {
		if !s.whole() {
			return 0, false
		}
		last = run.At + s.After[len(s.After)-1]
	}
	if ev.Samples != nil || !plainSample(ev) || !plainSample(run) || ev.Conn != run.Conn || ev.Stream != run.Stream ||
		ev.At < last || ev.At-last > runGap || ev.At-run.At > runLongest {
		return 0, false
	}
	if r.waiters > 0 {
		r.grew = append(r.grew, i) // a Wait under way looks at it again
	}
	s := run.Samples
	switch {
	case s == nil:
		s = &Samples{After: []time.Duration{0}, BufferLengths: []time.Duration{run.BufferLength}, Playheads: []time.Duration{run.Playhead}, BytesIn: []int64{run.BytesIn}}
		r.open[key] = openRun{i: i, owned: r.lends + 1}
	case !r.mine(o):
		// A new Samples: an earlier copy of the run (a Wait's, a Select's) keeps the one it
		// holds, whose lists appending does not change.
		c := *s
		s = &c
		r.open[key] = openRun{i: i, owned: r.lends + 1}
	}
	s.After = append(s.After, ev.At-run.At)
	s.BufferLengths = append(s.BufferLengths, ev.BufferLength)
	s.Playheads = append(s.Playheads, ev.Playhead)
	s.BytesIn = append(s.BytesIn, ev.BytesIn)
	run.Samples = s
	return i, true
}

// plainSample tells whether a buffer sample says nothing but its values: only such samples
// join a run.
func plainSample(e *Event) bool { return e.Kind == KindClientBuffer && saysOnly(e, false, true) }
