package check

import (
	"fmt"
	"sort"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/status"
)

// NameLiveResumes is the liveResumes checker's YAML key.
const NameLiveResumes = "liveResumes"

// LiveResumes parameterises liveResumes.
type LiveResumes struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// Within is how soon after each (re)publish frames must arrive (default 5s).
	Within spec.Duration `yaml:"within" json:"within,omitempty"`
	// MinPublishes is how many publishes of the stream the server must have seen (default 1;
	// 2 or more proves a republish).
	MinPublishes int `yaml:"minPublishes" json:"minPublishes,omitempty"`
}

// Default sets the deadline to 5s and minPublishes to 1.
func (c *LiveResumes) Default(*Scope) {
	if c.Within == 0 {
		c.Within = spec.Duration(5 * time.Second)
	}
	if c.MinPublishes == 0 {
		c.MinPublishes = 1
	}
}

// Validate checks the deadline and the count.
func (c *LiveResumes) Validate(p spec.Problems, _ *Scope) {
	if c.Within <= 0 {
		p.Add("within", "must be positive")
	}
	if c.MinPublishes < 0 {
		p.Add("minPublishes", "must not be negative")
	}
}

// Judge applies the checker.
func (c *LiveResumes) Judge(h *history.History) Verdict {
	return liveResumes(h, c.Client, c.Within.D(), c.MinPublishes)
}

// liveReplay is how far before what a viewer had a new session of it may begin: a live
// server starts a joining viewer at its cached keyframe, up to a keyframe interval back (the
// scripted publisher's is 1 s; a frame of slack).
const liveReplay = time.Second + 40*time.Millisecond

// liveResumes checks a live viewer: the timestamps of the frames it received never go
// backwards; the server it plays from saw at least minPublishes publishes of its stream and
// after every one (the first and each republish) frames arrive within `within`; and after
// every interruption — its own session lost, or its publisher gone and back (UnpublishNotify
// followed by a republish) — frames come again. With no interruption and no republish there
// is no resume to judge: unknown.
func liveResumes(h *history.History, client string, within time.Duration, minPublishes int) Verdict {
	v := Verdict{Checker: NameLiveResumes, Subject: client}
	frames := h.Of(client, history.KindClientReceived)
	if len(frames) == 0 {
		v.Status, v.Message = Fail, client+" received no frame"+whyNothing(h, client)
		return v
	}
	var problems, evidence []string
	last, lastConn := -1.0, 0
	for _, e := range frames {
		if e.StartTime == nil {
			continue
		}
		switch back := last - *e.StartTime; {
		case back <= 0:
		case e.Conn != lastConn && back <= liveReplay.Seconds():
			// A new session joins at the server's cached keyframe: it may begin with up to a
			// keyframe interval of what the old one had (duplicates a player drops).
			evidence = append(evidence, fmt.Sprintf("connection %d began at %.3fs, %.3fs before what connection %d had: the server's keyframe cache", e.Conn, *e.StartTime, back, lastConn))
		default:
			problems = append(problems, fmt.Sprintf("timestamp went back from %.3fs to %.3fs at %s (frame %d)", last, *e.StartTime, sec(e.At), e.Frames.First))
		}
		last, lastConn = *e.LastTime(), e.Conn
	}
	stream := streamOf(h, client)
	var publishes []history.Event
	for _, p := range publishesOf(h, client, stream) {
		publishes = append(publishes, p)
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
	if len(publishes) < minPublishes {
		problems = append(problems, fmt.Sprintf("the server saw %d publish(es) of %s, expected at least %d", len(publishes), stream, minPublishes))
	}
	interruptions := 0
	for _, e := range h.Of(client, history.KindClientStatus) {
		var what string
		switch {
		case e.Code == status.ConnectClosed && !e.SelfClosed:
			what = fmt.Sprintf("its session (connection %d) was lost", e.Conn)
		case e.Code == status.PlayUnpublishNotify && firstAfter(publishes, e.At) != nil:
			what = "its publisher went away"
		default:
			continue
		}
		interruptions++
		if got := firstAfter(frames, e.At); got == nil {
			problems = append(problems, fmt.Sprintf("%s at %s and no frame came again: the live stream never resumed for %s", what, sec(e.At), client))
		} else {
			evidence = append(evidence, fmt.Sprintf("%s at %s: frames again at %s (%s later)", what, sec(e.At), sec(got.At), sec(got.At-e.At)))
		}
	}
	if len(problems) == 0 && interruptions == 0 && len(publishes) <= 1 {
		v.Status = Unknown
		v.Message = fmt.Sprintf("nothing interrupted %s's live stream (no session lost, no republish): there is no resume to judge", client)
		v.Evidence = limit(evidence)
		return v
	}
	return conclude(v, problems, evidence, fmt.Sprintf("%d frames, timestamps never went back; frames again after %d interruption(s) and within %v of each of %d publish(es)",
		frameCount(frames), interruptions, within, len(publishes)))
}

// publishesOf lists the publishes of stream on the server client plays from: from the
// reference server's access log, or for a server without one from the publishers' own
// NetStream.Publish.Start that held (a publisher whose publish request names the stream).
func publishesOf(h *history.History, client, stream string) []history.Event {
	srv := serverOf(h, routeAt(h, client, 0))
	var out []history.Event
	if hasAccessLog(h, srv) {
		for _, p := range h.Kind(history.KindServerPublish) {
			if p.Stream != stream {
				continue
			}
			if s := serverOf(h, routeAt(h, client, p.At)); s != "" && p.Source != s {
				continue // published on a server this viewer does not play from
			}
			out = append(out, p)
		}
		return out
	}
	names := map[[2]any]bool{} // (publisher, connection) whose publish named the stream
	for _, e := range h.Kind(history.KindClientPublish) {
		if history.StreamName(e.Stream) == stream {
			names[[2]any{e.Source, e.Conn}] = true
		}
	}
	held := map[string]map[[2]int]bool{} // per publisher: (time, connection) of each accept that held
	for _, e := range h.Kind(history.KindClientStatus) {
		if e.Code != status.PublishStart || !names[[2]any{e.Source, e.Conn}] {
			continue
		}
		if held[e.Source] == nil {
			held[e.Source] = map[[2]int]bool{}
			for _, a := range accepts(h, e.Source) {
				held[e.Source][[2]int{int(a.at), a.conn}] = a.held
			}
		}
		if held[e.Source][[2]int{int(e.At), e.Conn}] { // an accept the server took back is no publish
			ev := e
			ev.Stream = stream
			out = append(out, ev)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}
