package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// NameReconnects is the reconnects checker's YAML key.
const NameReconnects = "reconnects"

// Reconnects parameterises the reconnects checker.
type Reconnects struct {
	spec.ClientRef `yaml:",inline" json:",inline"`
	// Count is the exact number of resumes expected.
	Count int `yaml:"count" json:"count"`
}

// Default leaves the parameters as they are.
func (c *Reconnects) Default(*Scope) {}

// Validate checks the count.
func (c *Reconnects) Validate(p spec.Problems, _ *Scope) {
	if c.Count < 0 {
		p.Add("count", "must not be negative")
	}
}

// Judge applies the checker.
func (c *Reconnects) Judge(h *history.History) Verdict { return reconnects(h, c.Client, c.Count) }

// reconnects checks that the client resumed exactly count times; a resume the server refused
// (a refusal on its connection, or a Play.Start it took back: see AcceptHold) is an attempt,
// not a resume.
func reconnects(h *history.History, client string, count int) Verdict {
	v := Verdict{Checker: NameReconnects, Subject: client}
	if len(h.Of(client, history.KindClientPlay)) == 0 {
		v.Status, v.Message = Unknown, client+" sent no play request"
		return v
	}
	refused := map[int]string{} // connection -> how its accept was refused
	for _, a := range accepts(h, client) {
		if !a.held {
			refused[a.conn] = a.String()
		}
	}
	for _, e := range h.Of(client, history.KindClientStatus) {
		if slices.Contains(refusals, e.Code) {
			refused[e.Conn] = fmt.Sprintf("%s at %s on connection %d", e.Code, sec(e.At), e.Conn)
		}
	}
	var at, notCounted []string
	for _, r := range Resumes(h, client) {
		if why, ok := refused[r.Request.Conn]; ok {
			notCounted = append(notCounted, fmt.Sprintf("the resume at %s was refused: %s", sec(r.Request.At), why))
			continue
		}
		at = append(at, sec(r.Request.At))
	}
	v.Evidence = limit(append(slices.Clone(at), notCounted...))
	if len(at) != count {
		v.Status = Fail
		v.Message = fmt.Sprintf("%s resumed %d time(s), expected %d", client, len(at), count)
		if len(at) > 0 {
			v.Message += " (at " + strings.Join(at, ", ") + ")"
		} else {
			v.Message += lossNote(h, client)
		}
		return v
	}
	v.Status = Pass
	v.Message = fmt.Sprintf("%s resumed %d time(s) as expected", client, count)
	return v
}

// JudgeWire counts a process's reconnects from its wire tap: the connections after its first
// on which it played or published again.
func (c *Reconnects) JudgeWire(h *history.History) Verdict {
	v := Verdict{Checker: NameReconnects, Subject: c.Client}
	conns := wireConns(h, c.Client)
	sessions := 0
	var at []string
	var refused []string
	for _, wc := range conns {
		if wc.first("play", "play2", "publish") == nil {
			continue
		}
		if why := wc.refusal(h, c.Client); why != "" {
			refused = append(refused, fmt.Sprintf("connection %d at %s: %s", wc.n, sec(wc.opened), why))
			continue
		}
		sessions++
		if sessions > 1 {
			at = append(at, fmt.Sprintf("connection %d at %s", wc.n, sec(wc.opened)))
		}
	}
	if sessions == 0 {
		v.Status, v.Message = Unknown, fmt.Sprintf("%s sent no play, play2 or publish the server took (its wire tap saw %d connection(s))", c.Client, len(conns))
		v.Evidence = limit(refused)
		return v
	}
	v.Evidence = limit(append(slices.Clone(at), refused...))
	if n := sessions - 1; n != c.Count {
		v.Status = Fail
		v.Message = fmt.Sprintf("%s played or published again on %d new connection(s), expected %d", c.Client, n, c.Count)
		if len(at) > 0 {
			v.Message += " (" + strings.Join(at, ", ") + ")"
		}
		if n < c.Count {
			v.Message += "; " + conns[len(conns)-1].how()
			if x := exitOf(h, c.Client); x != "" {
				v.Message += "; " + x
			}
		}
		return v
	}
	v.Status, v.Message = Pass, fmt.Sprintf("%s played or published again on %d new connection(s) as expected", c.Client, c.Count)
	return v
}
