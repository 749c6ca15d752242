package check

import (
	"fmt"
	"math"
	"time"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/media"
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

// sec formats a time for a message.
func sec(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }

// streamInfo returns the length and frame rate the lab recorded for a stream (0 when unknown).
func streamInfo(h *history.History, stream string) (frames, fps int) {
	for _, e := range h.Kind(history.KindStream) {
		if e.Stream == stream {
			return e.Count, e.FPS
		}
	}
	return 0, 0
}

// frameSeconds is the frame duration of a stream in seconds: from the frame rate the lab
// recorded, else media's default.
func frameSeconds(h *history.History, stream string) float64 {
	if _, fps := streamInfo(h, stream); fps > 0 {
		return 1 / float64(fps)
	}
	return media.DefaultFrame.Seconds()
}

// gopSeconds is the time from one keyframe of a stream to the next, from what the lab
// recorded (0 when unknown: a resume must then be served from its offset, within a frame).
func gopSeconds(h *history.History, stream string) float64 {
	for _, e := range h.Kind(history.KindStream) {
		if e.Stream == stream && e.GOP > 0 {
			return float64(e.GOP) * frameSeconds(h, stream)
		}
	}
	return 0
}

// span formats a run of frame indices.
func span(a, b int) string {
	if a == b {
		return fmt.Sprint(a)
	}
	return fmt.Sprintf("%d..%d", a, b)
}

// limit bounds a verdict's evidence lines.
func limit(lines []string) []string {
	if len(lines) <= maxEvidence {
		return lines
	}
	return append(lines[:maxEvidence:maxEvidence], fmt.Sprintf("... %d more", len(lines)-maxEvidence))
}

// deref is the value of an optional number (NaN when absent).
func deref(f *float64) float64 {
	if f == nil {
		return math.NaN()
	}
	return *f
}

// schedTolerance absorbs timer scheduling in timing checks.
const schedTolerance = 60 * time.Millisecond

// streamOf is the stream a live client publishes or plays, from its requests.
func streamOf(h *history.History, client string) string {
	for _, e := range h.Of(client, history.KindClientPublish, history.KindClientPlay) {
		if e.Stream != "" {
			return history.StreamName(e.Stream)
		}
	}
	return ""
}
