// Package check holds the checkers: pure functions from a History and parameters to a
// Verdict. They never look at anything but the history, so they are unit-tested on
// hand-written histories and re-runnable offline on a saved history.json.
package check

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
)

// Status is a checker's outcome.
type Status string

// Outcomes of a checker.
const (
	Pass    Status = "pass"
	Fail    Status = "fail"
	Unknown Status = "unknown" // a prerequisite is missing; neither pass nor fail
)

// Verdict is one checker's result.
type Verdict struct {
	// Checker is the checker's YAML name.
	Checker string `json:"checker"`
	// Subject is what was checked (a client name).
	Subject string `json:"subject"`
	// Status is pass, fail or unknown.
	Status Status `json:"status"`
	// Message says why, naming the first offending frame or event.
	Message string `json:"message"`
	// Evidence lists the exact frames or events behind the verdict.
	Evidence []string `json:"evidence,omitempty"`
}

// String formats the verdict on one line.
func (v Verdict) String() string {
	return fmt.Sprintf("%s(%s): %s: %s", v.Checker, v.Subject, v.Status, v.Message)
}

// fail makes v a failure: the first problem is the message (with a count of the others),
// the problems then the evidence are the evidence.
func fail(v Verdict, problems, evidence []string) Verdict {
	v.Status, v.Message = Fail, problems[0]
	if len(problems) > 1 {
		v.Message += fmt.Sprintf(" (and %d more problems)", len(problems)-1)
	}
	v.Evidence = limit(append(problems, evidence...))
	return v
}

// conclude is a failure when there are problems, otherwise a pass with the message; the
// evidence backs either.
func conclude(v Verdict, problems, evidence []string, pass string) Verdict {
	if len(problems) > 0 {
		return fail(v, problems, evidence)
	}
	v.Status, v.Message, v.Evidence = Pass, pass, limit(evidence)
	return v
}

// faultStart is the named fault's fault.start event, or nil when it never started.
func faultStart(h *history.History, name string) *history.Event {
	for _, e := range h.Events {
		if e.Kind == history.KindFaultStart && e.Fault == name {
			return &e
		}
	}
	return nil
}

// firstAfter is the first of evs later than t, or nil.
func firstAfter(evs []history.Event, t time.Duration) *history.Event {
	for _, e := range evs {
		if e.At > t {
			return &e
		}
	}
	return nil
}

// maxEvidence bounds the evidence lines of a verdict.
const maxEvidence = 10

// Run applies every checker the scenario expects, in order.
func Run(h *history.History, s *scenario.Scenario) []Verdict {
	out := make([]Verdict, 0, len(s.Expect))
	for _, e := range s.Expect {
		switch {
		case e.ResumesAtOffset != nil:
			out = append(out, ResumesAtOffset(h, e.ResumesAtOffset.Client, *e.ResumesAtOffset.MinResumes))
		case e.PlaysToEnd != nil:
			out = append(out, PlaysToEnd(h, e.PlaysToEnd.Client, e.PlaysToEnd.Within.D()))
		case e.Reconnects != nil:
			out = append(out, Reconnects(h, e.Reconnects.Client, e.Reconnects.Count))
		case e.StallDetected != nil:
			p := e.StallDetected
			out = append(out, StallDetected(h, p.Client, p.Fault, p.Within.D()))
		case e.BandwidthMeasured != nil:
			p := e.BandwidthMeasured
			out = append(out, BandwidthMeasured(h, p.Client, p.Kbps, *p.Tolerance))
		case e.PlaylistRebuilt != nil:
			out = append(out, PlaylistRebuilt(h, e.PlaylistRebuilt.Client))
		case e.OldConnectionClosedAfterAttach != nil:
			out = append(out, OldConnectionClosedAfterAttach(h, e.OldConnectionClosedAfterAttach.Client))
		case e.StatusReceived != nil:
			out = append(out, StatusReceived(h, e.StatusReceived.Client, e.StatusReceived.Code))
		case e.RepublishesAfterZeroBitrate != nil:
			p := *e.RepublishesAfterZeroBitrate
			var interval time.Duration
			tries := 0
			if c := s.Client(p.Client); c != nil && c.BitrateCheck != nil {
				interval, tries = c.BitrateCheck.Interval.D(), c.BitrateCheck.MaxTries
			}
			out = append(out, RepublishesAfterZeroBitrate(h, p, interval, tries))
		case e.RestorePolicy != nil:
			var r scenario.Restore
			if c := s.Client(e.RestorePolicy.Client); c != nil && c.Restore != nil {
				r = *c.Restore
			}
			out = append(out, RestorePolicy(h, e.RestorePolicy.Client, r))
		case e.NoRestoreAfterManualStop != nil:
			out = append(out, NoRestoreAfterManualStop(h, e.NoRestoreAfterManualStop.Client))
		case e.DeadPeerDetected != nil:
			p := e.DeadPeerDetected
			out = append(out, DeadPeerDetected(h, p.Client, p.Fault, p.Within.D()))
		case e.LiveResumes != nil:
			out = append(out, LiveResumes(h, e.LiveResumes.Client, e.LiveResumes.Within.D(), e.LiveResumes.MinPublishes))
		}
	}
	return out
}

