package fakeclient

import (
	"fmt"
	"time"

	"github.com/streamfault/streamfault/internal/status"
)

// tick advances the playhead, renders the frames it passed (an event each) and updates the
// buffer state. It reports done when playback is over.
func (p *Player) tick(st *playState) (bool, error) {
	now := p.clk.Now()
	p.samplesDue(st, now)
	from, since := st.playhead, st.lastTick
	if st.playing {
		st.playhead += now.Sub(st.lastTick)
	}
	st.lastTick = now

	// A frame an event, stamped when the playhead passed it (the player sleeps while its
	// buffer holds frames, so one tick passes several): each keeps its own stream time and
	// turn, and the history joins them into one run as it would frames rendered one by one.
	taken := 0
	for taken < len(st.buf) && st.buf[taken].ts <= st.playhead && st.playing {
		f := st.buf[taken]
		taken++
		at := since.Add(max(f.ts-from, 0))
		if at.Before(f.arrived) {
			at = f.arrived
		}
		if at.After(now) {
			at = now
		}
		p.emit(Event{Time: at, Kind: EventRendered, Stream: f.id.Stream, First: f.id.Index, Last: f.id.Index, StreamTime: f.ts})
	}
	if taken > 0 {
		// The frames still held move to the front of the same array: slicing past the rendered
		// ones left no room behind them, and every later arrival copied the buffer into a new
		// array (100 MB over a 2,000-player run).
		st.buf = st.buf[:copy(st.buf, st.buf[taken:])]
	}

	end := st.end()
	bufLen := st.bufferAt(st.playhead)
	switch {
	case st.playing && len(st.buf) == 0 && st.playhead >= end:
		st.playhead = end
		if st.complete {
			p.sample(st, now, 0)
			return true, nil
		}
		st.playing = false
		p.emit(Event{Kind: EventStatus, Code: status.BufferEmpty})
	case !st.playing && st.started && (bufLen >= p.cfg.BufferTime || (st.complete && len(st.buf) > 0)):
		st.playing = true
		p.emit(Event{Kind: EventStatus, Code: status.BufferFull})
	}
	if !st.playing && len(st.buf) == 0 && st.gaveUp != nil && st.retry == nil {
		p.sample(st, now, bufLen)
		return true, st.gaveUp
	}
	p.monitor(st, now, bufLen)
	return false, nil
}

// maxTick is the longest a player sleeps between two looks at its buffer.
const maxTick = time.Second

// nextTick is how long the player may sleep after a tick. While it plays: until its buffer
// would run dry (frames that arrive meanwhile only put that later; the frames it passes are
// rendered at their own turn when it wakes). While it connects, buffers or ran dry nothing
// moves but what arrives, and Run looks at the buffer after every batch of arrivals. Either
// way it wakes for its next stall check, and at least every maxTick, at most every Tick; its
// buffer samples do not wake it (samplesDue). A player of a 2 s buffer wakes when the
// server's writes come, not 25 times a second for its frames nor 100 while it connects.
func (p *Player) nextTick(st *playState) time.Duration {
	d := maxTick
	if st.playing {
		d = min(d, st.end()-st.playhead) // when the buffer runs dry
	}
	now := p.clk.Now()
	if m := p.cfg.StallMonitor; m != nil && m.Interval > 0 {
		d = min(d, st.nextCheck.Sub(now))
	}
	return max(d, p.cfg.Tick)
}

// monitor is the stall monitor: on a connection that is open but delivers nothing while the
// buffer is below bufferTime, it closes the connection after Ticks checks, which starts the
// ordinary reconnect.
func (p *Player) monitor(st *playState, now time.Time, bufLen time.Duration) {
	m := p.cfg.StallMonitor
	if m == nil || m.Interval <= 0 || p.cfg.Mutant == MutantNoStallMonitor || now.Before(st.nextCheck) {
		return
	}
	st.nextCheck = now.Add(m.Interval.D())
	if st.cur == nil || st.complete {
		st.strikes = 0
		return
	}
	bytes := st.cur.conn.BytesRead()
	if bufLen < p.cfg.BufferTime && bytes == st.lastBytes {
		st.strikes++
	} else {
		st.strikes = 0
	}
	st.lastBytes = bytes
	if st.strikes >= m.Ticks {
		st.strikes = 0
		p.emit(Event{Kind: EventStall, Conn: st.n, BufferLength: bufLen,
			Message: fmt.Sprintf("no byte for %d checks of %v with %v buffered", m.Ticks, m.Interval, bufLen)})
		st.cur.closeSelf() // the session ends; onConn reconnects
	}
}

// sample records the buffer now (at the end of playback).
func (p *Player) sample(st *playState, now time.Time, bufLen time.Duration) {
	p.emit(Event{Time: now, Kind: EventSample, Conn: st.n, BufferLength: bufLen, Playhead: st.playhead, BytesIn: p.bytesIn(st)})
}

// bytesIn is what the player's connections have read so far.
func (p *Player) bytesIn(st *playState) int64 {
	in := st.bytesPrior
	if st.cur != nil {
		in += st.cur.conn.BytesRead()
	}
	return in
}

// samplesDue records the buffer samples due since the player last woke, each at its own time
// (every SampleEvery), before the player takes in what woke it: until then nothing but the
// playhead moved, so the buffer at a sample's time is what the player held at its last wake
// with the playhead advanced, and its byte count the one it saw then. The player does not wake
// for a sample (2,000 players woke 8,000 times a second for them).
func (p *Player) samplesDue(st *playState, now time.Time) {
	if st.nextSamp.IsZero() {
		st.nextSamp = now
	}
	for ; !st.nextSamp.After(now); st.nextSamp = st.nextSamp.Add(p.cfg.SampleEvery) {
		ts := st.nextSamp
		ph := st.playhead
		if st.playing && ts.After(st.lastTick) {
			ph = min(ph+ts.Sub(st.lastTick), st.end()) // it stops where its buffer ends
		}
		p.emit(Event{Time: ts, Kind: EventSample, Conn: st.n, BufferLength: st.bufferAt(ph), Playhead: ph, BytesIn: st.seenBytes})
	}
	st.seenBytes = p.bytesIn(st)
}

// end is the stream time at which the buffered media runs out.
func (st *playState) end() time.Duration { return st.heldTs + st.frameDur }

// bufferAt is the buffer length with the playhead at ph: what is held past it, nothing
// before the first frame came.
func (st *playState) bufferAt(ph time.Duration) time.Duration {
	if len(st.buf) > 0 || (st.started && ph < st.end()) {
		return max(st.end()-ph, 0)
	}
	return 0
}
