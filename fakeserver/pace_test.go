package fakeserver

import (
	"testing"
	"time"
)

// A playback paced on a clock that only its own waits move (nothing on the way is slow):
// every frame past the burst leaves between the lead and the quantum plus the lead before its
// due time, a write holds at most a quantum's worth of frames, and a client that asked no
// buffer gets each frame at its due time exactly.
func TestPaceSleepLeadsEveryWrite(t *testing.T) {
	for _, c := range []struct {
		ahead, lead, quantum time.Duration
		writes               int // after the burst, for 10 s of frames
	}{
		// The burst holds the frames due within the quantum and lead of the start (turns to
		// 2.625 s); then 13 frames (520 ms) a write.
		{2 * time.Second, 125 * time.Millisecond, 500 * time.Millisecond, 15},
		{time.Second, 62500 * time.Microsecond, 250 * time.Millisecond, 31},
		{0, 0, 0, 249}, // every frame but the first waits for its turn
	} {
		if got := paceLead(c.ahead); got != c.lead {
			t.Errorf("ahead %v: lead %v, want %v", c.ahead, got, c.lead)
		}
		start := time.Unix(0, 0)
		now, writes := start, 0
		var first time.Time  // the due time of the current write's first frame; zero in the burst
		for i := range 250 { // 10 s at 25 fps: turns from the play's start, due ahead of them
			due := start.Add(time.Duration(i)*40*time.Millisecond - c.ahead)
			if wait := paceSleep(due, now, c.ahead); wait > 0 {
				now = now.Add(wait)
				writes++
				first = due
			}
			if first.IsZero() { // the initial burst: due at once
				continue
			}
			if early := due.Sub(now); early < c.lead || early > c.quantum+c.lead {
				t.Fatalf("ahead %v: the frame due at %v left %v early, want %v to %v", c.ahead, due.Sub(start), early, c.lead, c.quantum+c.lead)
			}
			if due.Sub(first) > c.quantum {
				t.Fatalf("ahead %v: one write held frames due %v apart, more than the quantum", c.ahead, due.Sub(first))
			}
		}
		if writes != c.writes {
			t.Errorf("ahead %v: %d writes after the burst, want %d", c.ahead, writes, c.writes)
		}
	}
}