func sec(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }

func of(client, kind string) func(history.Event) bool {
	return func(e history.Event) bool { return e.Source == client && e.Kind == kind }
}

// streamInfo returns the length and frame rate the lab recorded for a stream (0 when unknown).
func streamInfo(h *history.History, stream string) (frames, fps int) {
	for _, e := range h.Events {
		if e.Kind == history.KindStream && e.Stream == stream {
			return e.Count, e.FPS
		}
	}
	return 0, 0
}

// ResumesAtOffset checks Stream Reconnect for one client: the frames it rendered, per stream,
// are strictly consecutive from the first frame it received (no gap, no duplicate), at least
// minResumes resumes happened, and for each resume the server's x-soffset equals the offset the
// client requested within one frame and the server served from at or before it.
func ResumesAtOffset(h *history.History, client string, minResumes int) Verdict {
	v := Verdict{Checker: scenario.CheckResumesAtOffset, Subject: client}
	runs := h.Filter(of(client, history.KindClientRendered))
	if len(runs) == 0 {
		v.Status, v.Message = Unknown, client+" rendered no frame"
		return v
	}
	var problems []string
	var dups *dupRun // consecutive duplicates are reported as one run
	flushDups := func() {
		if dups != nil {
			problems = append(problems, dups.String())
			dups = nil
		}
	}
	last := map[string]int{}                   // per stream: the highest frame shown so far
	seen := map[string]map[int]time.Duration{} // per stream: when each frame was first shown
	for _, e := range h.Filter(of(client, history.KindClientReceived)) {
		if _, ok := last[e.Stream]; !ok && e.Frames != nil {
			last[e.Stream] = e.Frames.First - 1 // rendering must start at the first frame received
		}
	}
	var prev *history.Event // the previous run, for stream-time continuity across items
	for _, r := range runs {
		if r.Frames == nil {
			continue
		}
		if prev != nil && prev.Stream != r.Stream && prev.StartTime != nil && r.StartTime != nil {
			if p := itemChange(h, *prev, r); p != "" {
				problems = append(problems, p)
			}
		}
		prev = &r
		if seen[r.Stream] == nil {
			seen[r.Stream] = map[int]time.Duration{}
		}
		for i := r.Frames.First; i <= r.Frames.Last; i++ {
			prev, started := last[r.Stream]
			first, dup := seen[r.Stream][i]
			if dup && dups != nil && dups.stream == r.Stream && dups.last+1 == i {
				dups.last = i
			} else {
				flushDups()
				switch {
				case dup:
					dups = &dupRun{stream: r.Stream, first: i, last: i, firstAt: first, againAt: r.At}
				case started && i > prev+1:
					problems = append(problems, fmt.Sprintf("frames %s of %s never rendered: jumped from %d to %d at %s",
						span(prev+1, i-1), r.Stream, prev, i, sec(r.At)))
				case started && i <= prev:
					problems = append(problems, fmt.Sprintf("frame %d of %s rendered out of order after %d at %s", i, r.Stream, prev, sec(r.At)))
				}
			}
			if !dup {
				seen[r.Stream][i] = r.At
			}
			if !started || i > prev {
				last[r.Stream] = i
			}
		}
	}
	flushDups()

	resumes := Resumes(h, client)
	if len(resumes) < minResumes {
		problems = append(problems, fmt.Sprintf("expected at least %d resume(s), %s made %d", minResumes, client, len(resumes)))
	}
	var evidence []string
	for i, rs := range resumes {
		rq, srv := rs.Request, rs.Served
		if rq.Offset == nil {
			continue
		}
		if srv == nil && retried(resumes, i) {
			evidence = append(evidence, fmt.Sprintf("resume at %s (offset %.3fs) was lost with its connection; a later resume was served", sec(rq.At), *rq.Offset))
			continue
		}
		if srv == nil {
			problems = append(problems, fmt.Sprintf("resume requested at %s (offset %.3fs) never reached a server", sec(rq.At), *rq.Offset))
			continue
		}
		_, fps := streamInfo(h, rq.Stream)
		tol := 0.040
		if fps > 0 {
			tol = 1 / float64(fps)
		}
		evidence = append(evidence, fmt.Sprintf("resume at %s: requested offset %.3fs, server x-soffset %.3fs, served from frame %d (%.3fs)",
			sec(rq.At), *rq.Offset, deref(srv.Offset), srv.Frames.First, deref(srv.StartTime)))
		if math.Abs(deref(srv.Offset)-*rq.Offset) > tol+1e-9 {
			problems = append(problems, fmt.Sprintf("server x-soffset %.3fs differs from the requested offset %.3fs by more than one frame (%.3fs)",
				deref(srv.Offset), *rq.Offset, tol))
		}
		if deref(srv.StartTime) > *rq.Offset+1e-9 {
			problems = append(problems, fmt.Sprintf("server served from %.3fs, after the requested offset %.3fs (frames in between are lost)",
				deref(srv.StartTime), *rq.Offset))
		}
	}
	if len(problems) > 0 {
		return fail(v, problems, evidence)
	}
	total := 0
	for _, m := range seen {
		total += len(m)
	}
	v.Status = Pass
	v.Message = fmt.Sprintf("%d frames rendered with no gap and no duplicate across %d resume(s)", total, len(resumes))
	v.Evidence = limit(evidence)
	return v
}

