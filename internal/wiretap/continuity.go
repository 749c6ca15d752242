package wiretap

import (
	"sort"
	"sync"

	"github.com/yutopp/go-rtmp/message"
)

// LeapNoted is the smallest forward leap of a track's timestamps, in seconds, recorded as a
// KindJump (a smaller one is the normal spacing of frames).
const LeapNoted = 0.5

// maxJumps bounds the KindJump events of one direction of one connection; a peer that jumps on
// every message gets one last event saying the rest were not recorded.
const maxJumps = 16

// tracks follows the timestamps of one direction's media tracks (audio, video, aggregate) for
// jumps: a timestamp lower than the track's last, or higher by more than LeapNoted.
type tracks struct {
	last      map[uint8]float64
	announced string // the last onStatus the server sent since this direction's last media
	jumps     int
}

func newTracks() *tracks { return &tracks{last: map[uint8]float64{}} }

// see checks a media timestamp of a track; it returns the jump event to emit, if any.
func (tr *tracks) see(typeID uint8, ts float64) (Event, bool) {
	prev, seen := tr.last[typeID]
	tr.last[typeID] = ts
	announced := tr.announced
	tr.announced = ""
	if !seen || (ts >= prev && ts-prev <= LeapNoted) || tr.jumps > maxJumps {
		return Event{}, false
	}
	tr.jumps++
	e := Event{Kind: KindJump, Name: trackName(typeID), Media: &ts, Prev: &prev, Code: announced}
	if tr.jumps > maxJumps {
		e.Err = "further jumps on this connection are not recorded"
	}
	return e, true
}

// restart forgets the tracks' timestamps: a new run (a play or publish) begins.
func (tr *tracks) restart() { clear(tr.last) }

func trackName(typeID uint8) string {
	switch message.TypeID(typeID) {
	case message.TypeIDAudioMessage:
		return "audio"
	case message.TypeIDVideoMessage:
		return "video"
	}
	return "aggregate"
}

// marks are the stream times a tap reports once when media first reaches them (KindReached),
// in any connection and either direction: the triggers of faults fired by stream time.
type marks struct {
	mu    sync.Mutex
	times []float64 // ascending
	next  int
}

func newMarks(times []float64) *marks {
	m := &marks{times: append([]float64(nil), times...)}
	sort.Float64s(m.times)
	return m
}

// reached returns the marks media at ts has reached for the first time.
func (m *marks) reached(ts float64) []float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	start := m.next
	for m.next < len(m.times) && m.times[m.next] <= ts {
		m.next++
	}
	return m.times[start:m.next]
}
