package fakeserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/amf0"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/status"
)

// liveStream is a published name: its publisher (nil while nobody publishes) and the players
// subscribed to it, who wait for a publisher when there is none.
type liveStream struct {
	name      string
	pub       *session
	pubSID    uint32
	subs      map[liveSub]*subState
	avcHeader []byte    // the publisher's AVC sequence header, sent to late joiners
	aacHeader []byte    // its AAC sequence header (AudioSpecificConfig), likewise
	meta      []byte    // its onMetaData (raw AMF0: the name and the values), likewise
	lastTS    uint32    // the timestamp of the last media relayed
	lastMedia time.Time // when the publisher last sent media
	out       *batcher  // the relay's queued media per player
}

// subState is what a subscriber has been sent: a late joiner gets the current headers and
// metadata first (ready), then media from the next video keyframe on (not waitKey), as
// decoders need — no frame that refers to one it never had.
type subState struct {
	ready   bool
	waitKey bool
	// length is how much media the player asked for (play's len; < 0: no limit), counted from
	// the timestamp of the first media message it got (first, once started).
	length  time.Duration
	first   uint32
	started bool
}

// sent records a media message for the subscriber and tells whether its play length is
// reached with it (the player is then done with the stream).
func (st *subState) sent(ts uint32) bool {
	if st.length < 0 {
		return false
	}
	if !st.started {
		st.first, st.started = ts, true
	}
	return time.Duration(ts-st.first)*time.Millisecond >= st.length
}

// liveSub is a player's NetStream subscribed to a live stream.
type liveSub struct {
	ss  *session
	sid uint32
}

// liveLocked returns the live stream called name, creating it (under s.liveMu).
func (s *Server) liveLocked(name string) *liveStream {
	ls := s.lives[name]
	if ls == nil {
		ls = &liveStream{name: name, subs: map[liveSub]*subState{}, out: &batcher{window: s.cfg.RelayWindow}}
		s.lives[name] = ls
	}
	return ls
}

// isLive tells whether name is being published.
func (s *Server) isLive(name string) bool {
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	ls := s.lives[name]
	return ls != nil && ls.pub != nil
}

// onPublish serves publish(name, type): NetStream.Publish.Start, or Publish.BadName when
// another session already publishes the name (a zombie publisher blocks it until dropped).
func (ss *session) onPublish(ctx context.Context, sid uint32, cmd *rtmpconn.Command) error {
	name, _ := cmd.Arg(1).(string)
	name = streamName(name)
	typ, _ := cmd.Arg(2).(string)
	if typ == "" {
		typ = "live"
	}
	c, s := ss.conn, ss.srv
	if name == "" || (typ != "live" && typ != "record" && typ != "append") {
		return c.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil,
			info("error", status.PublishBadName, fmt.Sprintf("bad publish %q (%s)", name, typ)))
	}
	if err := ss.strictRefusal(ctx, sid, info("status", status.PublishStart, name+" is now published."), name); err != nil {
		return err
	}
	s.liveMu.Lock()
	ls := s.liveLocked(name)
	holder := ls.pub
	if holder == nil {
		ls.pub, ls.pubSID, ls.lastMedia = ss, sid, s.clk.Now()
		ls.avcHeader, ls.aacHeader, ls.meta = nil, nil, nil // the new publisher's come with its stream
		for _, st := range ls.subs {
			st.waitKey = true // start at the new publisher's first keyframe
		}
	}
	subs := ls.subscribers()
	s.liveMu.Unlock()
	if holder != nil && s.quirk(QuirkLateBadName) {
		return ss.lateBadName(ctx, sid, name)
	}
	if holder != nil {
		s.emit(Event{Kind: EventError, Session: ss.id, Stream: name, StreamID: sid, Command: "publish",
			Reason: "already published by session " + holder.id})
		return c.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil,
			info("error", status.PublishBadName, name+" is already being published."))
	}
	ss.mu.Lock()
	ss.publishing[sid] = name
	ss.mu.Unlock()
	s.emit(Event{Kind: EventPublish, Session: ss.id, Client: ss.raw.RemoteAddr().String(), Stream: name, StreamID: sid, TransMode: typ})
	for _, sub := range subs {
		sub.notify(ctx, name, true)
	}
	if t := s.cfg.IdlePublisherTimeout; t > 0 {
		ss.players.Add(1)
		go func() {
			defer ss.players.Done()
			ss.watchIdle(ctx, ls, t)
		}()
	}
	return c.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil,
		info("status", status.PublishStart, name+" is now published."))
}

