package check

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/scenario"
)

// schedTolerance absorbs timer scheduling in timing checks.
const schedTolerance = 60 * time.Millisecond

// RepublishesAfterZeroBitrate checks WCS's bitrate check on a publisher: the stall (the last
// check that still saw bytes leave) is followed by the detection exactly maxTries intervals
// later — so between interval×maxTries and interval×(maxTries+1) after the bytes stopped —
// then by a new publish on the server (with codec, when set), and, when viewer is set, by
// frames at the viewer within `within` of that publish.
func RepublishesAfterZeroBitrate(h *history.History, p scenario.Republishes, interval time.Duration, maxTries int) Verdict {
	v := Verdict{Checker: scenario.CheckRepublishes, Subject: p.Client}
	zeros := h.Filter(of(p.Client, history.KindClientZero))
	if len(zeros) == 0 {
		v.Status, v.Message = Fail, p.Client+"'s bitrate check never detected a zero bitrate"
		var deltas []string
		for _, e := range h.Filter(of(p.Client, history.KindClientBitrate)) {
			deltas = append(deltas, fmt.Sprintf("%s: %d bytes", sec(e.At), e.BytesOut))
		}
		if len(deltas) == 0 {
			deltas = []string{"no bitrate check ran"}
		}
		v.Evidence = limit(deltas)
		return v
	}
	var problems, evidence []string
	for _, z := range zeros {
		var lastData *history.Event
		for _, e := range h.Filter(of(p.Client, history.KindClientBitrate)) {
			if e.At < z.At && e.BytesOut > 0 {
				ev := e
				lastData = &ev
			}
		}
		if lastData == nil {
			problems = append(problems, fmt.Sprintf("zero bitrate detected at %s with no earlier check that saw data", sec(z.At)))
			continue
		}
		lag := z.At - lastData.At
		want := interval * time.Duration(maxTries)
		strikes := 0
		for _, e := range h.Filter(of(p.Client, history.KindClientBitrate)) {
			if e.At > lastData.At && e.At <= z.At && e.BytesOut == 0 {
				strikes++
			}
		}
		line := fmt.Sprintf("last bytes seen by the check at %s, detection at %s: %s and %d empty checks after (interval %v × maxTries %d = %v)",
			sec(lastData.At), sec(z.At), sec(lag), strikes, interval, maxTries, want)
		// The checks run on a fixed grid, so only the wake-up delays of the two ends count;
		// a busy machine (race detector, parallel specs) can delay one by tens of ms.
		tol := max(schedTolerance, interval/5)
		if strikes != maxTries || lag < want-tol || lag > want+tol {
			problems = append(problems, "detection off schedule: "+line)
			continue
		}
		evidence = append(evidence, line)
		var pub *history.Event
		for _, e := range h.Events {
			if e.Kind == history.KindServerPublish && e.Stream == streamOf(h, p.Client) && e.At > z.At {
				ev := e
				pub = &ev
				break
			}
		}
		if pub == nil {
			problems = append(problems, fmt.Sprintf("no server saw a new publish after the detection at %s", sec(z.At)))
			continue
		}
		evidence = append(evidence, fmt.Sprintf("republished: %s session %s at %s", pub.Source, pub.Session, sec(pub.At)))
		if p.Codec != "" {
			var codec string
			for _, e := range h.Filter(of(p.Client, history.KindClientPublish)) {
				if e.At > z.At && e.At <= pub.At {
					codec = e.Message
				}
			}
			if codec != p.Codec {
				problems = append(problems, fmt.Sprintf("the republish announced codec %q, want %q (codec change)", codec, p.Codec))
			}
		}
		if p.Viewer != "" {
			got := firstAfter(h.Filter(of(p.Viewer, history.KindClientReceived)), pub.At)
			switch {
			case got == nil:
				problems = append(problems, fmt.Sprintf("%s got no frame after the republish at %s", p.Viewer, sec(pub.At)))
			case got.At-pub.At > p.Within.D():
				problems = append(problems, fmt.Sprintf("%s got frames again %s after the republish, later than %v", p.Viewer, sec(got.At-pub.At), p.Within))
			default:
				evidence = append(evidence, fmt.Sprintf("%s got frames again at %s (%s after the republish)", p.Viewer, sec(got.At), sec(got.At-pub.At)))
			}
		}
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%d zero-bitrate detection(s) on schedule, each followed by a republish", len(zeros)))
}

// streamOf is the stream a live client publishes or plays, from its requests.
func streamOf(h *history.History, client string) string {
	for _, e := range h.Events {
		if e.Source == client && (e.Kind == history.KindClientPublish || e.Kind == history.KindClientPlay) && e.Stream != "" {
			return e.Stream
		}
	}
	return ""
}

// RestorePolicy checks WCS's restore timer: attempt numbers never pass maxTries, each attempt
// waits at least the timeout (growing by factor with backoff, less jitter) after the failure
// that armed it, numbering restarts after a success, and a policy that ran out ends with a
// terminal FAILED and no attempt after it.
func RestorePolicy(h *history.History, client string, r scenario.Restore) Verdict {
	v := Verdict{Checker: scenario.CheckRestorePolicy, Subject: client}
	var problems, evidence []string
	var armed *history.Event
	outages, maxSeen, failedAt := 0, 0, time.Duration(-1)
	for _, e := range h.Events {
		if e.Source != client {
			continue
		}
		switch e.Kind {
		case history.KindClientWait:
			ev := e
			armed = &ev
		case history.KindClientAttempt:
			if failedAt >= 0 {
				problems = append(problems, fmt.Sprintf("attempt %d at %s after the terminal FAILED at %s", e.Strikes, sec(e.At), sec(failedAt)))
			}
			if e.Strikes == 1 {
				outages++
			}
			maxSeen = max(maxSeen, e.Strikes)
			if e.Strikes > r.MaxTries {
				problems = append(problems, fmt.Sprintf("attempt %d at %s exceeds maxTries %d", e.Strikes, sec(e.At), r.MaxTries))
			}
			want := r.Timeout.D()
			jitter := 0.0
			if b := r.Backoff; b != nil {
				want = time.Duration(math.Min(float64(want)*math.Pow(b.Factor, float64(e.Strikes-1)), float64(b.Max.D())))
				jitter = b.Jitter
			}
			least := time.Duration(float64(want)*(1-jitter)) - schedTolerance/3
			if armed != nil {
				wait := e.At - armed.At
				line := fmt.Sprintf("attempt %d at %s, %s after the failure (policy %v)", e.Strikes, sec(e.At), sec(wait), want)
				if wait < least {
					problems = append(problems, "attempt too early: "+line)
				} else {
					evidence = append(evidence, line)
				}
				armed = nil
			}
		case history.KindClientStatus:
			if e.Code == "NetStream.Publish.Start" || e.Code == "NetStream.Play.Start" {
				evidence = append(evidence, fmt.Sprintf("restored at %s (%s)", sec(e.At), e.Code))
			}
		case history.KindClientFailed:
			failedAt = e.At
			evidence = append(evidence, fmt.Sprintf("terminal FAILED at %s: %s", sec(e.At), e.Message))
			if maxSeen < r.MaxTries {
				problems = append(problems, fmt.Sprintf("FAILED at %s after only %d of %d attempts", sec(e.At), maxSeen, r.MaxTries))
			}
		}
	}
	if failedAt < 0 && maxSeen >= r.MaxTries {
		// exhausted: the last outage's final attempt must have succeeded, or FAILED must follow
		var lastAttempt, lastSuccess time.Duration = -1, -1
		for _, e := range h.Events {
			if e.Source != client {
				continue
			}
			if e.Kind == history.KindClientAttempt {
				lastAttempt = e.At
			}
			if e.Kind == history.KindClientStatus && (e.Code == "NetStream.Publish.Start" || e.Code == "NetStream.Play.Start") {
				lastSuccess = e.At
			}
		}
		if lastSuccess < lastAttempt {
			problems = append(problems, fmt.Sprintf("%d attempts failed and no terminal FAILED followed", maxSeen))
		}
	}
	if len(problems) > 0 {
		return fail(v, problems, evidence)
	}
	if outages == 0 {
		v.Status, v.Message = Unknown, client+" never had to restore"
		return v
	}
	v.Status = Pass
	v.Message = fmt.Sprintf("%d outage(s), at most %d of %d attempts, each after its wait", outages, maxSeen, r.MaxTries)
	if failedAt >= 0 {
		v.Message += fmt.Sprintf("; terminal FAILED at %s", sec(failedAt))
	}
	v.Evidence = limit(evidence)
	return v
}

// NoRestoreAfterManualStop checks that after a manual stop the client made no restore attempt
// and no publish, and no server saw it publish again.
func NoRestoreAfterManualStop(h *history.History, client string) Verdict {
	v := Verdict{Checker: scenario.CheckNoRestoreStop, Subject: client}
	stops := h.Filter(of(client, history.KindClientStopped))
	if len(stops) == 0 {
		v.Status, v.Message = Unknown, client+" was never stopped by hand"
		return v
	}
	stop := stops[0]
	stream := streamOf(h, client)
	var problems []string
	for _, e := range h.Events {
		if e.At <= stop.At {
			continue
		}
		switch {
		case e.Source == client && (e.Kind == history.KindClientAttempt || e.Kind == history.KindClientPublish):
			problems = append(problems, fmt.Sprintf("%s at %s, after the manual stop at %s", strings.TrimPrefix(e.Kind, "client."), sec(e.At), sec(stop.At)))
		case e.Kind == history.KindServerPublish && e.Stream == stream:
			problems = append(problems, fmt.Sprintf("%s saw %s published again at %s, after the manual stop at %s", e.Source, stream, sec(e.At), sec(stop.At)))
		}
	}
	return conclude(v, problems, nil, fmt.Sprintf("stopped at %s; no restore and no publish afterwards", sec(stop.At)))
}

// DeadPeerDetected checks that the client's missing-ping probe declared the session dead
// within `within` of the named fault's start.
func DeadPeerDetected(h *history.History, client, faultName string, within time.Duration) Verdict {
	v := Verdict{Checker: scenario.CheckDeadPeer, Subject: client}
	start := faultStart(h, faultName)
	if start == nil {
		v.Status, v.Message = Unknown, "fault "+faultName+" never started"
		return v
	}
	for _, e := range h.Filter(of(client, history.KindClientPings)) {
		if e.At < start.At {
			continue
		}
		lag := e.At - start.At
		if lag > within {
			v.Status, v.Message = Fail, fmt.Sprintf("missing pings detected %s after %s started, later than %v", sec(lag), faultName, within)
			return v
		}
		v.Status, v.Message = Pass, fmt.Sprintf("dead peer detected %s after %s started (%s)", sec(lag), faultName, e.Message)
		return v
	}
	v.Status, v.Message = Fail, fmt.Sprintf("%s never noticed the missing pings after %s started at %s", client, faultName, sec(start.At))
	return v
}

// LiveResumes checks a live viewer: the timestamps of the frames it received never go
// backwards, the server saw at least minPublishes publishes of its stream, and after every
// one (the first and each republish) frames arrive within `within`.
func LiveResumes(h *history.History, client string, within time.Duration, minPublishes int) Verdict {
	v := Verdict{Checker: scenario.CheckLiveResumes, Subject: client}
	frames := h.Filter(of(client, history.KindClientReceived))
	if len(frames) == 0 {
		v.Status, v.Message = Fail, client+" received no frame"
		return v
	}
	var problems, evidence []string
	last := -1.0
	for _, e := range frames {
		if e.StartTime == nil {
			continue
		}
		if *e.StartTime < last {
			problems = append(problems, fmt.Sprintf("timestamp went back from %.3fs to %.3fs at %s (frame %d)", last, *e.StartTime, sec(e.At), e.Frames.First))
		}
		last = *e.StartTime
	}
	stream := streamOf(h, client)
	publishes := 0
	for _, p := range h.Events {
		if p.Kind != history.KindServerPublish || p.Stream != stream {
			continue
		}
		publishes++
		got := firstAfter(frames, p.At)
		switch {
		case got == nil:
			problems = append(problems, fmt.Sprintf("no frame after the publish at %s", sec(p.At)))
		case got.At-p.At > within:
			problems = append(problems, fmt.Sprintf("frames came %s after the publish at %s, later than %v", sec(got.At-p.At), sec(p.At), within))
		default:
			evidence = append(evidence, fmt.Sprintf("publish at %s: frames from %s (%s later)", sec(p.At), sec(got.At), sec(got.At-p.At)))
		}
	}
	if publishes < minPublishes {
		problems = append(problems, fmt.Sprintf("the server saw %d publish(es) of %s, expected at least %d", publishes, stream, minPublishes))
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%d frames, timestamps never went back; frames within %v of each of %d publish(es)", len(frames), within, publishes))
}
