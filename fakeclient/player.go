package fakeclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/yutopp/go-rtmp/message"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// MutantResumeFromStart is a broken player: after a drop it asks to resume at offset 0 and
// appends whatever arrives without splicing, so it shows frames twice.
const MutantResumeFromStart = "resume-from-start"

// MutantDoubleReconnect is a broken player: once a resume has started playing it drops its
// new connection one more time (as a spurious stall timer would) and resumes again, so one
// outage costs two reconnects.
const MutantDoubleReconnect = "double-reconnect"

// MutantNoStallMonitor is a broken player: its stall monitor never fires, so on a half-open
// link (no Connect.Closed) it waits until the link comes back or closes.
const MutantNoStallMonitor = "no-stall-monitor"

// MutantSlowBandwidthReply is a broken player: it answers each onBWCheck that carries a
// payload 250 ms late (as if it consumed data slowly), so the server under-measures its
// bandwidth. (A delay on every answer would also inflate the latency probe, which the server
// subtracts.)
const MutantSlowBandwidthReply = "slow-bw-reply"

// MutantRebuildWithAppend is a broken player: when it rebuilds its playlist after a drop it
// re-adds the earlier items with append instead of appendAndWait, so the server starts
// streaming them at once and they arrive twice.
const MutantRebuildWithAppend = "rebuild-with-append"

// MutantResumeAtItemStart is a broken player: it resumes at the stream time where the current
// playlist item began instead of the end of its buffer, and shows what arrives unspliced.
const MutantResumeAtItemStart = "resume-at-item-start"

// MutantCloseBeforeAttach is a broken player: on a load-balance move it closes its old
// connection first and only then connects to the new server, so playback depends on the
// buffer bridging the whole connect.
const MutantCloseBeforeAttach = "close-before-attach"

// Mutants lists the player's deliberately broken behaviours.
var Mutants = []string{MutantResumeFromStart, MutantDoubleReconnect, MutantNoStallMonitor, MutantSlowBandwidthReply,
	MutantRebuildWithAppend, MutantResumeAtItemStart, MutantCloseBeforeAttach}

// Transitions lists the play2 transitions a play script may use.
var Transitions = []string{"reset", "append", "appendAndWait", "switch", "swap", "stop"}

// Event kinds a player reports.
const (
	EventStatus      = "status"          // Code holds a NetConnection/NetStream status code
	EventPlayRequest = "play.request"    // a play2 sent on connection Conn: Stream, Transition, Offset
	EventReceived    = "frames.received" // video frames First..Last arrived on connection Conn
	EventDropped     = "frames.dropped"  // frames First..Last arrived but were already held
	EventRendered    = "frames.rendered" // frames First..Last passed the playhead, in order
	EventSample      = "buffer"          // BufferLength, Playhead and BytesIn sampled
	EventStall       = "stall.detected"  // the stall monitor gave up on connection Conn
	EventBandwidth   = "bandwidth"       // the server's onBWDone: Kbps, Latency
	EventMove        = "move"            // a load-balance move of connection Conn began; Message names the target
)

// Event is something a player did or saw.
type Event struct {
	// Time is when it happened (player clock).
	Time time.Time
	// Kind is one of the Event* constants.
	Kind string
	// Code is the status code (status events).
	Code string
	// Conn numbers the NetConnection, from 1; 0 when not tied to one.
	Conn int
	// Stream is the stream name (frame and play events).
	Stream string
	// First and Last delimit a run of frame indices (frame events).
	First, Last int
	// Transition and Offset describe a play2 request (play.request); Offset is in seconds.
	Transition string
	Offset     float64
	// OldStream is a switch or swap request's oldStreamName (play.request).
	OldStream string
	// Playlist is the player's playlist once the request is applied (play.request).
	Playlist []string
	// StreamTime is the stream time of frame First (frame events).
	StreamTime time.Duration
	// BufferLength and Playhead are sampled in buffer events (Playhead is stream time).
	BufferLength, Playhead time.Duration
	// BytesIn counts bytes received over all connections so far (buffer events).
	BytesIn int64
	// BytesOut is the bytes sent in a bitrate check's interval (bitrate events).
	BytesOut int64
	// Strikes counts checks in a row that failed (bitrate, pings.missing) or the restore
	// attempt number (restore.attempt).
	Strikes int
	// Kbps and Latency are the server's bandwidth-check results (bandwidth events).
	Kbps    float64
	Latency time.Duration
	// Message carries an error or detail.
	Message string
}

