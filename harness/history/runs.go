package history

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Frames as runs. A player records an event per frame received and per frame rendered:
// 400,000 events of about 450 bytes for 500 players, most of a history's memory, size and
// checking time. The Recorder keeps consecutive frames of one source, kind, connection and
// stream as one event — a run: Frames.First..Last; At and StartTime the first frame's arrival
// and stream time, Until and EndTime the last's, Arrivals and Times every frame's (12 bytes a
// frame) — so that nothing is lost: any frame's arrival and stream time are those it would
// have had as an event of its own (FrameAt, FrameTime).
//
// A frame joins the open run of its source and kind when it is the next frame (a gap, a
// repeat or an earlier frame starts a new run), on the same connection and stream, one frame
// only (a player's tick that rendered two gives their first's time only), with nothing else to
// say (no message, no code), at most runGap after the run's last, its stream time after the
// last's by at most runMaxStep (less than the smallest jump a checker notes), and its times
// exactly representable.
//
// No run spans an event a checker could ask "which frames came after this?" about: an event
// other than frames and buffer samples ends the open runs of the player it is about (its own
// status, the server's play for its connection; a player or viewer is one from its lab.client
// event on), or every open run when it is about no player (a fault, a publish, a publisher's
// status) — but for a server's error about a session that never named its client; and as some
// are recorded after the fact (a fault's start is stamped when it was applied), History also
// splits every run at the time of each such event that falls inside it.

// runGap is the longest silence inside a run: a frame that comes later starts a new one.
const runGap = time.Second

// runMaxStep is the largest step of stream time inside a run: below the 500 ms from which
// mediaContinuity notes a leap.
const runMaxStep = 0.25

// runLongest bounds a run's length (its offsets are 32-bit microseconds of stream time).
const runLongest = 30 * time.Minute

// runKinds are the frame events recorded as runs.
var runKinds = map[string]bool{KindClientReceived: true, KindClientRendered: true, KindClientDropped: true}

// runKey is what an open run is kept by.
type runKey struct{ source, kind string }

// openRun is a run still open: its index, and whether the recorder may change its Frames
// range and Samples in place. It may when it made them itself after events last left it by
// copy (Recorder.lends): nothing but the recording holds them then. Otherwise an extension
// makes new ones, as an earlier copy (a Wait's, a Select's) must keep what it holds.
type openRun struct {
	i     int
	owned int // lends+1 when the recorder made the run's Frames and Samples: 0 never
}

// mine tells whether the recorder may change o's Frames and Samples in place (under mu).
func (r *Recorder) mine(o openRun) bool { return o.owned == r.lends+1 }

// extendRun adds ev to the open run it continues, frames or samples as the kind says, and
// returns the run's index (under mu).
func (r *Recorder) extendRun(ev *Event, runs, samples bool) (int, bool) {
	switch {
	case runs:
		return r.extend(ev, ev.At)
	case samples:
		return r.extendSamples(ev)
	}
	return 0, false
}

// runExempt tells whether e leaves open runs open: frames themselves, buffer samples (a
// player records one every few hundred milliseconds) and a server's error about a session
// that never said which client it is (a handshake cut by a fault, a scanner): it is about no
// player, and no checker asks which frames came after it — ending every run at it cut all
// runs every few milliseconds in a reconnect storm of 2,000 players.
func runExempt(e *Event) bool {
	return runKinds[e.Kind] || e.Kind == KindClientBuffer || (e.Kind == KindServerError && e.Client == "")
}

// LastAt is when the last frame of the event came: Until for a run, else At.
func (e Event) LastAt() time.Duration {
	if e.Until > 0 {
		return e.Until
	}
	return e.At
}

// LastTime is the stream time of the event's last frame: EndTime for a run of frames, else
// StartTime (nil when the event has none).
func (e Event) LastTime() *float64 {
	if e.EndTime != nil {
		return e.EndTime
	}
	return e.StartTime
}

// FrameAt is when frame i of the event came: from Arrivals for a run, else At (a frame event
// without them is one moment, a tick of a player, say).
func (e Event) FrameAt(i int) time.Duration {
	if e.Frames == nil || len(e.Arrivals) == 0 {
		return e.At
	}
	j := min(max(i-e.Frames.First, 0), len(e.Arrivals)-1)
	return e.At + e.Arrivals[j]
}

