package fakeclient

import (
	"fmt"
	"time"
)

// Transitions lists the play2 transitions a play script may use.
var Transitions = []string{"reset", "append", "appendAndWait", "switch", "swap", "stop"}

// validScript checks a play script: it starts with a reset at 0, steps are in time order,
// transitions are known and name what they need.
func validScript(script []PlayItem) error {
	if s := script[0]; s.Transition != "reset" || s.At != 0 {
		return fmt.Errorf("player: the play script must start with a reset at 0, not %s at %v", s.Transition, s.At)
	}
	for i, s := range script {
		switch {
		case s.Transition == "":
			return fmt.Errorf("player: step %d: no transition", i)
		case s.Stream == "" && s.Transition != "stop":
			return fmt.Errorf("player: step %d: %s needs a stream", i, s.Transition)
		case s.Transition == "swap" && s.OldStream == "":
			return fmt.Errorf("player: step %d: swap needs the old stream", i)
		case i > 0 && s.At < script[i-1].At:
			return fmt.Errorf("player: step %d at %v comes before step %d at %v", i, s.At, i-1, script[i-1].At)
		}
	}
	return nil
}

// armStep sets the timer of the next timed script step.
func (p *Player) armStep(st *playState, t0 time.Time) {
	for st.nextStep < len(p.cfg.Script) && p.cfg.Script[st.nextStep].At == 0 {
		st.nextStep++ // sent with the first connection's plan
	}
	if st.nextStep < len(p.cfg.Script) {
		st.stepTimer = p.clk.After(t0.Add(p.cfg.Script[st.nextStep].At.D()).Sub(p.clk.Now()))
	}
}

// runStep applies the next timed step to the playlist and sends it on the current
// connection; without one, the next reconnect's rebuild carries it.
func (p *Player) runStep(st *playState) {
	step := p.cfg.Script[st.nextStep]
	st.nextStep++
	cmd := p.apply(st, step)
	if st.cur != nil && st.scriptSent {
		st.cur.send([]play2Cmd{cmd})
	}
}

// apply changes the player's playlist as the server will for the step.
func (p *Player) apply(st *playState, s PlayItem) play2Cmd {
	replace := func(old string) {
		for i, it := range st.items {
			if it.Stream == old {
				st.items[i] = PlayItem{Stream: s.Stream, Start: s.Start, Len: s.Len}
				if s.Transition == "switch" {
					st.items[i].Start, st.items[i].Len = it.Start, it.Len
				}
				return
			}
		}
	}
	switch s.Transition {
	case "reset":
		st.items = []PlayItem{s}
	case "append", "appendAndWait":
		st.items = append(st.items, s)
	case "switch":
		old := s.OldStream
		if old == "" {
			old = st.curStream
		}
		replace(old)
	case "swap":
		replace(s.OldStream)
	case "stop":
		st.items = nil
	}
	return play2Cmd{step: s, playlist: playlistNames(st.items)}
}

func playlistNames(items []PlayItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Stream
	}
	return out
}

// plan is what a newly attached connection sends: the script's steps at 0 the first time,
// afterwards the playlist rebuilt — every item but the last with appendAndWait, the last with
// resume and the stream time of the end of the buffer.
func (p *Player) plan(st *playState) []play2Cmd {
	if !st.scriptSent {
		st.scriptSent = true
		var out []play2Cmd
		for _, s := range p.cfg.Script {
			if s.At == 0 {
				out = append(out, p.apply(st, s))
			}
		}
		return out
	}
	if len(st.items) == 0 {
		return nil
	}
	names := playlistNames(st.items)
	var out []play2Cmd
	for _, it := range st.items[:len(st.items)-1] {
		it.Transition = "appendAndWait"
		if p.cfg.Mutant == MutantRebuildWithAppend {
			it.Transition = "append"
		}
		out = append(out, play2Cmd{step: it, playlist: names})
	}
	last := st.items[len(st.items)-1]
	last.Transition = "resume"
	off := 0.0
	switch {
	case p.cfg.Mutant == MutantResumeFromStart:
	case p.cfg.Mutant == MutantResumeAtItemStart:
		off = st.itemStart[st.curStream].Seconds()
	case st.started:
		off = (st.heldTs + st.frameDur).Seconds()
	}
	return append(out, play2Cmd{step: last, offset: off, playlist: names})
}