// subscribers lists the subscribers (under s.liveMu).
func (ls *liveStream) subscribers() []liveSub {
	out := make([]liveSub, 0, len(ls.subs))
	for sub := range ls.subs {
		out = append(out, sub)
	}
	return out
}

// publishNotify is the NetStream.Play.PublishNotify status for name.
func publishNotify(name string) map[string]any {
	return info("status", status.PlayPublishNotify, name+" is now published.")
}

// notify tells a subscriber its publisher came (StreamBegin, Play.PublishNotify) or went
// (Play.UnpublishNotify, StreamEOF).
func (sub liveSub) notify(ctx context.Context, name string, published bool) {
	c := sub.ss.conn
	if published {
		_ = errors.Join(c.WriteUserControl(ctx, &message.UserCtrlEventStreamBegin{StreamID: sub.sid}),
			c.WriteCommand(ctx, rtmpconn.CSIDData, sub.sid, "onStatus", 0, nil, publishNotify(name)))
		return
	}
	_ = errors.Join(c.WriteCommand(ctx, rtmpconn.CSIDData, sub.sid, "onStatus", 0, nil,
		info("status", status.PlayUnpublishNotify, name+" is now unpublished.")),
		c.WriteUserControl(ctx, &message.UserCtrlEventStreamEOF{StreamID: sub.sid}))
}

// lengthPlayed ends a subscription that got the length of media its play asked for
// (Play.Stop, StreamEOF), as a recorded stream's end is told.
func (sub liveSub) lengthPlayed(ctx context.Context, name string) {
	sub.ss.take(sub.ss.subscribed, sub.sid)
	c := sub.ss.conn
	_ = errors.Join(c.WriteCommand(ctx, rtmpconn.CSIDData, sub.sid, "onStatus", 0, nil,
		info("status", status.PlayStop, "Stopped playing "+name+".")),
		c.WriteUserControl(ctx, &message.UserCtrlEventStreamEOF{StreamID: sub.sid}))
}

// unpublish ends the session's publication on sid, telling the subscribers; reason goes to
// the access log. answer sends Unpublish.Success to the publisher.
func (ss *session) unpublish(ctx context.Context, sid uint32, reason string, answer bool) {
	name, ok := ss.take(ss.publishing, sid)
	if !ok {
		return
	}
	s := ss.srv
	s.liveMu.Lock()
	ls := s.lives[name]
	var subs []liveSub
	if ls != nil && ls.pub == ss && ls.pubSID == sid {
		ls.pub = nil
		subs = ls.subscribers()
		if len(ls.subs) == 0 {
			delete(s.lives, name)
		}
	}
	s.liveMu.Unlock()
	s.emit(Event{Kind: EventUnpublish, Session: ss.id, Stream: name, StreamID: sid, Reason: reason})
	for _, sub := range subs {
		sub.notify(ctx, name, false)
	}
	if answer {
		_ = ss.conn.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil,
			info("status", status.UnpublishSuccess, name+" is now unpublished."))
	}
}

// FLV tag facts the relay needs: codec ids and the sequence-header / keyframe markers.
func isVideoKeyframe(p []byte) bool { return len(p) > 0 && p[0]>>4 == 1 }

func isAVCHeader(p []byte) bool { return len(p) > 1 && p[0]&0x0f == 7 && p[1] == 0 }

func isAACHeader(p []byte) bool { return len(p) > 1 && p[0]>>4 == 10 && p[1] == 0 }

