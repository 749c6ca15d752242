package check

import (
	"fmt"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// NameLiveResumes is the liveResumes checker's YAML key.
const NameLiveResumes = "liveResumes"

// LiveResumes parameterises liveResumes.
type LiveResumes struct {
	// Client is the viewer.
	Client string `yaml:"client" json:"client"`
	// Within is how soon after each (re)publish frames must arrive (default 5s).
	Within spec.Duration `yaml:"within" json:"within,omitempty"`
	// MinPublishes is how many publishes of the stream the server must have seen (default 1;
	// 2 or more proves a republish).
	MinPublishes int `yaml:"minPublishes" json:"minPublishes,omitempty"`
}

// Subject is the viewer.
func (c *LiveResumes) Subject() string { return c.Client }

// Default sets the deadline to 5s and minPublishes to 1.
func (c *LiveResumes) Default(*Scope) {
	if c.Within == 0 {
		c.Within = spec.Duration(5 * time.Second)
	}
	if c.MinPublishes == 0 {
		c.MinPublishes = 1
	}
}

// Validate has nothing to check beyond the client.
func (c *LiveResumes) Validate(spec.Problems, *Scope) {}

// Judge applies the checker.
func (c *LiveResumes) Judge(h *history.History) Verdict {
	return liveResumes(h, c.Client, c.Within.D(), c.MinPublishes)
}

// liveResumes checks a live viewer: the timestamps of the frames it received never go
// backwards, the server saw at least minPublishes publishes of its stream, and after every
// one (the first and each republish) frames arrive within `within`.
func liveResumes(h *history.History, client string, within time.Duration, minPublishes int) Verdict {
	v := Verdict{Checker: NameLiveResumes, Subject: client}
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