// ReconnectPolicy is Stream Reconnect: on NetConnection.Connect.Closed, open a new connection
// and play2 "resume" from the end of the buffered media.
type ReconnectPolicy struct {
	// Enabled turns reconnection on.
	Enabled bool
	// MaxTries bounds connection attempts per outage (default 5).
	MaxTries int
	// Delay is the wait between attempts after the first, which is immediate (default 250ms).
	Delay time.Duration
}

// StallMonitor detects half-open links, where Connect.Closed never comes (Flash Player's
// Stream Reconnect recipe): every Interval, if the buffer is below bufferTime and the
// connection's byte count has not grown, count a strike; after Ticks strikes in a row close the
// connection and reconnect.
type StallMonitor struct {
	// Interval is the check period; zero disables the monitor.
	Interval time.Duration
	// Ticks is the number of strikes in a row that end the connection (default 2).
	Ticks int
}

// PlayerConfig configures a Player. Zero values take the defaults.
type PlayerConfig struct {
	// Addr is the host:port to connect to (a Toxiproxy route or the server itself).
	Addr string
	// App is the RTMP application (default "vod").
	App string
	// Stream is the stream to play: shorthand for a Script of one reset.
	Stream string
	// Script is the play script: play2 calls, the first a reset at 0.
	Script []PlayStep
	// BufferTime is how much media must be buffered before playback starts (default 3s).
	BufferTime time.Duration
	// Reconnect is the Stream Reconnect policy.
	Reconnect ReconnectPolicy
	// StallMonitor detects half-open links.
	StallMonitor StallMonitor
	// BandwidthCheck asks the server for a bandwidth check (checkBandwidth, answered
	// onBWCheck calls, onBWDone) on the first connection, before playing.
	BandwidthCheck bool
	// Mutant selects a deliberately broken behaviour (see Mutants); empty is correct.
	Mutant string
	// Clock drives the playhead; default the real clock.
	Clock clock.Clock
	// OnEvent receives every event, from the goroutine calling Run.
	OnEvent func(Event)
	// Conn bounds handshakes and writes.
	Conn rtmpconn.Options
	// Tick is the playhead update period (default 10ms).
	Tick time.Duration
	// SampleEvery is the buffer sampling period (default 250ms).
	SampleEvery time.Duration
}

// PlayStep is one play2 call of a play script.
type PlayStep struct {
	// At is when to send it, from the start of Run; every step at 0 goes out on the first
	// connection, a later one on whatever connection is current (or into the playlist that
	// the next reconnect rebuilds).
	At time.Duration
	// Stream is streamName; OldStream is oldStreamName (switch, swap).
	Stream, OldStream string
	// Transition is reset, append, appendAndWait, switch, swap or stop; any other is sent as
	// written (the server must answer NetStream.Play.Failed) and leaves the playlist alone.
	Transition string
	// Start is where in the stream to start; Len how long to play (0: to the end).
	Start, Len time.Duration
}

// Player is a scripted Flash-like player for VOD playlists.
type Player struct {
	cfg      PlayerConfig
	clk      clock.Clock
	switches chan string // new addresses from SwitchAddr, applied by Run's loop
	moves    chan string // load-balance targets from MoveTo
}

// MoveTo is a load-balance move (Stream Reconnect recipe): the player attaches its NetStream
// to a new connection to addr, closes the old connection once the attach succeeded, and
// resumes there with its playlist and the end of its buffer. Safe for concurrent use.
func (p *Player) MoveTo(addr string) error {
	return offer(p.moves, addr, "player moves")
}