// itemChange checks that stream time runs on by exactly one frame where the rendered stream
// changes (a playlist item boundary, a switch); it returns the problem or "".
func itemChange(h *history.History, prev, next history.Event) string {
	_, fps := streamInfo(h, prev.Stream)
	if fps <= 0 {
		return ""
	}
	frame := 1 / float64(fps)
	lastTs := *prev.StartTime + float64(prev.Frames.Last-prev.Frames.First)*frame
	want := lastTs + frame
	diff := *next.StartTime - want
	if math.Abs(diff) <= 0.0015 {
		return ""
	}
	what := "skipped"
	if diff < 0 {
		what, diff = "repeated", -diff
	}
	return fmt.Sprintf("stream time %s %.0f ms where %s frame %d (%.3fs) gave way to %s frame %d (%.3fs) at %s",
		what, diff*1000, prev.Stream, prev.Frames.Last, lastTs, next.Stream, next.Frames.First, *next.StartTime, sec(next.At))
}

// Resume pairs a client's play2 resume with the server's access-log entry that served it.
type Resume struct {
	// Request is the client's play.request with transition resume.
	Request history.Event
	// Served is the server's play event for it; nil when no server saw the request.
	Served *history.Event
}

// Resumes lists the client's resume requests in order, each paired with the server resume
// that served it: every server resume of the stream (or of a playlist ending with it) takes
// the latest request at or before it that is still unpaired and asked for the offset the
// server logged (failing that, the latest unpaired one). A request lost with its
// connection (the drop came before the server read it) stays unpaired, and a later resume
// is not mistaken for its answer. (Pairing is by stream and time: two clients resuming one
// stream at the same instant could be crossed.)
func Resumes(h *history.History, client string) []Resume {
	var out []Resume
	for _, rq := range h.Filter(func(e history.Event) bool {
		return e.Source == client && e.Kind == history.KindClientPlay && e.Transition == "resume"
	}) {
		out = append(out, Resume{Request: rq})
	}
	for _, e := range h.Events {
		if e.Kind != history.KindServerPlay || e.Transition != "resume" || e.Frames == nil {
			continue
		}
		pick := -1
		for i := len(out) - 1; i >= 0; i-- {
			rq := out[i].Request
			if out[i].Served != nil || rq.At > e.At || (e.Stream != rq.Stream && lastItem(e.Playlist) != rq.Stream) {
				continue
			}
			if pick < 0 {
				pick = i // the latest candidate…
			}
			if math.Abs(deref(rq.Offset)-deref(e.Offset)) < 0.0005 {
				pick = i // …unless one asked for exactly the offset the server logged
				break
			}
		}
		if pick >= 0 {
			ev := e
			out[pick].Served = &ev
		}
	}
	return out
}

