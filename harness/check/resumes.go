package check

import (
	"fmt"
	"math"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"
	"github.com/streamfault/streamfault/internal/wiretap"
)

// NameResumesAtOffset is the resumesAtOffset checker's YAML key.
const NameResumesAtOffset = "resumesAtOffset"

// ResumesAtOffset parameterises the resumesAtOffset checker.
type ResumesAtOffset struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// MinResumes is how many resumes must have happened (default 1).
	MinResumes *int `yaml:"minResumes" json:"minResumes,omitempty"`
}

// Default sets minResumes to 1.
func (c *ResumesAtOffset) Default(*Scope) {
	if c.MinResumes == nil {
		one := 1
		c.MinResumes = &one
	}
}

// Validate checks minResumes.
func (c *ResumesAtOffset) Validate(p spec.Problems, _ *Scope) {
	if *c.MinResumes < 0 {
		p.Add("minResumes", "must not be negative")
	}
}

// Judge applies the checker.
func (c *ResumesAtOffset) Judge(h *history.History) Verdict {
	return resumesAtOffset(h, c.Client, *c.MinResumes)
}

// resumesAtOffset checks Stream Reconnect for one client: the frames it rendered, per stream,
// are strictly consecutive from the first frame it received (no gap, no duplicate), at least
// minResumes resumes happened, and for each resume the server's x-soffset equals the offset the
// client requested within one frame and the server served from at or before it.
func resumesAtOffset(h *history.History, client string, minResumes int) Verdict {
	v := Verdict{Checker: NameResumesAtOffset, Subject: client}
	runs := h.Of(client, history.KindClientRendered)
	if len(runs) == 0 {
		v.Status, v.Message = Unknown, client+" rendered no frame"+noUsableMedia(h, client)+whyNothing(h, client)
		return v
	}
	problems, rendered := continuity(h, client, runs)
	resumes := Resumes(h, client)
	if len(resumes) > 0 && !hasAccessLog(h, serverOf(h, routeAt(h, client, resumes[0].Request.At))) {
		return servedFromClient(h, v, client, resumes, problems, minResumes, rendered)
	}
	if len(resumes) < minResumes {
		problems = append(problems, fmt.Sprintf("expected at least %d resume(s), %s made %d%s", minResumes, client, len(resumes), lossNote(h, client)))
	}
	served, evidence := servedAtOffset(h, resumes)
	return conclude(v, append(problems, served...), evidence,
		fmt.Sprintf("%d frames rendered with no gap and no duplicate across %d resume(s)", rendered, len(resumes)))
}

// continuity checks the frames a client rendered, per stream: strictly consecutive from the
// first it received (no gap, no duplicate, nothing out of order), stream time running on by
// one frame where the stream changes, and no frame sent again with other content. rendered
// is how many distinct frames were shown, over every stream.
func continuity(h *history.History, client string, runs []history.Event) (problems []string, rendered int) {
	var dups *dupRun // consecutive duplicates are reported as one run
	flushDups := func() {
		if dups != nil {
			problems = append(problems, dups.String())
			dups = nil
		}
	}
	last := map[string]int{}    // per stream: the highest frame shown so far
	seen := map[string]*shown{} // per stream: when each frame was first shown
	for _, e := range h.Of(client, history.KindClientReceived) {
		if _, ok := last[e.Stream]; !ok && e.Frames != nil {
			last[e.Stream] = e.Frames.First - 1 // rendering must start at the first frame received
		}
	}
	var prevRun *history.Event // the previous run, for stream-time continuity across items
	for _, r := range runs {
		if r.Frames == nil {
			continue
		}
		if prevRun != nil && prevRun.Stream != r.Stream && prevRun.StartTime != nil && r.StartTime != nil {
			if p := itemChange(h, *prevRun, r); p != "" {
				problems = append(problems, p)
			}
		}
		prevRun = &r
		sh := seen[r.Stream]
		if sh == nil {
			sh = &shown{}
			seen[r.Stream] = sh
		}
		top, started := last[r.Stream] // the highest frame of the stream shown so far
		for i := r.Frames.First; i <= r.Frames.Last; i++ {
			first, dup := sh.at(i)
			if dup && dups != nil && dups.stream == r.Stream && dups.last+1 == i {
				dups.last = i
			} else {
				flushDups()
				switch {
				case dup:
					dups = &dupRun{stream: r.Stream, first: i, last: i, firstAt: first, againAt: r.FrameAt(i)}
				case started && i > top+1:
					problems = append(problems, fmt.Sprintf("frames %s of %s never rendered: jumped from %d to %d at %s",
						span(top+1, i-1), r.Stream, top, i, sec(r.FrameAt(i))))
				case started && i <= top:
					problems = append(problems, fmt.Sprintf("frame %d of %s rendered out of order after %d at %s", i, r.Stream, top, sec(r.FrameAt(i))))
				}
			}
			if !dup {
				sh.show(i, r.FrameAt(i))
			}
			if !started || i > top {
				top, started = i, true
			}
		}
		if started {
			last[r.Stream] = top
		}
	}
	flushDups()
	for _, e := range h.Of(client, history.KindClientDropped) {
		if e.Message != "" && e.Frames != nil { // real media sent again with other content
			problems = append(problems, fmt.Sprintf("frame %d of %s came again on connection %d at %s with other content: %s; the server resumed other media than it had sent",
				e.Frames.First, e.Stream, e.Conn, sec(e.At), e.Message))
		}
	}
	for _, sh := range seen {
		rendered += sh.n
	}
	return problems, rendered
}

