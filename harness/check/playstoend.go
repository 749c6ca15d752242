package check

import (
	"fmt"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// NamePlaysToEnd is the playsToEnd checker's YAML key.
const NamePlaysToEnd = "playsToEnd"

// PlaysToEnd parameterises the playsToEnd checker.
type PlaysToEnd struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// Within is the deadline from the start of the run (default: the scenario timeout).
	Within spec.Duration `yaml:"within" json:"within,omitempty"`
}

// Default sets the deadline to the scenario's timeout.
func (c *PlaysToEnd) Default(s *Scope) {
	if c.Within == 0 {
		c.Within = s.Timeout
	}
}

// Validate checks the deadline.
func (c *PlaysToEnd) Validate(p spec.Problems, _ *Scope) {
	if c.Within <= 0 {
		p.Add("within", "must be positive")
	}
}

// Judge applies the checker.
func (c *PlaysToEnd) Judge(h *history.History) Verdict { return playsToEnd(h, c.Client, c.Within.D()) }

// playsToEnd checks that the client rendered the last frame of the stream it played before
// within (time since the start of the run).
func playsToEnd(h *history.History, client string, within time.Duration) Verdict {
	v := Verdict{Checker: NamePlaysToEnd, Subject: client}
	plays := h.Of(client, history.KindClientPlay)
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
	for _, r := range h.Of(client, history.KindClientRendered) {
		if r.Stream != stream || r.Frames == nil {
			continue
		}
		if r.Frames.Last > highest {
			highest, highestAt = r.Frames.Last, r.LastAt()
		}
		if r.Frames.First <= lastFrame && lastFrame <= r.Frames.Last {
			if at := r.FrameAt(lastFrame); at > within {
				v.Status = Fail
				v.Message = fmt.Sprintf("%s rendered the last frame %d of %s at %s, after the deadline %s", client, lastFrame, stream, sec(at), sec(within))
				return v
			}
			v.Status = Pass
			v.Message = fmt.Sprintf("last frame %d of %s rendered at %s (deadline %s)", lastFrame, stream, sec(r.FrameAt(lastFrame)), sec(within))
			return v
		}
	}
	v.Status = Fail
	if highest < 0 {
		v.Message = fmt.Sprintf("%s never rendered a frame of %s", client, stream) + noUsableMedia(h, client) + whyNothing(h, client)
	} else {
		v.Message = fmt.Sprintf("%s never rendered the last frame %d of %s; the highest was %d at %s", client, lastFrame, stream, highest, sec(highestAt))
	}
	for _, e := range h.Of(client, history.KindActorEnd) {
		v.Evidence = append(v.Evidence, fmt.Sprintf("%s ended at %s: %s", client, sec(e.At), e.Message))
	}
	return v
}
