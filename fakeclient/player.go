package fakeclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/status"
)

// PlayerConfig configures a Player. Zero values take the defaults.
type PlayerConfig struct {
	// ID is how the client names itself to the server: every connection carries it, with
	// the connection's number, in the connect command (see Identity); empty sends none.
	ID string
	// Addr is the host:port to connect to (a Toxiproxy route or the server itself).
	Addr string
	// App is the RTMP application (default "vod").
	App string
	// Stream is the stream to play: shorthand for a Script of one reset.
	Stream string
	// Script is the play script: play2 calls, the first a reset at 0.
	Script []PlayItem
	// Command is how it plays and resumes: CommandPlay2 (default), CommandPlay or CommandSeek
	// (one stream).
	Command string
	// BufferTime is how much media must be buffered before playback starts (default 3s).
	BufferTime time.Duration
	// Reconnect is the Stream Reconnect policy; nil: a lost connection ends playback.
	Reconnect *Reconnect
	// StallMonitor detects half-open links; nil: no monitor.
	StallMonitor *StallMonitor
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
	// Tick is the shortest sleep of the player between two looks at its buffer (default 10ms).
	// It wakes when its buffer would run dry, for a stall check, and after what arrives while
	// it is not playing (at least every maxTick); it stamps each frame it passed with the
	// frame's own turn and each buffer sample with its own time.
	Tick time.Duration
	// SampleEvery is the buffer sampling period (default 250ms).
	SampleEvery time.Duration
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
		cfg.Script = []PlayItem{{Stream: cfg.Stream, Transition: "reset"}}
	}
	if err := validScript(cfg.Script); err != nil {
		return nil, err
	}
	if cfg.Command == "" {
		cfg.Command = CommandPlay2
	}
	if cfg.Command != CommandPlay2 && len(cfg.Script) > 1 {
		return nil, fmt.Errorf("player: %s plays one stream, not a script of %d", cfg.Command, len(cfg.Script))
	}
	cfg.Stream = cfg.Script[0].Stream
	if cfg.Mutant != "" && !slices.Contains(Mutants, cfg.Mutant) {
		return nil, fmt.Errorf("player: unknown mutant %q (known: %s)", cfg.Mutant, strings.Join(Mutants, ", "))
	}
	if cfg.App == "" {
		cfg.App = "vod"
	}
	if cfg.BufferTime <= 0 {
		cfg.BufferTime = DefaultBufferTime
	}
	cfg.Reconnect = defaulted(cfg.Reconnect)
	cfg.StallMonitor = defaulted(cfg.StallMonitor)
	if cfg.Tick <= 0 {
		cfg.Tick = 10 * time.Millisecond
	}
	if cfg.SampleEvery <= 0 {
		cfg.SampleEvery = 250 * time.Millisecond
	}
	return &Player{cfg: cfg, clk: clock.Or(cfg.Clock), switches: make(chan string, 8), moves: make(chan string, 8)}, nil
}

// frame is a buffered video frame.
type frame struct {
	id      media.Identity
	ts      time.Duration
	arrived time.Time // when the loop took it: it is not rendered earlier
}

// connEvent is what a connection goroutine tells the player loop.
type connEvent struct {
	n        int
	attached *netConnection // connect and createStream succeeded; the loop sends the plan
	sent     *sentCmd       // a play2 went out
	bw       *Event         // a bandwidth-check result
	msg      *rtmpconn.Message
	media    mediaMsg // an audio or video message, digested where it was read
	err      error    // with failed: could not open; otherwise: connection ended
	failed   bool
}

// play2Cmd is one play2 call with the player's playlist once it is applied.
type play2Cmd struct {
	step     PlayItem
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

	items      []PlayItem // the playlist as the player built it
	scriptSent bool       // the steps at 0 went out
	nextStep   int        // the first script step not yet applied
	stepTimer  <-chan time.Time
	curStream  string                   // the item frames currently arrive from
	itemStart  map[string]time.Duration // stream time of the first frame seen of each item

	buf       []frame
	heldTs    time.Duration // stream time of the last frame held or shown
	frameDur  time.Duration
	playhead  time.Duration
	started   bool // a frame arrived: playhead positioned on it
	playing   bool
	complete  bool // the server said the playlist ended
	mutated   bool // a one-shot mutant behaviour has fired
	lastTick  time.Time
	nextSamp  time.Time // the next buffer sample's time (samplesDue)
	seenBytes int64     // bytes read, as of the player's last wake

	hashes  frameHashes // real media frames received, by identity
	usable  bool        // a video frame the player can show has arrived
	useless int         // media messages before the first usable frame
	warned  bool        // the player said it received nothing it can use

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

	evs := newInbox()
	var batch []connEvent
	st := &playState{frameDur: media.DefaultFrame, lastTick: p.clk.Now(), addr: p.cfg.Addr, itemStart: map[string]time.Duration{}}
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
		case <-evs.ready:
			p.samplesDue(st, p.clk.Now()) // before what arrived changes the buffer
			batch = evs.take(batch)
			for _, ev := range batch {
				if err := p.onEvent(st, ev); err != nil {
					return err
				}
			}
			clear(batch)     // the next batch may be shorter: hold no message past its turn
			if !st.playing { // what arrived may fill the buffer, end or fail the playback
				if done, err := p.tick(st); done {
					return err
				}
				tick = p.clk.After(p.nextTick(st))
			}
		case addr := <-p.switches:
			st.addr = addr
			p.emit(Event{Kind: EventStatus, Code: status.ConnectNetworkChange, Conn: st.n, Message: "next connections go to " + addr})
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
			if done, err := p.tick(st); done {
				return err
			}
			tick = p.clk.After(p.nextTick(st))
		}
	}
}