// relay forwards a publisher's audio, video or metadata message to every subscriber of its
// name. Sequence headers and metadata are kept for late joiners; a subscriber waiting for a
// keyframe gets no audio or video until one comes.
func (ss *session) relay(ctx context.Context, m *rtmpconn.Message) {
	ss.mu.Lock()
	name, ok := ss.publishing[m.StreamID]
	ss.mu.Unlock()
	if !ok {
		return
	}
	s := ss.srv
	media := m.TypeID == message.TypeIDVideoMessage || m.TypeID == message.TypeIDAudioMessage
	header := (m.TypeID == message.TypeIDVideoMessage && isAVCHeader(m.Payload)) ||
		(m.TypeID == message.TypeIDAudioMessage && isAACHeader(m.Payload))
	key := m.TypeID == message.TypeIDVideoMessage && isVideoKeyframe(m.Payload) && !header
	s.liveMu.Lock()
	ls := s.lives[name]
	if ls == nil || ls.pub != ss {
		s.liveMu.Unlock()
		return
	}
	body := m.Payload
	switch {
	case !media:
		if ls.meta = metadata(m.Payload); ls.meta == nil {
			s.liveMu.Unlock()
			return
		}
		body = ls.meta
	case m.TypeID == message.TypeIDVideoMessage && header:
		ls.avcHeader = bytes.Clone(m.Payload)
	case header:
		ls.aacHeader = bytes.Clone(m.Payload)
	}
	if media {
		ls.lastMedia, ls.lastTS = s.clk.Now(), m.Timestamp
	}
	to := ss.relayTo[:0]
	defer func() { clear(to); ss.relayTo = to[:0] }()
	var done []liveSub
	for sub, st := range ls.subs {
		if !st.ready {
			continue // its join is being sent: it gets the headers from there
		}
		if media && !header && st.waitKey {
			if !key {
				continue
			}
			st.waitKey = false
		}
		to = append(to, sub)
		if media && !header && st.sent(m.Timestamp) {
			done = append(done, sub)
			delete(ls.subs, sub)
		}
	}
	s.liveMu.Unlock()
	defer func() {
		for _, sub := range done {
			sub.lengthPlayed(ctx, name)
		}
	}()
	if s.mediaStalled() {
		return // the server-side stall: the publisher is read, players get nothing
	}
	csid, typeID := rtmpconn.CSIDVideo, byte(m.TypeID)
	switch m.TypeID {
	case message.TypeIDAudioMessage:
		csid = rtmpconn.CSIDAudio
	case message.TypeIDDataMessageAMF0, message.TypeIDDataMessageAMF3:
		csid, typeID = rtmpconn.CSIDData, byte(message.TypeIDDataMessageAMF0)
	}
	for _, sub := range to {
		if media && !header {
			ls.out.send(ctx, sub, csid, m.Timestamp, typeID, body)
			continue
		}
		if err := sub.ss.conn.WriteRaw(ctx, csid, m.Timestamp, sub.sid, typeID, body); err != nil {
			_ = sub.ss.conn.Close() // a player that cannot keep up is dropped
		}
	}
}

// metadata turns a publisher's data message into the onMetaData players get: a
// @setDataFrame("onMetaData", values) loses its first value; anything but onMetaData is not
// relayed (nil).
func metadata(p []byte) []byte {
	vs, err := amf0.DecodeAll(p, amf0.DefaultLimits)
	if err != nil || len(vs) == 0 {
		return nil
	}
	if name, _ := vs[0].(string); name == "@setDataFrame" {
		skip := 3 + len(name) // the string marker, its length and the name
		if skip >= len(p) {
			return nil
		}
		p, vs = p[skip:], vs[1:]
	}
	if len(vs) == 0 {
		return nil
	}
	if name, _ := vs[0].(string); name != "onMetaData" {
		return nil
	}
	return bytes.Clone(p)
}

// playLive subscribes the NetStream to a live name: Play.Reset and Play.Start now, then —
// when a publisher is live — Play.PublishNotify, its metadata and sequence headers, and its
// media from the next keyframe; with no publisher the player waits (AMS: play(name, -1)
// waits for a live stream indefinitely) and gets PublishNotify once one publishes. A length
// >= 0 (play's len) ends the subscription once that much media went by (Play.Stop).
func (ss *session) playLive(ctx context.Context, sid uint32, name string, length time.Duration) error {
	ss.stopPlayback(sid)
	ss.unsubscribe(sid)
	s, c := ss.srv, ss.conn
	sub := liveSub{ss: ss, sid: sid}
	s.liveMu.Lock()
	ls := s.liveLocked(name)
	ls.subs[sub] = &subState{waitKey: true, length: length}
	s.liveMu.Unlock()
	ss.mu.Lock()
	ss.subscribed[sid] = name
	ss.mu.Unlock()
	s.emit(Event{Kind: EventPlay, Session: ss.id, Client: ss.raw.RemoteAddr().String(), Stream: name, StreamID: sid,
		Command: "play", TransMode: "live", StartFrame: -1})
	err := errors.Join(
		c.WriteUserControl(ctx, &message.UserCtrlEventStreamBegin{StreamID: sid}),
		c.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil, info("status", status.PlayReset, "Playing and resetting "+name+".")),
		c.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil, playStart(name)),
	)
	if err != nil {
		return err
	}
	// The join: headers and metadata as they are now, sent before any relayed media (the
	// relay skips a subscriber until it is ready). Holding liveMu keeps them current.
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	if ls.pub != nil {
		err = errors.Join(c.WriteCommand(ctx, rtmpconn.CSIDData, sid, "onStatus", 0, nil, publishNotify(name)),
			ss.sendHeaders(ctx, ls, sid))
	}
	if st := ls.subs[sub]; st != nil {
		st.ready = true
	}
	return err
}