// retried tells whether an unserved resume i was followed by a served one: it was lost with
// its connection and the client recovered.
func retried(rs []Resume, i int) bool {
	for _, r := range rs[i+1:] {
		if r.Served != nil {
			return true
		}
	}
	return false
}

// lastItem is a playlist's last stream ("" when empty): the stream a resume names.
func lastItem(pl []string) string {
	if len(pl) == 0 {
		return ""
	}
	return pl[len(pl)-1]
}

func deref(f *float64) float64 {
	if f == nil {
		return math.NaN()
	}
	return *f
}

// dupRun is a run of consecutive frames rendered a second time.
type dupRun struct {
	stream           string
	first, last      int
	firstAt, againAt time.Duration
}

func (d *dupRun) String() string {
	if d.first == d.last {
		return fmt.Sprintf("frame %d of %s rendered twice: first at %s, again at %s", d.first, d.stream, sec(d.firstAt), sec(d.againAt))
	}
	return fmt.Sprintf("frames %d..%d of %s rendered twice: frame %d first at %s, again at %s",
		d.first, d.last, d.stream, d.first, sec(d.firstAt), sec(d.againAt))
}

func span(a, b int) string {
	if a == b {
		return fmt.Sprint(a)
	}
	return fmt.Sprintf("%d..%d", a, b)
}

func limit(lines []string) []string {
	if len(lines) <= maxEvidence {
		return lines
	}
	return append(lines[:maxEvidence:maxEvidence], fmt.Sprintf("... %d more", len(lines)-maxEvidence))
}