// onEvent applies one event of a connection; an error ends playback.
func (p *Player) onEvent(st *playState, ev connEvent) error {
	if ev.sent != nil { // a request that went out is history, even on a connection
		p.sent(ev) // superseded meanwhile (its answer can overtake this event)
		return nil
	}
	if ev.n != st.n && ev.n != st.moving {
		return nil // a superseded connection
	}
	return p.onConn(st, ev)
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
		st.cur.closeSelf() // the ordinary reconnect follows, to addr
	default:
		st.moving = open()
	}
}

func (p *Player) emit(ev Event) { emit(p.cfg.OnEvent, p.clk, ev) }

// sent records a play2 request written on connection ev.n, at the time it was written.
func (p *Player) sent(ev connEvent) {
	c := ev.sent.cmd
	p.emit(Event{Time: ev.sent.at, Kind: EventPlayRequest, Conn: ev.n, Stream: c.step.Stream, OldStream: c.step.OldStream,
		Transition: c.step.Transition, Offset: c.offset, Playlist: c.playlist, Command: p.cfg.Command})
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
		p.emit(Event{Kind: EventStatus, Code: status.ConnectFailed, Conn: ev.n, Message: "load-balance move failed: " + msg})
		if st.cur == nil && !st.complete {
			p.scheduleRetry(st)
		}
	case ev.failed:
		p.emit(Event{Kind: EventStatus, Code: status.ConnectFailed, Conn: ev.n, Message: ev.err.Error()})
		p.scheduleRetry(st)
	case ev.attached != nil:
		p.emit(Event{Kind: EventStatus, Code: status.ConnectSuccess, Conn: ev.n,
			Message: "server version " + ev.attached.version + " via " + ev.attached.conn.RemoteAddr().String() + tlsNote(ev.attached.conn)})
		if ev.n == st.moving { // the move's attach succeeded: now close the old connection
			st.moving = 0
			if old := st.cur; old != nil {
				st.bytesPrior += old.conn.BytesRead()
				old.closeSelf()
				p.emit(Event{Kind: EventStatus, Code: status.ConnectClosed, Conn: st.n, SelfClosed: true, Message: "closed after the attach (load-balance move)"})
			}
			st.n, st.retry = ev.n, nil
		}
		st.cur, st.lastBytes, st.strikes = ev.attached, 0, 0
		st.cur.send(p.plan(st))
	case ev.bw != nil:
		p.emit(*ev.bw)
	case ev.media.typeID != 0:
		p.onMedia(st, ev.n, ev.media)
	case ev.msg != nil:
		return p.onMessage(st, ev.n, ev.msg)
	default: // the connection ended
		self := false
		if st.cur != nil {
			st.bytesPrior += st.cur.conn.BytesRead()
			self = st.cur.selfClosed.Load()
			st.cur = nil
		}
		msg := "closed"
		if ev.err != nil {
			msg = ev.err.Error()
		}
		p.emit(Event{Kind: EventStatus, Code: status.ConnectClosed, Conn: ev.n, Message: msg, SelfClosed: self})
		if !st.complete && st.moving == 0 {
			p.scheduleRetry(st)
		}
	}
	return nil
}

func (p *Player) scheduleRetry(st *playState) {
	if p.cfg.Reconnect == nil {
		st.gaveUp = errors.New("connection lost and reconnect is disabled")
		return
	}
	if st.tries >= p.cfg.Reconnect.MaxTries {
		st.gaveUp = fmt.Errorf("gave up reconnecting after %d tries", st.tries)
		p.emit(Event{Kind: EventStatus, Code: status.ConnectFailed, Message: st.gaveUp.Error()})
		return
	}
	delay := time.Duration(0)
	if st.tries > 0 {
		delay = p.cfg.Reconnect.Delay.D()
	}
	st.tries++
	st.retry = p.clk.After(delay)
}

// onMessage takes a command or data message (audio and video come digested: onMedia).
func (p *Player) onMessage(st *playState, n int, m *rtmpconn.Message) error {
	switch {
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
		p.emit(Event{Kind: EventStatus, Code: code, Conn: n, Message: m.Command.Description()})
		switch code {
		case status.PlayStart:
			st.tries = 0
			if p.cfg.Mutant == MutantDoubleReconnect && !st.mutated && st.cur != nil && st.scriptSent && n > 1 {
				st.mutated = true
				st.cur.closeSelf()
			}
		case status.PlayStop, status.PlayComplete:
			st.complete = true
		case status.PlayFailed, status.PlayStreamNotFound:
			if !st.started {
				st.gaveUp = fmt.Errorf("server answered %s", code)
			}
		}
	}
	return nil
}