// streamTime is the stream time at off microseconds after start seconds, as a player would
// have recorded it (from the duration).
func streamTime(start float64, off int32) float64 {
	return (time.Duration(math.Round(start*1e9)) + time.Duration(off)*time.Microsecond).Seconds()
}

// extend adds ev, stamped at, to the open run of its source and kind when it continues it,
// and returns the run's index when it did (under mu).
func (r *Recorder) extend(ev *Event, at time.Duration) (int, bool) {
	key := runKey{ev.Source, ev.Kind}
	o, ok := r.open[key]
	if !ok {
		return 0, false
	}
	i := o.i
	run := &r.events[i/recordChunk][i%recordChunk]
	off, ok := continues(run, ev, at)
	if !ok {
		return 0, false
	}
	if r.waiters > 0 {
		r.grew = append(r.grew, i) // a Wait under way looks at it again
	}
	if run.Arrivals == nil {
		run.Arrivals, run.Times = make([]time.Duration, 1, 8), make([]int32, 1, 8)
	}
	// Appending never changes the elements an earlier copy (an observer's, a Select's) holds.
	run.Arrivals = append(run.Arrivals, at-run.At)
	run.Times = append(run.Times, off)
	if r.mine(o) {
		run.Frames.Last = ev.Frames.Last
	} else { // the first Range is the actor's, and a copy may hold a later one
		run.Frames = &Range{First: run.Frames.First, Last: ev.Frames.Last}
		r.open[key] = openRun{i: i, owned: r.lends + 1}
	}
	run.Until, run.EndTime = at, ev.StartTime
	return i, true
}

// endRuns ends the open runs ev concerns: its player's, or all (under mu).
func (r *Recorder) endRuns(ev *Event) {
	who := runOwner(ev, r.receivers)
	if who == "" {
		clear(r.open)
		return
	}
	for k := range runKinds {
		delete(r.open, runKey{who, k})
	}
	delete(r.open, runKey{who, KindClientBuffer})
}

// continues tells whether ev, stamped at, is the next frame of run, and its stream time's
// offset in the run.
func continues(run, ev *Event, at time.Duration) (int32, bool) {
	lastAt, lastTime := run.At, run.StartTime
	if run.Until > 0 {
		lastAt = run.Until
	}
	if run.EndTime != nil {
		lastTime = run.EndTime
	}
	if ev.Frames == nil || run.Frames == nil || ev.StartTime == nil || run.StartTime == nil ||
		ev.Frames.First != run.Frames.Last+1 || ev.Frames.Last != ev.Frames.First || ev.EndTime != nil || ev.Until != 0 || ev.Arrivals != nil ||
		(run.Arrivals == nil && run.Frames.Last != run.Frames.First) ||
		ev.Conn != run.Conn || ev.Stream != run.Stream || at < lastAt || at-lastAt > runGap || at-run.At > runLongest ||
		!plainFrame(ev) || !plainFrame(run) {
		return 0, false
	}
	if step := *ev.StartTime - *lastTime; step <= 0 || step > runMaxStep {
		return 0, false
	}
	d := time.Duration(math.Round(*ev.StartTime*1e9)) - time.Duration(math.Round(*run.StartTime*1e9))
	if d%time.Microsecond != 0 || d/time.Microsecond > math.MaxInt32 {
		return 0, false
	}
	off := int32(d / time.Microsecond)
	if streamTime(*run.StartTime, off) != *ev.StartTime {
		return 0, false // not exactly representable: an event of its own
	}
	return off, true
}

// plainFrame tells whether a frame event says nothing but which frames came when: only such
// events join a run (a dropped frame with a message, say, stays an event of its own).
func plainFrame(e *Event) bool { return saysOnly(e, true, false) }

// saysOnly tells whether e carries nothing besides its identity (source, kind, connection,
// stream) and, as asked, a frame run's fields or a buffer sample's: the one list of every
// other field, for frames and samples alike.
func saysOnly(e *Event, frameFields, sampleFields bool) bool {
	return (frameFields || e.Frames == nil && e.StartTime == nil && e.Until == 0 && e.EndTime == nil && e.Arrivals == nil && e.Times == nil) &&
		(sampleFields || e.BufferLength == 0 && e.Playhead == 0 && e.BytesIn == 0 && e.Samples == nil) &&
		e.Code == "" && e.Client == "" && !e.SelfClosed && e.Session == "" && e.Transition == "" && e.Offset == nil &&
		e.OldStream == "" && e.Playlist == nil && e.Count == 0 && e.FPS == 0 && e.GOP == 0 && e.BytesOut == 0 &&
		e.Strikes == 0 && e.Kbps == 0 && e.Latency == 0 && e.Fault == "" && e.Route == "" && e.Target == "" &&
		e.Command == "" && e.Start == nil && e.Media == nil && e.Prev == nil && e.App == "" && e.ClosedBy == "" && e.Message == ""
}