// servedAtOffset checks each resume against the access log of the server that saw it: its
// x-soffset equals the requested offset within one frame, and it served from at or before it.
func servedAtOffset(h *history.History, resumes []Resume) (problems, evidence []string) {
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
		tol := frameSeconds(h, rq.Stream)
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
	return problems, evidence
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
	if prev.EndTime != nil { // a run recorded with its last frame's time
		lastTs = *prev.EndTime
	}
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

// JudgeWire judges a process's resumes from its wire tap: each time it plays again on a new
// connection, after media was delivered on an earlier one, it must ask for the stream time it
// had really received up to (the last media timestamp delivered to it before the loss, not
// what the server wrote into a dead socket) within two frame intervals — asking for less
// replays what it has (duplicates), asking for more skips media (a gap). What it rendered is
// not visible from outside; what the server then served is evidence.
func (c *ResumesAtOffset) JudgeWire(h *history.History) Verdict {
	v := Verdict{Checker: NameResumesAtOffset, Subject: c.Client}
	var problems, evidence []string
	var held *float64 // the last media timestamp delivered on the latest connection that had any
	heldOn, resumes := 0, 0
	for _, wc := range wireConns(h, c.Client) {
		req := wc.first("play", "play2")
		if req != nil && held != nil {
			resumes++
			tol := 2 * frameSeconds(h, req.Stream)
			got, want := requested(*req), *held
			asked := fmt.Sprintf("connection %d asked at %s to play %s from %.3f s (%s)", wc.n, sec(req.At), req.Stream, got, describeRequest(*req))
			served := ""
			for _, m := range wc.media { // its first media (the tap may record it before the play: each direction is read on its own)
				if m.Message == wiretap.Down && m.Media != nil {
					served = fmt.Sprintf("; served from %.3f s", *m.Media)
					break
				}
			}
			switch {
			case got < want-tol:
				problems = append(problems, fmt.Sprintf("%s, but media up to %.3f s had been delivered to it on connection %d: it gets %.3f s again%s", asked, want, heldOn, want-got, served))
			case got > want+tol:
				problems = append(problems, fmt.Sprintf("%s, but only media up to %.3f s had been delivered to it on connection %d: %.3f s are missing%s", asked, want, heldOn, got-want, served))
			default:
				evidence = append(evidence, fmt.Sprintf("%s; media up to %.3f s had been delivered on connection %d%s", asked, want, heldOn, served))
			}
		}
		if wc.closed != nil && wc.closed.Media != nil {
			held, heldOn = wc.closed.Media, wc.n
		}
	}
	if resumes == 0 { // whatever minResumes says: a pass would rest on nothing seen
		v.Status, v.Message = Unknown, c.Client+" never played again on a new connection after media was delivered to it: there is no resume to judge"
		return v
	}
	if resumes < *c.MinResumes {
		problems = append(problems, fmt.Sprintf("%s resumed %d time(s), at least %d expected", c.Client, resumes, *c.MinResumes))
	}
	return conclude(v, problems, evidence, fmt.Sprintf("each of %d resume(s) asked for the stream time it had received", resumes))
}

// describeRequest names a play request seen on the wire.
func describeRequest(e history.Event) string {
	switch {
	case e.Command == "play2":
		s := "play2 " + e.Transition
		if e.Offset != nil {
			s += fmt.Sprintf(", offset %.3f", *e.Offset)
		}
		return s
	case e.Start != nil && *e.Start < 0:
		return fmt.Sprintf("play start %g: from the beginning or live", *e.Start)
	case e.Start != nil:
		return fmt.Sprintf("play start %.3f", *e.Start)
	}
	return "play without a start"
}

// hasAccessLog tells whether the named server keeps the reference server's access log (a
// history without lab.server events is from before other subjects existed: the reference).
func hasAccessLog(h *history.History, server string) bool {
	for _, e := range h.Kind(history.KindServer) {
		if e.Source == server {
			return e.Gives(history.AccessLog)
		}
	}
	return true
}

// servedFromClient judges the resumes against a server without an access log from what the
// client received: the first frame that arrived on each resume's connection (kept or dropped
// as a duplicate) must be at the requested offset, within one frame.
func servedFromClient(h *history.History, v Verdict, client string, resumes []Resume, problems []string, minResumes int, rendered int) Verdict {
	if len(resumes) < minResumes {
		problems = append(problems, fmt.Sprintf("expected at least %d resume(s), %s made %d%s", minResumes, client, len(resumes), lossNote(h, client)))
	}
	frames := h.Of(client, history.KindClientReceived, history.KindClientDropped)
	var evidence []string
	unserved := 0 // resumes on whose connection no frame arrived: where the server resumed is unseen
	for _, rs := range resumes {
		rq := rs.Request
		if rq.Offset == nil {
			continue
		}
		from := rq.At // a seek: what the play before it sent is not the resume
		if rq.Command == "seek" {
			for _, e := range h.Of(client, history.KindClientStatus) {
				if e.Conn == rq.Conn && e.At >= rq.At && e.Code == status.SeekNotify {
					from = e.At
					break
				}
			}
		}
		var first *history.Event
		for _, e := range frames {
			if e.Conn == rq.Conn && e.At >= from && e.StartTime != nil {
				first = &e
				break
			}
		}
		if first == nil {
			unserved++
			evidence = append(evidence, fmt.Sprintf("resume at %s (offset %.3fs): no frame arrived on connection %d", sec(rq.At), *rq.Offset, rq.Conn))
			continue
		}
		tol, gop := frameSeconds(h, rq.Stream), gopSeconds(h, rq.Stream)
		got, want := *first.StartTime, *rq.Offset
		switch {
		case got < want-tol-gop-1e-9:
			problems = append(problems, fmt.Sprintf("the server ignored the resume: served from %.3f s for offset %.3f s (resume at %s on connection %d; %.3f s sent again, dropped by %s as duplicates)",
				got, want, sec(rq.At), rq.Conn, want-got, client))
		case got > want+tol+1e-9:
			problems = append(problems, fmt.Sprintf("the server served from %.3f s for offset %.3f s (resume at %s on connection %d): %.3f s of media skipped",
				got, want, sec(rq.At), rq.Conn, got-want))
		case got < want-tol-1e-9:
			evidence = append(evidence, fmt.Sprintf("resume at %s: offset %.3fs, served from the keyframe at %.3fs on connection %d (%.3f s, %d frames, sent again and dropped)",
				sec(rq.At), want, got, rq.Conn, want-got, int((want-got)/tol+0.5)))
		default:
			evidence = append(evidence, fmt.Sprintf("resume at %s: offset %.3fs, first frame on connection %d at %.3fs", sec(rq.At), want, rq.Conn, got))
		}
	}
	served := "each served from its offset"
	if unserved > 0 {
		served = fmt.Sprintf("%d of them served from its offset, %d with no frame after it (where the server would have resumed is not seen)", len(resumes)-unserved, unserved)
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%d frames rendered with no gap and no duplicate across %d resume(s), %s (judged from what %s received: the server keeps no access log)",
		rendered, len(resumes), served, client))
}