// SwitchAddr tells the player its network changed: later connections go to addr. Like Flash
// Player's NetConnection.Connect.NetworkChange it is informational — the current connection
// is kept, and the player reconnects only when that connection closes. Safe for concurrent use.
func (p *Player) SwitchAddr(addr string) error {
	return offer(p.switches, addr, "player network changes")
}

// NewPlayer validates cfg.
func NewPlayer(cfg PlayerConfig) (*Player, error) {
	if cfg.Addr == "" {
		return nil, errors.New("player: no address")
	}
	if len(cfg.Script) == 0 {
		if cfg.Stream == "" {
			return nil, errors.New("player: no stream")
		}
		cfg.Script = []PlayStep{{Stream: cfg.Stream, Transition: "reset"}}
	}
	if err := validScript(cfg.Script); err != nil {
		return nil, err
	}
	cfg.Stream = cfg.Script[0].Stream
	if cfg.Mutant != "" && !slices.Contains(Mutants, cfg.Mutant) {
		return nil, fmt.Errorf("player: unknown mutant %q (known: %v)", cfg.Mutant, Mutants)
	}
	if cfg.App == "" {
		cfg.App = "vod"
	}
	if cfg.BufferTime <= 0 {
		cfg.BufferTime = 3 * time.Second
	}
	if cfg.Reconnect.MaxTries <= 0 {
		cfg.Reconnect.MaxTries = 5
	}
	if cfg.Reconnect.Delay <= 0 {
		cfg.Reconnect.Delay = 250 * time.Millisecond
	}
	if cfg.Tick <= 0 {
		cfg.Tick = 10 * time.Millisecond
	}
	if cfg.SampleEvery <= 0 {
		cfg.SampleEvery = 250 * time.Millisecond
	}
	if cfg.StallMonitor.Interval > 0 && cfg.StallMonitor.Ticks <= 0 {
		cfg.StallMonitor.Ticks = 2
	}
	return &Player{cfg: cfg, clk: clock.Or(cfg.Clock), switches: make(chan string, 8), moves: make(chan string, 8)}, nil
}

// validScript checks a play script: it starts with a reset at 0, steps are in time order,
// transitions are known and name what they need.
func validScript(script []PlayStep) error {
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

// frame is a buffered video frame.
type frame struct {
	id media.Identity
	ts time.Duration
}

// connEvent is what a connection goroutine tells the player loop.
type connEvent struct {
	n        int
	attached *netConnection // connect and createStream succeeded; the loop sends the plan
	sent     *sentCmd       // a play2 went out
	bw       *Event         // a bandwidth-check result
	msg      *rtmpconn.Message
	err      error // with failed: could not open; otherwise: connection ended
	failed   bool
}

// play2Cmd is one play2 call with the player's playlist once it is applied.
type play2Cmd struct {
	step     PlayStep
	offset   float64 // seconds (resume)
	playlist []string
}

type sentCmd struct {
	cmd play2Cmd
	at  time.Time
}

// playState is owned by Run's loop.
type playState struct {
	seq        int    // connections opened so far
	n          int    // the current connection's number
	moving     int    // the connection a load-balance move is attaching, 0 when none
	addr       string // where the next connection goes
	cur        *netConnection
	bytesPrior int64 // bytes read on earlier connections
	tries      int
	retry      <-chan time.Time
	gaveUp     error

	items      []PlayStep // the playlist as the player built it
	scriptSent bool       // the steps at 0 went out
	nextStep   int        // the first script step not yet applied
	stepTimer  <-chan time.Time
	curStream  string                   // the item frames currently arrive from
	itemStart  map[string]time.Duration // stream time of the first frame seen of each item

	buf      []frame
	heldTs   time.Duration // stream time of the last frame held or shown
	frameDur time.Duration
	playhead time.Duration
	started  bool // a frame arrived: playhead positioned on it
	playing  bool
	complete bool // the server said the playlist ended
	mutated  bool // a one-shot mutant behaviour has fired
	lastTick time.Time
	nextSamp time.Time

	nextCheck time.Time // stall monitor
	lastBytes int64
	strikes   int
}

// Run plays the script until the playlist has been rendered to the end (nil), reconnection
// gave up or the server refused (error), or ctx ends. Every goroutine it starts has ended
// when it returns.
func (p *Player) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()

	evs := make(chan connEvent)
	st := &playState{frameDur: 40 * time.Millisecond, lastTick: p.clk.Now(), addr: p.cfg.Addr, itemStart: map[string]time.Duration{}}
	t0 := p.clk.Now()
	open := func() int {
		st.seq++
		n, addr := st.seq, st.addr
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.session(ctx, n, addr, evs)
		}()
		return n
	}
	st.n = open()
	p.armStep(st, t0)
	tick := p.clk.After(p.cfg.Tick)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-evs:
			if ev.sent != nil { // a request that went out is history, even on a connection
				p.sent(ev) // superseded meanwhile (its answer can overtake this event)
				continue
			}
			if ev.n != st.n && ev.n != st.moving {
				continue // a superseded connection
			}
			if err := p.onConn(st, ev); err != nil {
				return err
			}
		case addr := <-p.switches:
			st.addr = addr
			p.emit(Event{Kind: EventStatus, Code: NetworkChange, Conn: st.n, Message: "next connections go to " + addr})
		case addr := <-p.moves:
			p.move(st, addr, open)
		case <-st.stepTimer:
			st.stepTimer = nil
			p.runStep(st)
			p.armStep(st, t0)
		case <-st.retry:
			st.retry = nil
			st.n = open()
		case <-tick:
			tick = p.clk.After(p.cfg.Tick)
			if done, err := p.tick(st); done {
				return err
			}
		}
	}
}