// receivingRoles are the roles (a lab.client event's Message) whose clients only receive: a
// player or viewer's events are about itself from its first, before it has recorded a frame
// (in a storm of 2,000 players connecting, each one's connect otherwise ended every run).
var receivingRoles = map[string]bool{"player": true, "viewer": true}

// noteReceiver adds e's source to receivers when e says it receives: a frame of its own, or
// its role.
func noteReceiver(e *Event, receivers map[string]bool) {
	if runKinds[e.Kind] || (e.Kind == KindLabClient && receivingRoles[e.Message]) {
		receivers[e.Source] = true
	}
}

// runOwner is the receiving client an event is about when it is one (a client's own event or
// end, or a server's about the connection that declared itself that client), else "": an event
// about a player ends (and cuts) that player's runs only; any other (a fault, a publish, a
// publisher's status) ends every run.
func runOwner(e *Event, receivers map[string]bool) string {
	var who string
	switch {
	case strings.HasPrefix(e.Kind, ClientPrefix):
		who = e.Source
	case strings.HasPrefix(e.Kind, ServerPrefix):
		who = e.Client
	case e.Kind == KindActorEnd:
		who = e.Source // 2,000 players ending one after another cut every run
	}
	if receivers[who] {
		return who
	}
	return ""
}

// splitRuns cuts every run of evs (sorted by time) at the time of every event that ends it
// (see runOwner) and falls inside it: the frames that came after such an event are a run of
// their own. It returns evs, sorted, with the pieces in place of the runs.
func splitRuns(evs []Event) []Event {
	receivers := map[string]bool{}
	for i := range evs {
		noteReceiver(&evs[i], receivers)
	}
	var all []time.Duration
	own := map[string][]time.Duration{}
	for i := range evs {
		e := &evs[i]
		if runExempt(e) {
			continue
		}
		if who := runOwner(e, receivers); who != "" {
			own[who] = append(own[who], e.At)
		} else {
			all = append(all, e.At)
		}
	}
	// The runs to cut and where, first, so that the pieces' slice is made once: grown as they
	// came, it copied 500-byte events over and over (half of this function's time after 2,000
	// players).
	type toCut struct {
		i    int
		cuts []time.Duration
	}
	var runs []toCut
	most := 0
	for i := range evs {
		e := &evs[i]
		if len(e.Arrivals) < 2 {
			continue
		}
		// A new slice: within's are views of all and own, which later runs read again.
		cuts := slices.Concat(within(all, e.At, e.Until), within(own[e.Source], e.At, e.Until))
		if len(cuts) == 0 {
			continue
		}
		slices.Sort(cuts)
		runs = append(runs, toCut{i, cuts})
		most += len(cuts)
	}
	if len(runs) == 0 {
		return evs
	}
	pieces := make([]Event, 0, most)
	for _, c := range runs {
		evs[c.i], pieces = evs[c.i].cut(c.cuts, pieces)
	}
	return mergePieces(evs, pieces)
}

// mergePieces puts pieces into evs, which is in order, where a stable sort of both would
// (after the events of evs at the same time and arrival): it sorts the pieces, then merges
// from the back into evs's spare room, so each event moves at most once and in sequence.
// Appending the pieces and sorting the whole history again moved nearly every event, in
// cycles across it (half the time of taking a 2,000-player history).
func mergePieces(evs, pieces []Event) []Event {
	sortEvents(pieces)
	n := len(evs)
	evs = slices.Grow(evs, len(pieces))[:n+len(pieces)]
	i, j := n-1, len(pieces)-1
	for k := len(evs) - 1; j >= 0; k-- {
		if i >= 0 && after(evs[i], pieces[j]) {
			evs[k] = evs[i]
			i--
		} else {
			evs[k] = pieces[j]
			j--
		}
	}
	return evs
}

// after tells whether a comes after b in a history.
func after(a, b Event) bool { return inOrder(a.At, a.Seq, b.At, b.Seq) > 0 }