// PlaysToEnd checks that the client rendered the last frame of the stream it played before
// within (time since the start of the run).
func PlaysToEnd(h *history.History, client string, within time.Duration) Verdict {
	v := Verdict{Checker: scenario.CheckPlaysToEnd, Subject: client}
	plays := h.Filter(of(client, history.KindClientPlay))
	if len(plays) == 0 {
		v.Status, v.Message = Unknown, client+" sent no play request"
		return v
	}
	stream := plays[0].Stream
	if pl := plays[len(plays)-1].Playlist; len(pl) > 0 {
		stream = pl[len(pl)-1] // the last item of the playlist as the client last knew it
	} else if plays[len(plays)-1].Transition == "stop" {
		v.Status, v.Message = Unknown, client+" stopped its playlist; there is no end to reach"
		return v
	}
	frames, _ := streamInfo(h, stream)
	if frames <= 0 {
		v.Status, v.Message = Unknown, fmt.Sprintf("the history does not say how long %s is", stream)
		return v
	}
	lastFrame := frames - 1
	highest, highestAt := -1, time.Duration(0)
	for _, r := range h.Filter(of(client, history.KindClientRendered)) {
		if r.Stream != stream || r.Frames == nil {
			continue
		}
		if r.Frames.Last > highest {
			highest, highestAt = r.Frames.Last, r.At
		}
		if r.Frames.First <= lastFrame && lastFrame <= r.Frames.Last {
			if r.At > within {
				v.Status = Fail
				v.Message = fmt.Sprintf("%s rendered the last frame %d of %s at %s, after the deadline %s", client, lastFrame, stream, sec(r.At), sec(within))
				return v
			}
			v.Status = Pass
			v.Message = fmt.Sprintf("last frame %d of %s rendered at %s (deadline %s)", lastFrame, stream, sec(r.At), sec(within))
			return v
		}
	}
	v.Status = Fail
	if highest < 0 {
		v.Message = fmt.Sprintf("%s never rendered a frame of %s", client, stream)
	} else {
		v.Message = fmt.Sprintf("%s never rendered the last frame %d of %s; the highest was %d at %s", client, lastFrame, stream, highest, sec(highestAt))
	}
	for _, e := range h.Filter(func(e history.Event) bool { return e.Source == client && e.Kind == history.KindActorEnd }) {
		v.Evidence = append(v.Evidence, fmt.Sprintf("%s ended at %s: %s", client, sec(e.At), e.Message))
	}
	return v
}

// Reconnects checks that the client resumed exactly count times.
func Reconnects(h *history.History, client string, count int) Verdict {
	v := Verdict{Checker: scenario.CheckReconnects, Subject: client}
	if len(h.Filter(of(client, history.KindClientPlay))) == 0 {
		v.Status, v.Message = Unknown, client+" sent no play request"
		return v
	}
	var at []string
	for _, r := range Resumes(h, client) {
		at = append(at, sec(r.Request.At))
	}
	v.Evidence = limit(at)
	if len(at) != count {
		v.Status = Fail
		v.Message = fmt.Sprintf("%s resumed %d time(s), expected %d", client, len(at), count)
		if len(at) > 0 {
			v.Message += " (at " + strings.Join(at, ", ") + ")"
		}
		return v
	}
	v.Status = Pass
	v.Message = fmt.Sprintf("%s resumed %d time(s) as expected", client, count)
	return v
}

// StallDetected checks that the client's stall monitor gave up on a dark link within `within`
// of the named fault's start (the link going dark), and that a newer connection followed.
func StallDetected(h *history.History, client, faultName string, within time.Duration) Verdict {
	v := Verdict{Checker: scenario.CheckStallDetected, Subject: client}
	start := faultStart(h, faultName)
	if start == nil {
		v.Status, v.Message = Unknown, fmt.Sprintf("fault %s never started", faultName)
		return v
	}
	for _, e := range h.Events {
		if e.Source != client || e.Kind != history.KindClientStall || e.At < start.At {
			continue
		}
		delay := e.At - start.At
		v.Evidence = []string{fmt.Sprintf("%s started at %s; stall detected at %s on connection %d (%s)", faultName, sec(start.At), sec(e.At), e.Conn, e.Message)}
		if delay > within {
			v.Status = Fail
			v.Message = fmt.Sprintf("stall detected %s after %s started, later than %s", sec(delay), faultName, sec(within))
			return v
		}
		v.Status = Pass
		v.Message = fmt.Sprintf("stall detected %s after %s started (limit %s)", sec(delay), faultName, sec(within))
		return v
	}
	v.Status = Fail
	v.Message = fmt.Sprintf("%s never detected the stall that %s caused (at %s)", client, faultName, sec(start.At))
	for _, e := range h.Filter(func(e history.Event) bool {
		return e.Source == client && e.Kind == history.KindClientStatus && e.At >= start.At
	}) {
		v.Evidence = append(v.Evidence, fmt.Sprintf("%s %s %s", sec(e.At), e.Code, e.Message))
	}
	v.Evidence = limit(v.Evidence)
	return v
}