// armStep sets the timer of the next timed script step.
func (p *Player) armStep(st *playState, t0 time.Time) {
	for st.nextStep < len(p.cfg.Script) && p.cfg.Script[st.nextStep].At == 0 {
		st.nextStep++ // sent with the first connection's plan
	}
	if st.nextStep < len(p.cfg.Script) {
		st.stepTimer = p.clk.After(t0.Add(p.cfg.Script[st.nextStep].At).Sub(p.clk.Now()))
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
func (p *Player) apply(st *playState, s PlayStep) play2Cmd {
	replace := func(old string) {
		for i, it := range st.items {
			if it.Stream == old {
				st.items[i] = PlayStep{Stream: s.Stream, Start: s.Start, Len: s.Len}
				if s.Transition == "switch" {
					st.items[i].Start, st.items[i].Len = it.Start, it.Len
				}
				return
			}
		}
	}
	switch s.Transition {
	case "reset":
		st.items = []PlayStep{s}
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

func playlistNames(items []PlayStep) []string {
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

// move starts a load-balance move to addr: a new connection is attached first (onConn closes
// the old one then). Without a connection the next reconnect simply goes to addr.
func (p *Player) move(st *playState, addr string, open func() int) {
	st.addr = addr
	p.emit(Event{Kind: EventMove, Conn: st.n, Message: "load-balance move to " + addr})
	switch {
	case st.cur == nil || st.moving != 0:
		return
	case p.cfg.Mutant == MutantCloseBeforeAttach:
		_ = st.cur.conn.Close() // the ordinary reconnect follows, to addr
	default:
		st.moving = open()
	}
}

func (p *Player) emit(ev Event) { emit(p.cfg.OnEvent, p.clk, ev) }

// sent records a play2 request written on connection ev.n, at the time it was written.
func (p *Player) sent(ev connEvent) {
	c := ev.sent.cmd
	p.emit(Event{Time: ev.sent.at, Kind: EventPlayRequest, Conn: ev.n, Stream: c.step.Stream, OldStream: c.step.OldStream,
		Transition: c.step.Transition, Offset: c.offset, Playlist: c.playlist})
}

// onConn applies one connection event; an error ends playback.
func (p *Player) onConn(st *playState, ev connEvent) error {
	switch {
	case ev.n == st.moving && (ev.failed || ev.attached == nil):
		st.moving = 0
		msg := "the move's connection ended before attaching"
		if ev.err != nil {
			msg = ev.err.Error()
		}
		p.emit(Event{Kind: EventStatus, Code: ConnectFailed, Conn: ev.n, Message: "load-balance move failed: " + msg})
		if st.cur == nil && !st.complete {
			p.scheduleRetry(st)
		}
	case ev.failed:
		p.emit(Event{Kind: EventStatus, Code: ConnectFailed, Conn: ev.n, Message: ev.err.Error()})
		p.scheduleRetry(st)
	case ev.attached != nil:
		p.emit(Event{Kind: EventStatus, Code: ConnectSuccess, Conn: ev.n,
			Message: "server version " + ev.attached.version + " via " + ev.attached.conn.RemoteAddr().String()})
		if ev.n == st.moving { // the move's attach succeeded: now close the old connection
			st.moving = 0
			if old := st.cur; old != nil {
				st.bytesPrior += old.conn.BytesRead()
				_ = old.conn.Close()
				p.emit(Event{Kind: EventStatus, Code: ConnectClosed, Conn: st.n, Message: "closed after the attach (load-balance move)"})
			}
			st.n, st.retry = ev.n, nil
		}
		st.cur, st.lastBytes, st.strikes = ev.attached, 0, 0
		st.cur.send(p.plan(st))
	case ev.bw != nil:
		p.emit(*ev.bw)
	case ev.msg != nil:
		return p.onMessage(st, ev.n, ev.msg)
	default: // the connection ended
		if st.cur != nil {
			st.bytesPrior += st.cur.conn.BytesRead()
			st.cur = nil
		}
		msg := "closed"
		if ev.err != nil {
			msg = ev.err.Error()
		}
		p.emit(Event{Kind: EventStatus, Code: ConnectClosed, Conn: ev.n, Message: msg})
		if !st.complete && st.moving == 0 {
			p.scheduleRetry(st)
		}
	}
	return nil
}

func (p *Player) scheduleRetry(st *playState) {
	if !p.cfg.Reconnect.Enabled {
		st.gaveUp = errors.New("connection lost and reconnect is disabled")
		return
	}
	if st.tries >= p.cfg.Reconnect.MaxTries {
		st.gaveUp = fmt.Errorf("gave up reconnecting after %d tries", st.tries)
		p.emit(Event{Kind: EventStatus, Code: ConnectFailed, Message: st.gaveUp.Error()})
		return
	}
	delay := time.Duration(0)
	if st.tries > 0 {
		delay = p.cfg.Reconnect.Delay
	}
	st.tries++
	st.retry = p.clk.After(delay)
}

func (p *Player) onMessage(st *playState, n int, m *rtmpconn.Message) error {
	switch {
	case m.TypeID == message.TypeIDVideoMessage:
		id, ok := media.ParseVideo(m.Payload)
		if !ok {
			return nil // sequence header
		}
		ts := time.Duration(m.Timestamp) * time.Millisecond
		splice := p.cfg.Mutant != MutantResumeFromStart && p.cfg.Mutant != MutantResumeAtItemStart
		if splice && st.started && ts <= st.heldTs { // the splice, by stream time
			p.emit(Event{Kind: EventDropped, Conn: n, Stream: id.Stream, First: id.Index, Last: id.Index, StreamTime: ts})
			return nil
		}
		if !st.started {
			st.started, st.playhead = true, ts
		}
		if _, seen := st.itemStart[id.Stream]; !seen {
			st.itemStart[id.Stream] = ts
		}
		st.curStream = id.Stream
		st.buf = append(st.buf, frame{id: id, ts: ts})
		st.heldTs = ts
		p.emit(Event{Kind: EventReceived, Conn: n, Stream: id.Stream, First: id.Index, Last: id.Index, StreamTime: ts})
	case m.Command != nil && m.Command.Name == "onMetaData":
		meta, _ := m.Command.Arg(0).(map[string]any)
		if fps, ok := meta["framerate"].(float64); ok && fps > 0 {
			st.frameDur = time.Duration(float64(time.Second) / fps)
		}
	case m.Command != nil:
		code, ok := m.Command.Status()
		if !ok {
			return nil
		}
		p.emit(Event{Kind: EventStatus, Code: code, Conn: n})
		switch code {
		case PlayStart:
			st.tries = 0
			if p.cfg.Mutant == MutantDoubleReconnect && !st.mutated && st.cur != nil && st.scriptSent && n > 1 {
				st.mutated = true
				_ = st.cur.conn.Close()
			}
		case PlayStop, PlayComplete:
			st.complete = true
		case PlayFailed, "NetStream.Play.StreamNotFound":
			if !st.started {
				st.gaveUp = fmt.Errorf("server answered %s", code)
			}
		}
	}
	return nil
}

// tick advances the playhead, renders the frames it passed and updates the buffer state.
// It reports done when playback is over.
func (p *Player) tick(st *playState) (bool, error) {
	now := p.clk.Now()
	if st.playing {
		st.playhead += now.Sub(st.lastTick)
	}
	st.lastTick = now

	var run *Event
	flush := func() {
		if run != nil {
			p.emit(*run)
			run = nil
		}
	}
	for len(st.buf) > 0 && st.buf[0].ts <= st.playhead && st.playing {
		f := st.buf[0]
		st.buf = st.buf[1:]
		if run != nil && (run.Stream != f.id.Stream || run.Last+1 != f.id.Index) {
			flush()
		}
		if run == nil {
			run = &Event{Kind: EventRendered, Stream: f.id.Stream, First: f.id.Index, Last: f.id.Index, StreamTime: f.ts}
		} else {
			run.Last = f.id.Index
		}
	}
	flush()

	end := st.heldTs + st.frameDur
	bufLen := time.Duration(0)
	if len(st.buf) > 0 || (st.started && st.playhead < end) {
		bufLen = max(end-st.playhead, 0)
	}
	switch {
	case st.playing && len(st.buf) == 0 && st.playhead >= end:
		st.playhead = end
		if st.complete {
			p.sample(st, now, 0, true)
			return true, nil
		}
		st.playing = false
		p.emit(Event{Kind: EventStatus, Code: BufferEmpty})
	case !st.playing && st.started && (bufLen >= p.cfg.BufferTime || (st.complete && len(st.buf) > 0)):
		st.playing = true
		p.emit(Event{Kind: EventStatus, Code: BufferFull})
	}
	if !st.playing && len(st.buf) == 0 && st.gaveUp != nil && st.retry == nil {
		p.sample(st, now, bufLen, true)
		return true, st.gaveUp
	}
	p.sample(st, now, bufLen, false)
	p.monitor(st, now, bufLen)
	return false, nil
}

// monitor is the stall monitor: on a connection that is open but delivers nothing while the
// buffer is below bufferTime, it closes the connection after Ticks checks, which starts the
// ordinary reconnect.
func (p *Player) monitor(st *playState, now time.Time, bufLen time.Duration) {
	m := p.cfg.StallMonitor
	if m.Interval <= 0 || p.cfg.Mutant == MutantNoStallMonitor || now.Before(st.nextCheck) {
		return
	}
	st.nextCheck = now.Add(m.Interval)
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
		_ = st.cur.conn.Close() // the session ends; onConn reconnects
	}
}

func (p *Player) sample(st *playState, now time.Time, bufLen time.Duration, force bool) {
	if !force && now.Before(st.nextSamp) {
		return
	}
	st.nextSamp = now.Add(p.cfg.SampleEvery)
	in := st.bytesPrior
	if st.cur != nil {
		in += st.cur.conn.BytesRead()
	}
	p.emit(Event{Time: now, Kind: EventSample, Conn: st.n, BufferLength: bufLen, Playhead: st.playhead, BytesIn: in})
}

// send queues play2 calls on the connection's writer (never blocks the loop; a connection
// with 64 batches queued is beyond help and is closed).
func (nc *netConnection) send(cmds []play2Cmd) {
	if len(cmds) == 0 {
		return
	}
	select {
	case nc.cmds <- cmds:
	default:
		_ = nc.conn.Close()
	}
}

// session opens connection n, reports the attach, then writes the play2 calls the loop
// queues and forwards every message to the loop until the connection ends or ctx is
// cancelled.
func (p *Player) session(ctx context.Context, n int, addr string, out chan<- connEvent) {
	send := func(ev connEvent) bool { return deliver(ctx, out, ev) }
	nc, err := dial(ctx, addr, p.cfg.App, p.cfg.Conn)
	if err != nil {
		send(connEvent{n: n, err: err, failed: true})
		return
	}
	c := nc.conn
	defer c.Close()
	sctx, stopSession := context.WithCancel(ctx)
	var writer sync.WaitGroup
	defer func() { stopSession(); writer.Wait() }()
	stop := context.AfterFunc(sctx, func() { _ = c.Close() })
	defer stop()
	if p.cfg.BandwidthCheck && n == 1 {
		bw, err := p.bandwidthCheck(sctx, c)
		if err != nil {
			send(connEvent{n: n, err: err})
			return
		}
		bw.Conn = n
		if !send(connEvent{n: n, bw: bw}) {
			return
		}
	}
	nc.cmds = make(chan []play2Cmd, 64)
	writer.Add(1)
	go func() {
		defer writer.Done()
		p.writePlay2(sctx, n, nc, send)
	}()
	if !send(connEvent{n: n, attached: nc}) {
		return
	}
	for {
		m, err := readMessage(c)
		if err != nil {
			send(connEvent{n: n, err: err})
			return
		}
		if control, _ := userControl(ctx, c, m); !control && !send(connEvent{n: n, msg: m}) {
			return
		}
	}
}

// writePlay2 writes the queued play2 calls in order, each followed by the buffer length, and
// reports each one sent; a write error closes the connection.
func (p *Player) writePlay2(ctx context.Context, n int, nc *netConnection, send func(connEvent) bool) {
	c := nc.conn
	for {
		select {
		case <-ctx.Done():
			return
		case cmds := <-nc.cmds:
			for _, cmd := range cmds {
				s := cmd.step
				opts := map[string]any{"streamName": s.Stream, "transition": s.Transition,
					"start": s.Start.Seconds(), "len": -1.0, "offset": cmd.offset}
				if s.Len > 0 {
					opts["len"] = s.Len.Seconds()
				}
				if s.OldStream != "" {
					opts["oldStreamName"] = s.OldStream
				}
				at := p.clk.Now()
				err := errors.Join(
					c.WriteCommand(ctx, rtmpconn.CSIDData, nc.streamID, "play2", 0, nil, opts),
					c.WriteUserControl(ctx, &message.UserCtrlEventSetBufferLength{StreamID: nc.streamID, LengthMs: uint32(p.cfg.BufferTime.Milliseconds())}),
				)
				if err != nil {
					_ = c.Close()
					return
				}
				if !send(connEvent{n: n, sent: &sentCmd{cmd: cmd, at: at}}) {
					return
				}
			}
		}
	}
}

// bandwidthCheck asks the server to measure the bandwidth, answers its onBWCheck calls and
// returns its onBWDone, within 30 s.
func (p *Player) bandwidthCheck(ctx context.Context, c *rtmpconn.Conn) (*Event, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "checkBandwidth", 3, nil); err != nil {
		return nil, fmt.Errorf("bandwidth check: %w", err)
	}
	for {
		m, err := readMessage(c)
		if err != nil {
			return nil, fmt.Errorf("bandwidth check: %w", err)
		}
		if m.Command == nil {
			continue
		}
		switch m.Command.Name {
		case "onBWCheck":
			if p.cfg.Mutant == MutantSlowBandwidthReply && m.Command.Arg(1) != nil {
				if err := clock.Sleep(ctx, p.clk, 250*time.Millisecond); err != nil {
					return nil, err
				}
			}
			if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "_result", m.Command.TransactionID, nil, nil); err != nil {
				return nil, fmt.Errorf("bandwidth check: %w", err)
			}
		case "onBWDone":
			kbps, _ := m.Command.Arg(1).(float64)
			latency, _ := m.Command.Arg(4).(float64)
			return &Event{Kind: EventBandwidth, Kbps: kbps, Latency: time.Duration(latency) * time.Millisecond,
				Message: fmt.Sprintf("onBWDone %.0f kbps, latency %.0f ms", kbps, latency)}, nil
		}
	}
}