// inOrder compares two events' places in a history: by time, then by arrival (Seq).
func inOrder(at1 time.Duration, seq1 int, at2 time.Duration, seq2 int) int {
	return cmp.Or(cmp.Compare(at1, at2), cmp.Compare(seq1, seq2))
}

// within is the part of the sorted times ts after from and before until.
func within(ts []time.Duration, from, until time.Duration) []time.Duration {
	i := sort.Search(len(ts), func(i int) bool { return ts[i] > from })
	j := sort.Search(len(ts), func(j int) bool { return ts[j] >= until })
	if i >= j {
		return nil
	}
	return ts[i:j]
}

// cut splits a run at each time of cuts (sorted, from after its start) inside it: frames that
// came at or before a cut stay before it. It returns the first part, and rest with the others
// appended.
func (e Event) cut(cuts []time.Duration, rest []Event) (Event, []Event) {
	var head Event
	from := 0
	for _, c := range cuts {
		if c >= e.Until {
			break
		}
		j := sort.Search(len(e.Arrivals), func(j int) bool { return e.At+e.Arrivals[j] > c })
		if j > from && j < len(e.Arrivals) {
			if from == 0 {
				head = e.slice(0, j)
			} else {
				rest = append(rest, e.slice(from, j))
			}
			from = j
		}
	}
	if from == 0 {
		return e.slice(0, len(e.Arrivals)), rest
	}
	return head, append(rest, e.slice(from, len(e.Arrivals)))
}

// slice is the run of frames from..to-1 (places in the run) as an event of its own.
func (e Event) slice(from, to int) Event {
	p := e
	first := e.Frames.First + from
	p.Frames = &Range{First: first, Last: first + to - 1 - from}
	p.At = e.At + e.Arrivals[from]
	start := streamTime(*e.StartTime, e.Times[from])
	p.StartTime = &start
	p.Arrivals, p.Times, p.Until, p.EndTime = nil, nil, 0, nil
	if to-from > 1 {
		end := streamTime(*e.StartTime, e.Times[to-1])
		p.Until, p.EndTime = e.At+e.Arrivals[to-1], &end
		p.Arrivals, p.Times = make([]time.Duration, 0, to-from), make([]int32, 0, to-from)
		for j := from; j < to; j++ {
			p.Arrivals = append(p.Arrivals, e.Arrivals[j]-e.Arrivals[from])
			p.Times = append(p.Times, e.Times[j]-e.Times[from])
		}
	}
	return p
}

// sortEvents orders events by time, then by arrival in the recorder, keeping the order of
// events alike in both (a stable sort). It sorts their keys and moves each event once, in
// place: sorting the events themselves copied 450 bytes at every comparison and swap (0.2 s
// of a 2,000-player run's checking). A history already in order is left as it is.
func sortEvents(evs []Event) {
	type key struct {
		at  time.Duration
		seq int
		i   int // where the event is: ties keep their order
	}
	keys := make([]key, len(evs))
	for i := range evs {
		keys[i] = key{evs[i].At, evs[i].Seq, i}
	}
	byTime := func(a, b key) int { return cmp.Or(inOrder(a.at, a.seq, b.at, b.seq), cmp.Compare(a.i, b.i)) }
	if slices.IsSortedFunc(keys, byTime) {
		return
	}
	slices.SortFunc(keys, byTime)
	// keys[j].i is the event that goes to j: follow each cycle of the permutation once.
	for j := range keys {
		if keys[j].i < 0 || keys[j].i == j {
			continue
		}
		held := evs[j]
		at := j
		for {
			from := keys[at].i
			keys[at].i = -1
			if from == j {
				evs[at] = held
				break
			}
			evs[at] = evs[from]
			at = from
		}
	}
}

// Compact is h recorded again with its frames as runs: its events, in the order they were
// recorded and at their times, through a Recorder (a history recorded with every frame an
// event of its own, by KeepEveryFrame or by an older build, comes out as this build records).
func Compact(h *History) *History {
	evs := slices.Clone(h.Events)
	slices.SortStableFunc(evs, func(a, b Event) int { return a.Seq - b.Seq })
	rec := NewRecorder(nil, h.Scenario)
	for _, e := range evs {
		rec.RecordAt(rec.Start().Add(e.At), e)
	}
	out := rec.History()
	out.Version, out.Start = h.Version, h.Start
	return out
}