// BandwidthMeasured checks that the server's bandwidth check, as the client received it in
// onBWDone, is within tolerance (relative) of the expected kbps.
func BandwidthMeasured(h *history.History, client string, kbps, tolerance float64) Verdict {
	v := Verdict{Checker: scenario.CheckBandwidth, Subject: client}
	got := h.Filter(of(client, history.KindClientBW))
	if len(got) == 0 {
		v.Status, v.Message = Fail, client+" received no onBWDone (no bandwidth check completed)"
		return v
	}
	m := got[0]
	v.Evidence = []string{fmt.Sprintf("onBWDone at %s: %.0f kbps, latency %s", sec(m.At), m.Kbps, m.Latency)}
	lo, hi := kbps*(1-tolerance), kbps*(1+tolerance)
	if m.Kbps < lo || m.Kbps > hi {
		v.Status = Fail
		v.Message = fmt.Sprintf("measured %.0f kbps, outside %.0f..%.0f (%.0f kbps ±%.0f%%)", m.Kbps, lo, hi, kbps, tolerance*100)
		return v
	}
	v.Status = Pass
	v.Message = fmt.Sprintf("measured %.0f kbps, within ±%.0f%% of %.0f kbps", m.Kbps, tolerance*100, kbps)
	return v
}

// PlaylistRebuilt checks Stream Reconnect for playlists: at every resume the server's
// playlist equals the client's (same items, same order), the client re-added the earlier
// items with appendAndWait, and the server streamed nothing on that session before the resume.
func PlaylistRebuilt(h *history.History, client string) Verdict {
	v := Verdict{Checker: scenario.CheckPlaylistRebuilt, Subject: client}
	resumes := Resumes(h, client)
	if len(resumes) == 0 {
		v.Status, v.Message = Fail, client+" never resumed, so no playlist was rebuilt"
		return v
	}
	var problems, evidence []string
	for i, rs := range resumes {
		rq := rs.Request
		if rs.Served == nil && retried(resumes, i) {
			evidence = append(evidence, fmt.Sprintf("rebuild on connection %d at %s was lost with its connection; a later one was served", rq.Conn, sec(rq.At)))
			continue
		}
		var calls []string
		for _, e := range h.Filter(of(client, history.KindClientPlay)) {
			if e.Conn != rq.Conn || e.At > rq.At {
				continue
			}
			calls = append(calls, e.Transition+" "+e.Stream)
			if e.Seq != rq.Seq && e.Transition != "appendAndWait" {
				problems = append(problems, fmt.Sprintf("rebuild on connection %d re-added %s with %s at %s (appendAndWait streams nothing; %s streams at once)",
					rq.Conn, e.Stream, e.Transition, sec(e.At), e.Transition))
			}
		}
		if rs.Served == nil {
			problems = append(problems, fmt.Sprintf("resume at %s never reached a server", sec(rq.At)))
			continue
		}
		srv := *rs.Served
		evidence = append(evidence, fmt.Sprintf("connection %d at %s: %s -> %s session %s playlist [%s], client [%s]",
			rq.Conn, sec(rq.At), strings.Join(calls, ", "), srv.Source, srv.Session, strings.Join(srv.Playlist, " "), strings.Join(rq.Playlist, " ")))
		if !slices.Equal(srv.Playlist, rq.Playlist) {
			problems = append(problems, fmt.Sprintf("after the rebuild at %s the server's playlist is [%s] but the client's is [%s]",
				sec(rq.At), strings.Join(srv.Playlist, " "), strings.Join(rq.Playlist, " ")))
		}
		for _, e := range h.Events {
			if e.Kind == history.KindServerPlay && e.Source == srv.Source && e.Session == srv.Session && e.Seq != srv.Seq && e.At <= srv.At {
				problems = append(problems, fmt.Sprintf("%s started streaming %s (%s) at %s on session %s before the resume at %s",
					srv.Source, e.Stream, e.Transition, sec(e.At), e.Session, sec(srv.At)))
			}
		}
		dropped := 0
		for _, e := range h.Filter(of(client, history.KindClientDropped)) {
			if e.Conn == rq.Conn && e.Frames != nil {
				dropped += e.Frames.Last - e.Frames.First + 1
			}
		}
		if dropped > 0 {
			evidence = append(evidence, fmt.Sprintf("connection %d: %d frames arrived again and were dropped by the splice", rq.Conn, dropped))
		}
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%d rebuild(s): the server's playlist matched the client's and nothing streamed before the resume", len(resumes)))
}

// OldConnectionClosedAfterAttach checks load-balance moves: after each client.move the new
// connection attached (Connect.Success) before the old one closed, and the resume came after
// the close.
func OldConnectionClosedAfterAttach(h *history.History, client string) Verdict {
	v := Verdict{Checker: scenario.CheckAttachThenClose, Subject: client}
	moves := h.Filter(of(client, history.KindClientMove))
	if len(moves) == 0 {
		v.Status, v.Message = Unknown, client+" made no load-balance move"
		return v
	}
	before := func(a, b history.Event) bool { return a.At < b.At || (a.At == b.At && a.Seq < b.Seq) }
	var problems, evidence []string
	for _, m := range moves {
		var resume, success, closed *history.Event
		for _, e := range h.Events {
			if e.Source != client || !before(m, e) {
				continue
			}
			switch {
			case resume == nil && e.Kind == history.KindClientPlay && e.Transition == "resume" && e.Conn != m.Conn:
				ev := e
				resume = &ev
			case closed == nil && e.Kind == history.KindClientStatus && e.Code == "NetConnection.Connect.Closed" && e.Conn == m.Conn:
				ev := e
				closed = &ev
			}
		}
		if resume == nil {
			problems = append(problems, fmt.Sprintf("no resume followed the move at %s", sec(m.At)))
			continue
		}
		for _, e := range h.Filter(of(client, history.KindClientStatus)) {
			if e.Code == "NetConnection.Connect.Success" && e.Conn == resume.Conn {
				ev := e
				success = &ev
				break
			}
		}
		switch {
		case success == nil:
			problems = append(problems, fmt.Sprintf("connection %d resumed at %s without a Connect.Success", resume.Conn, sec(resume.At)))
		case closed == nil:
			problems = append(problems, fmt.Sprintf("the old connection %d was never closed after the move at %s", m.Conn, sec(m.At)))
		case before(*closed, *success):
			problems = append(problems, fmt.Sprintf("old connection %d closed at %s, before the new connection %d attached at %s",
				m.Conn, sec(closed.At), resume.Conn, sec(success.At)))
		case before(*resume, *closed):
			problems = append(problems, fmt.Sprintf("connection %d resumed at %s while the old connection %d was still open (closed at %s)",
				resume.Conn, sec(resume.At), m.Conn, sec(closed.At)))
		default:
			evidence = append(evidence, fmt.Sprintf("move at %s: connection %d attached at %s, old connection %d closed at %s, resume at %s",
				sec(m.At), resume.Conn, sec(success.At), m.Conn, sec(closed.At), sec(resume.At)))
		}
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%d move(s): attach, then close, then resume", len(moves)))
}

// StatusReceived checks that the client received the status code.
func StatusReceived(h *history.History, client, code string) Verdict {
	v := Verdict{Checker: scenario.CheckStatusReceived, Subject: client}
	seen := map[string]bool{}
	var codes []string
	for _, e := range h.Filter(of(client, history.KindClientStatus)) {
		if e.Code == code {
			v.Status, v.Message = Pass, fmt.Sprintf("%s received %s at %s (connection %d)", client, code, sec(e.At), e.Conn)
			return v
		}
		if !seen[e.Code] {
			seen[e.Code] = true
			codes = append(codes, e.Code)
		}
	}
	v.Status = Fail
	v.Message = fmt.Sprintf("%s never received %s", client, code)
	v.Evidence = limit(codes)
	return v
}
