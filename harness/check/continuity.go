package check

import (
	"fmt"
	"slices"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/wiretap"
)

// NameMediaContinuity is the mediaContinuity checker's YAML key.
const NameMediaContinuity = "mediaContinuity"

// MediaContinuity parameterises mediaContinuity: the media a client got (or sent) runs on
// without a break — judged from its frames for a scripted client and from the timestamps that
// crossed its wire tap for a program.
type MediaContinuity struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// MaxGap is the largest forward step of the timestamps that is not media missing, within a
	// connection and, for a stream played on demand, from one connection to the next (default
	// 1s; at least 500ms, the smallest leap a wire tap notes).
	MaxGap spec.Duration `yaml:"maxGap" json:"maxGap,omitempty"`
	// MaxRepeat is how much of what had been delivered a resumed on-demand play may deliver
	// again (default: its stream's keyframe interval, as a server resumes at the keyframe at or
	// before the offset).
	MaxRepeat spec.Duration `yaml:"maxRepeat" json:"maxRepeat,omitempty"`
}

// Default sets maxGap to 1s.
func (c *MediaContinuity) Default(*Scope) {
	if c.MaxGap == 0 {
		c.MaxGap = spec.Duration(time.Second)
	}
}

// Validate checks the bounds.
func (c *MediaContinuity) Validate(p spec.Problems, _ *Scope) {
	if c.MaxGap.D() < time.Duration(wiretap.LeapNoted*float64(time.Second)) {
		p.Add("maxGap", "%v is below 500ms, the smallest leap a wire tap notes", c.MaxGap)
	}
	p.NonNegative("maxRepeat", c.MaxRepeat)
}

// Judge judges a scripted client from its frames.
func (c *MediaContinuity) Judge(h *history.History) Verdict {
	return c.judge(h, scriptedMedia(h, c.Client, c.MaxGap.D().Seconds()))
}

// JudgeWire judges a program from what crossed its wire tap.
func (c *MediaContinuity) JudgeWire(h *history.History) Verdict {
	return c.judge(h, wireMedia(h, c.Client))
}

// judge checks each connection's media and each step from one connection to the next:
// within a connection, timestamps never go back and never leap by more than maxGap, unless the
// server had just announced a new timeline (a play, reset, transition, seek, unpause); from one
// connection to the next, a resumed on-demand play repeats at most maxRepeat of what had been
// delivered and skips at most maxGap, and a publisher's timestamps never go back. A live
// play's step is reported, not judged: live media moves on while a client is away.
func (c *MediaContinuity) judge(h *history.History, conns []mediaConn) Verdict {
	v := Verdict{Checker: NameMediaContinuity, Subject: c.Client}
	if len(conns) == 0 {
		v.Status, v.Message = Unknown, c.Client+" moved no media: there is no continuity to judge"+whyNothing(h, c.Client)
		return v
	}
	maxGap := c.MaxGap.D().Seconds()
	var problems, evidence []string
	for i, mc := range conns {
		evidence = append(evidence, fmt.Sprintf("connection %d: media %.3fs..%.3fs (%s to %s)", mc.n, mc.first, mc.last, sec(mc.firstAt), sec(mc.lastAt)))
		for _, j := range mc.jumps {
			switch {
			case slices.Contains(announcements, j.announced):
				evidence = append(evidence, fmt.Sprintf("connection %d: %s, as announced", mc.n, j))
			case j.next < j.prev || j.next-j.prev > maxGap:
				problems = append(problems, fmt.Sprintf("connection %d: %s", mc.n, j))
			}
		}
		if i > 0 {
			p, e := c.step(conns[i-1], mc, maxGap)
			problems, evidence = append(problems, p...), append(evidence, e...)
		}
	}
	pass := fmt.Sprintf("%s's media ran on without a break on each of %d connection(s)", c.Client, len(conns))
	if len(conns) > 1 {
		pass += " and from each to the next"
	}
	return conclude(v, problems, evidence, pass)
}

// step judges the step from connection a's media to connection b's.
func (c *MediaContinuity) step(a, b mediaConn, maxGap float64) (problems, evidence []string) {
	what := fmt.Sprintf("from connection %d (last %.3fs) to connection %d (first %.3fs)", a.n, a.last, b.n, b.first)
	switch {
	case b.up || a.up:
		if b.first < a.last {
			problems = append(problems, fmt.Sprintf("timestamps went back %s: a republish restarted them", what))
		} else {
			evidence = append(evidence, what+": a republish, time running on")
		}
	case b.onDemand && b.stream == a.stream:
		repeat, gap := a.last-b.first, b.first-a.last
		maxRepeat := c.MaxRepeat.D().Seconds()
		if maxRepeat == 0 {
			maxRepeat = b.gopFrame
		}
		switch {
		case repeat > maxRepeat+b.lastFrame/2:
			problems = append(problems, fmt.Sprintf("%.3fs of media delivered again %s, more than %.3fs (a resume repeats at most from the keyframe before its offset)", repeat, what, maxRepeat))
		case gap > maxGap:
			problems = append(problems, fmt.Sprintf("%.3fs of media skipped %s, more than maxGap %.3fs", gap, what, maxGap))
		default:
			evidence = append(evidence, what+": resumed without a break")
		}
	default:
		evidence = append(evidence, what+": not judged (live media moves on while a client is away, or another stream)")
	}
	return problems, evidence
}