// sendHeaders sends a subscriber the stream's metadata and sequence headers (under liveMu).
func (ss *session) sendHeaders(ctx context.Context, ls *liveStream, sid uint32) error {
	c := ss.conn
	var errs []error
	if ls.meta != nil {
		errs = append(errs, c.WriteRaw(ctx, rtmpconn.CSIDData, ls.lastTS, sid, byte(message.TypeIDDataMessageAMF0), ls.meta))
	}
	if ls.avcHeader != nil {
		errs = append(errs, c.WriteRaw(ctx, rtmpconn.CSIDVideo, ls.lastTS, sid, byte(message.TypeIDVideoMessage), ls.avcHeader))
	}
	if ls.aacHeader != nil {
		errs = append(errs, c.WriteRaw(ctx, rtmpconn.CSIDAudio, ls.lastTS, sid, byte(message.TypeIDAudioMessage), ls.aacHeader))
	}
	return errors.Join(errs...)
}

// unsubscribe removes the NetStream's live subscription, if any.
func (ss *session) unsubscribe(sid uint32) {
	name, ok := ss.take(ss.subscribed, sid)
	if !ok {
		return
	}
	s := ss.srv
	s.liveMu.Lock()
	defer s.liveMu.Unlock()
	if ls := s.lives[name]; ls != nil {
		delete(ls.subs, liveSub{ss: ss, sid: sid})
		if ls.pub == nil && len(ls.subs) == 0 {
			delete(s.lives, name)
		}
	}
}

// take removes and returns a NetStream's entry of one of the session's live maps.
func (ss *session) take(m map[uint32]string, sid uint32) (string, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	name, ok := m[sid]
	delete(m, sid)
	return name, ok
}

// sids lists the NetStreams in one of the session's live maps: all of them, or with name
// only those of that name.
func (ss *session) sids(m map[uint32]string, name string) []uint32 {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var out []uint32
	for sid, n := range m {
		if name == "" || n == name {
			out = append(out, sid)
		}
	}
	return out
}

// onFCUnpublish ends the session's publication of name (Unpublish.Success to the publisher).
func (ss *session) onFCUnpublish(ctx context.Context, name string) {
	if name == "" {
		return
	}
	for _, sid := range ss.sids(ss.publishing, name) {
		ss.unpublish(ctx, sid, "FCUnpublish", true)
	}
}

// endLive unpublishes and unsubscribes everything of an ending session.
func (ss *session) endLive(ctx context.Context, reason string) {
	for _, sid := range ss.sids(ss.publishing, "") {
		ss.unpublish(ctx, sid, reason, false)
	}
	for _, sid := range ss.sids(ss.subscribed, "") {
		ss.unsubscribe(sid)
	}
}

// watchIdle drops the publisher when it has sent no media for timeout (nginx-rtmp's
// drop_idle_publisher): its session is closed, which unpublishes the name.
func (ss *session) watchIdle(ctx context.Context, ls *liveStream, timeout time.Duration) {
	s := ss.srv
	every := max(timeout/4, 10*time.Millisecond)
	for {
		if clock.Sleep(ctx, s.clk, every) != nil {
			return
		}
		s.liveMu.Lock()
		mine := ls.pub == ss
		idle := s.clk.Now().Sub(ls.lastMedia)
		s.liveMu.Unlock()
		if !mine {
			return
		}
		if idle >= timeout {
			s.emit(Event{Kind: EventError, Session: ss.id, Stream: ls.name,
				Reason: fmt.Sprintf("idle publisher dropped: no media for %v", idle.Round(time.Millisecond))})
			_ = ss.conn.Close()
			return
		}
	}
}

// pinger sends a User Control PingRequest every interval and closes the session when no
// byte at all arrived for timeout (nginx-rtmp ping semantics: any byte counts as life).
func (ss *session) pinger(ctx context.Context, interval, timeout time.Duration) {
	s, c := ss.srv, ss.conn
	last, alive := c.BytesRead(), s.clk.Now()
	for {
		if clock.Sleep(ctx, s.clk, interval) != nil {
			return
		}
		now := s.clk.Now()
		if b := c.BytesRead(); b != last {
			last, alive = b, now
		}
		if silent := now.Sub(alive); silent >= timeout {
			s.emit(Event{Kind: EventError, Session: ss.id, Reason: fmt.Sprintf("ping timeout: no byte for %v", silent.Round(time.Millisecond))})
			_ = c.Close()
			return
		}
		ts := uint32(now.UnixMilli())
		if err := c.WriteUserControl(ctx, &message.UserCtrlEventPingRequest{Timestamp: ts}); err != nil {
			return
		}
	}
}
