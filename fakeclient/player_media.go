package fakeclient

import (
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// mediaMsg is an audio or video message as the player's loop needs it, digested on the
// goroutine that read it: the payload is then given back to the connection (Recycle) and the
// message read into again, so a player's stream of frames costs no buffer a frame.
type mediaMsg struct {
	typeID message.TypeID // audio or video; 0: none
	ts     uint32
	id     media.Identity // the synthetic frame's identity (parsed)
	parsed bool
	coded  bool   // not parsed, but a coded video frame: real media
	hash   uint32 // real media: the payload's hash
}

// digestMedia reads what the player's loop needs from an audio or video message.
func digestMedia(m *rtmpconn.Message) mediaMsg {
	d := mediaMsg{typeID: m.TypeID, ts: m.Timestamp}
	if m.TypeID != message.TypeIDVideoMessage {
		return d
	}
	if d.id, d.parsed = media.ParseVideo(m.Payload); d.parsed {
		return d
	}
	if d.coded = media.CodedVideo(m.Payload); d.coded {
		d.hash = hashOf(m.Payload)
	}
	return d
}

// onMedia takes one audio or video message: a video frame joins the buffer, or is dropped
// at the splice (a frame at or before the last held); audio, and video the player cannot
// show, count towards saying that nothing usable arrives.
func (p *Player) onMedia(st *playState, n int, d mediaMsg) {
	if d.typeID != message.TypeIDVideoMessage || (!d.parsed && !d.coded) {
		p.unusable(st, n) // audio, or a sequence header
		return
	}
	ts := time.Duration(d.ts) * time.Millisecond
	id, real := d.id, !d.parsed
	if real {
		// Real media: the frame is known by its timestamp in the stream being played, and by
		// a hash of its payload.
		stream := st.curStream
		if stream == "" {
			stream = p.cfg.Stream
		}
		id = media.RealIdentity(stream, ts, st.frameDur)
	}
	st.usable = true
	splice := p.cfg.Mutant != MutantResumeFromStart && p.cfg.Mutant != MutantResumeAtItemStart
	if splice && st.started && ts <= st.heldTs { // the splice, by stream time
		ev := Event{Kind: EventDropped, Conn: n, Stream: id.Stream, First: id.Index, Last: id.Index, StreamTime: ts}
		if real {
			ev.Message = st.hashes.differs(id, d.hash)
		}
		p.emit(ev)
		return
	}
	if real {
		st.hashes.keep(id, d.hash)
	}
	if !st.started {
		st.started, st.playhead = true, ts
	}
	if _, seen := st.itemStart[id.Stream]; !seen {
		st.itemStart[id.Stream] = ts
	}
	st.curStream = id.Stream
	now := p.clk.Now()
	st.buf = append(st.buf, frame{id: id, ts: ts, arrived: now})
	st.heldTs = ts
	p.emit(Event{Time: now, Kind: EventReceived, Conn: n, Stream: id.Stream, First: id.Index, Last: id.Index, StreamTime: ts})
}