// noUsableMedia is why a client rendered nothing when it said media arrived that it could not
// use ("" when it did not say so).
func noUsableMedia(h *history.History, client string) string {
	for _, e := range h.Of(client, history.KindClientStatus) {
		if e.Code == fakeclient.CodeNoUsableMedia {
			return fmt.Sprintf(" (connection %d at %s: %s)", e.Conn, sec(e.At), e.Message)
		}
	}
	return ""
}

// frameCount is how many frames events hold (a run holds several).
func frameCount(evs []history.Event) int {
	n := 0
	for _, e := range evs {
		if e.Frames != nil {
			n += e.Frames.Last - e.Frames.First + 1
		}
	}
	return n
}

// lossNote says why a client may have made no resume: it never connected; it lost no
// connection (with when it first connected, to set beside the faults' times); or it lost one
// and never connected again (its failed tries and its giving up, as it reported them); empty
// when it lost one and connected again.
func lossNote(h *history.History, client string) string {
	first := time.Duration(-1)
	var lost, lastTry, gaveUp *history.Event
	tries := 0
	for _, e := range h.Of(client, history.KindClientStatus) {
		switch {
		case e.Code == status.ConnectSuccess && lost != nil:
			return ""
		case e.Code == status.ConnectSuccess && first < 0:
			first = e.At
		case e.Code == status.ConnectClosed && lost == nil:
			lost = &e
		case e.Code == status.ConnectFailed && lost != nil && e.Conn == 0:
			gaveUp = &e // a player's giving up names no connection
		case e.Code == status.ConnectFailed && lost != nil:
			tries, lastTry = tries+1, &e
		}
	}
	switch {
	case lost != nil:
		note := fmt.Sprintf(" (it lost connection %d at %s and never connected again", lost.Conn, sec(lost.At))
		if tries > 0 {
			note += fmt.Sprintf(": %d tries failed, the last at %s: %s", tries, sec(lastTry.At), lastTry.Message)
		}
		if gaveUp != nil {
			note += "; " + gaveUp.Message
		}
		return note + ")"
	case first < 0:
		return " (it never connected)"
	}
	return fmt.Sprintf(" (it lost no connection; it connected at %s)", sec(first))
}
