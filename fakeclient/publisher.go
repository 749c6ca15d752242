package fakeclient

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/status"
)

// PublisherConfig configures a Publisher. Zero values take the defaults.
type PublisherConfig struct {
	// ID is how the client names itself to the server: every connection carries it, with
	// the connection's number, in the connect command (see Identity); empty sends none.
	ID string
	// Addr is the host:port to connect to.
	Addr string
	// App is the RTMP application (default "vod").
	App string
	// Stream is the name to publish.
	Stream string
	// File, when set, is an FLV file (real media, e.g. made by ffmpeg) sent looped instead of
	// the synthetic source; FPS and Bitrate then come from the file.
	File string
	// FPS is the source's frame rate (default 25).
	FPS int
	// Bitrate is the source's video bitrate in bits/s (default 400 kbps); frames are padded
	// to Bitrate/8/FPS bytes.
	Bitrate int
	// Codecs is the fallback list for codec changes (default [h264]); the codec is announced
	// in the publish metadata.
	Codecs []string
	// Audio is the synthetic source's audio: AudioAAC (default), AudioPCM or AudioNone.
	Audio string
	// BitrateCheck detects a bitrate that fell to zero; nil: no check.
	BitrateCheck *BitrateCheck
	// Restore is the restore timer; nil: the first session or publish failure is final.
	Restore *Restore
	// Pings detects a server that stopped pinging; nil: no probe.
	Pings *Pings
	// Duration ends the publication after this long (zero: until Stop or ctx ends).
	Duration time.Duration
	// SendBuffer is the socket send buffer (default 8 KiB): small, so that a stalled link
	// blocks writes — and stops the byte count — soon. What still hides a stall is the path's
	// own buffering: through the embedded Toxiproxy about 170 KB of 1 KB writes (measured).
	SendBuffer int
	// Mutant selects a deliberately broken behaviour (see PublisherMutants).
	Mutant string
	// Clock drives the source and the timers; default the real clock.
	Clock clock.Clock
	// OnEvent receives every event, from the goroutine calling Run.
	OnEvent func(Event)
	// Conn bounds handshakes and writes; Conn.HandshakeTimeout bounds the whole connect
	// sequence (default 5s).
	Conn rtmpconn.Options
}

// Publisher is a scripted live publisher with WCS-style Streaming Auto Restore.
type Publisher struct {
	cfg      PublisherConfig
	clk      clock.Clock
	stop     chan struct{}
	stopOnce sync.Once
	switches chan string
	file     *fileSource
}

// NewPublisher validates cfg.
func NewPublisher(cfg PublisherConfig) (*Publisher, error) {
	switch {
	case cfg.Addr == "":
		return nil, errors.New("publisher: no address")
	case cfg.Stream == "":
		return nil, errors.New("publisher: no stream")
	case cfg.Mutant != "" && !slices.Contains(PublisherMutants, cfg.Mutant):
		return nil, fmt.Errorf("publisher: unknown mutant %q (known: %s)", cfg.Mutant, strings.Join(PublisherMutants, ", "))
	}
	if cfg.App == "" {
		cfg.App = "vod"
	}
	if cfg.FPS <= 0 {
		cfg.FPS = media.DefaultFPS
	}
	if cfg.Bitrate <= 0 {
		cfg.Bitrate = DefaultBitrate
	}
	if len(cfg.Codecs) == 0 {
		cfg.Codecs = []string{DefaultCodec}
	}
	if cfg.Audio == "" {
		cfg.Audio = AudioAAC
	}
	cfg.BitrateCheck = defaulted(cfg.BitrateCheck)
	cfg.Restore = cfg.Restore.resolved()
	cfg.Pings = defaulted(cfg.Pings)
	if cfg.SendBuffer <= 0 {
		cfg.SendBuffer = DefaultSendBuffer
	}
	cfg.Conn.SendBuffer = cfg.SendBuffer
	p := &Publisher{cfg: cfg, clk: clock.Or(cfg.Clock), stop: make(chan struct{}), switches: make(chan string, 8)}
	if cfg.File != "" {
		src, err := loadFileSource(cfg.File)
		if err != nil {
			return nil, err
		}
		p.file = src
	}
	return p, nil
}

// Stop is a manual stop: the publication ends, every state is cleared and no restore follows.
// Safe for concurrent use and idempotent.
func (p *Publisher) Stop() { p.stopOnce.Do(func() { close(p.stop) }) }

// SwitchAddr is a network change (Wi-Fi to LTE): the publisher closes its session and
// restores it through addr at once. Safe for concurrent use.
func (p *Publisher) SwitchAddr(addr string) error {
	return offer(p.switches, addr, "publisher network changes")
}

// pubEvent is what a session goroutine tells the publisher loop.
type pubEvent struct {
	n      int
	nc     *netConnection // attached: connect and createStream done, publish sent
	at     time.Time      // publish stamped before its write: it precedes the server's event
	code   string         // a status code
	desc   string         // what the server said of it
	ping   bool           // a server ping arrived
	sent   *Event         // frames sent
	ended  bool           // the session ended (err says why)
	failed bool           // could not open
	err    error
}

// pubState is owned by Run's loop.
type pubState struct {
	n         int
	addr      string
	cur       *netConnection
	cancelCur context.CancelFunc
	live      bool             // Publish.Start received on cur
	held      <-chan time.Time // cur's Publish.Start has held AcceptHold: restored
	codec     int
	attempts  int
	wait      time.Duration // the next restore wait
	restore   <-chan time.Time
	stopped   bool
	failed    error // the restore policy gave up
	reported  int   // the last session whose end was recorded (Connect.Closed)

	lastBytes int64 // bitrate check
	strikes   int
	checks    *clock.Every
	nextCheck <-chan time.Time
	pinged    bool // pings probe
	misses    int
	probes    *clock.Every
	nextProbe <-chan time.Time
}

// Run publishes until Duration has passed or Stop was called (nil), the restore policy gave
// up (an error), or ctx ends. Every goroutine it starts has ended when it returns.
func (p *Publisher) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	evs := make(chan pubEvent)
	t0 := p.clk.Now()
	st := &pubState{addr: p.cfg.Addr, wait: p.cfg.Restore.timeout()}
	open := func() {
		st.n++
		n, addr, codec := st.n, st.addr, p.cfg.Codecs[st.codec%len(p.cfg.Codecs)]
		sctx, scancel := context.WithCancel(ctx)
		st.cancelCur = scancel
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.session(sctx, n, addr, codec, t0, evs)
		}()
	}
	open()
	var end <-chan time.Time
	if p.cfg.Duration > 0 {
		end = p.clk.After(p.cfg.Duration)
	}
	if b := p.cfg.BitrateCheck; b != nil && b.Interval > 0 && p.cfg.Mutant != MutantNoBitrateCheck {
		st.checks = clock.NewEvery(p.clk, b.Interval.D())
		st.nextCheck = st.checks.Next()
	}
	if pi := p.cfg.Pings; pi != nil && pi.ReceiveProbes > 0 {
		st.probes = clock.NewEvery(p.clk, pi.ProbesInterval.D())
		st.nextProbe = st.probes.Next()
	}
	stop := p.stop
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-end:
			p.emit(Event{Kind: EventStatus, Code: status.UnpublishSuccess, Conn: st.n, Message: "publication over"})
			return nil
		case <-stop:
			stop = nil
			if !p.manualStop(ctx, st) {
				return nil
			}
		case addr := <-p.switches:
			st.addr = addr
			p.emit(Event{Kind: EventStatus, Code: status.ConnectNetworkChange, Conn: st.n, Message: "restoring through " + addr})
			p.drop(st, "network change")
			st.restore, st.attempts = nil, 0
			p.attempt(st, open)
		case ev := <-evs:
			if ev.n != st.n {
				continue
			}
			if err := p.onSession(st, ev); err != nil {
				return err
			}
		case <-st.restore:
			st.restore = nil
			p.attempt(st, open)
		case <-st.held:
			st.held, st.attempts, st.wait = nil, 0, p.cfg.Restore.timeout() // the publish held: restored
		case <-st.nextCheck:
			st.nextCheck = st.checks.Next()
			p.checkBitrate(st)
		case <-st.nextProbe:
			st.nextProbe = st.probes.Next()
			p.probePings(st)
		}
		if st.failed != nil {
			p.emit(Event{Kind: EventRestoreFailed, Code: status.RestoreFailed, Conn: st.n, Message: st.failed.Error(), Strikes: st.attempts})
			return st.failed
		}
	}
}

func (p *Publisher) emit(ev Event) { emit(p.cfg.OnEvent, p.clk, ev) }

// manualStop clears the publisher's state, unpublishes and drops the session; it tells
// whether the publisher goes on (only the restore-after-manual-stop mutant does).
func (p *Publisher) manualStop(ctx context.Context, st *pubState) bool {
	p.emit(Event{Kind: EventStopped, Conn: st.n, Message: "manual stop: state cleared, no restore"})
	st.stopped, st.restore = true, nil
	if st.cur != nil && st.live {
		uctx, ucancel := context.WithTimeout(ctx, time.Second)
		_ = st.cur.conn.WriteCommand(uctx, rtmpconn.CSIDCommand, 0, "FCUnpublish", 0, nil, p.cfg.Stream)
		_ = st.cur.conn.WriteCommand(uctx, rtmpconn.CSIDCommand, 0, "deleteStream", 0, nil, float64(st.cur.streamID))
		ucancel()
	}
	p.drop(st, "manual stop")
	if p.cfg.Mutant != MutantRestoreAfterManualStop {
		return false
	}
	p.scheduleRestore(st, "manual stop")
	return true
}

// drop ends the current session, if any, without waiting; why, when set, records that the
// publisher closed it itself and for what (a Connect.Closed marked SelfClosed, now: the
// session's own end may only be seen after a new session started).
func (p *Publisher) drop(st *pubState, why string) {
	if st.cancelCur != nil {
		st.cancelCur()
		st.cancelCur = nil
		if why != "" && st.reported != st.n {
			st.reported = st.n
			p.emit(Event{Kind: EventStatus, Code: status.ConnectClosed, Conn: st.n, SelfClosed: true, Message: "closed by the publisher: " + why})
		}
	}
	st.cur, st.live, st.strikes, st.misses, st.held = nil, false, 0, 0, nil
}

// scheduleRestore arms the restore timer after a failure.
func (p *Publisher) scheduleRestore(st *pubState, why string) {
	if st.restore != nil {
		return
	}
	if st.stopped && p.cfg.Mutant != MutantRestoreAfterManualStop {
		return
	}
	wait := st.wait
	if b := p.cfg.Restore.backoff(); b != nil {
		if b.Jitter > 0 {
			wait = time.Duration(float64(wait) * (1 + b.Jitter*(2*rand.Float64()-1)))
		}
		st.wait = min(time.Duration(float64(st.wait)*b.Factor), b.Max.D())
	}
	switch {
	case p.cfg.Restore == nil:
		st.failed = fmt.Errorf("no restore policy (failure: %s)", why)
		return
	case st.attempts >= p.cfg.Restore.maxTries() && p.cfg.Mutant != MutantRestoreForever:
		st.failed = fmt.Errorf("restore gave up after %d attempts (last failure: %s)", st.attempts, why)
		return
	}
	st.restore = p.clk.After(wait)
	p.emit(Event{Kind: EventRestoreWait, Conn: st.n, Message: fmt.Sprintf("%s: next attempt in %v", why, wait.Round(time.Millisecond))})
}

// attempt counts a restore attempt and opens a new session (the loop gives up once the count
// passes MaxTries).
func (p *Publisher) attempt(st *pubState, open func()) {
	st.attempts++
	p.emit(Event{Kind: EventRestoreAttempt, Conn: st.n + 1, Strikes: st.attempts,
		Message: fmt.Sprintf("attempt %d of %d", st.attempts, p.cfg.Restore.maxTries())})
	open()
}

func (p *Publisher) onSession(st *pubState, ev pubEvent) error {
	switch {
	case ev.failed:
		p.emit(Event{Kind: EventStatus, Code: status.ConnectFailed, Conn: ev.n, Message: ev.err.Error()})
		p.scheduleRestore(st, "connect failed")
	case ev.nc != nil:
		st.cur, st.lastBytes, st.strikes, st.pinged, st.misses = ev.nc, ev.nc.conn.BytesWritten(), 0, false, 0
		p.emit(Event{Time: ev.at, Kind: EventStatus, Code: status.ConnectSuccess, Conn: ev.n, Message: "via " + ev.nc.conn.RemoteAddr().String() + tlsNote(ev.nc.conn)})
		p.emit(Event{Time: ev.at, Kind: EventPublishRequest, Conn: ev.n, Stream: p.cfg.Stream, Message: p.cfg.Codecs[st.codec%len(p.cfg.Codecs)]})
	case ev.sent != nil:
		p.emit(*ev.sent)
	case ev.ping:
		st.pinged = true
	case ev.code != "":
		p.emit(Event{Kind: EventStatus, Code: ev.code, Conn: ev.n, Message: ev.desc})
		switch ev.code {
		case status.PublishStart:
			st.live, st.held = true, p.clk.After(AcceptHold) // restored once it holds
			if p.cfg.Mutant == MutantResetOnAccept {
				st.attempts, st.wait = 0, p.cfg.Restore.timeout()
			}
		case status.PublishBadName, status.PublishFailed:
			p.drop(st, "publish refused ("+ev.code+")")
			p.scheduleRestore(st, "publish refused ("+ev.code+")")
		}
	case ev.ended:
		msg := "closed"
		if ev.err != nil {
			msg = ev.err.Error()
		}
		if st.reported == ev.n {
			return nil // the publisher closed it itself and said so
		}
		st.reported = ev.n
		p.emit(Event{Kind: EventStatus, Code: status.ConnectClosed, Conn: ev.n, Message: msg})
		p.drop(st, "")
		p.scheduleRestore(st, "session closed")
	}
	return nil
}

// checkBitrate is one bitrate check on a publishing session.
func (p *Publisher) checkBitrate(st *pubState) {
	if st.cur == nil || !st.live {
		st.strikes = 0
		return
	}
	b := st.cur.conn.BytesWritten()
	delta := b - st.lastBytes
	st.lastBytes = b
	if delta == 0 {
		st.strikes++
	} else {
		st.strikes = 0
	}
	p.emit(Event{Kind: EventBitrate, Conn: st.n, BytesOut: delta, Strikes: st.strikes})
	if st.strikes < p.cfg.BitrateCheck.MaxTries {
		return
	}
	p.emit(Event{Kind: EventBitrateZero, Conn: st.n, Strikes: st.strikes,
		Message: fmt.Sprintf("no byte sent in %d checks of %v: republishing", st.strikes, p.cfg.BitrateCheck.Interval.D())})
	if p.cfg.BitrateCheck.CodecChange {
		st.codec++
	}
	p.drop(st, "bitrate fell to zero")
	p.scheduleRestore(st, "bitrate fell to zero")
}

// probePings is one missing-ping probe.
func (p *Publisher) probePings(st *pubState) {
	if st.cur == nil || p.cfg.Mutant == MutantIgnorePings {
		return
	}
	if st.pinged {
		st.pinged, st.misses = false, 0
		return
	}
	st.misses++
	if st.misses < p.cfg.Pings.ReceiveProbes {
		return
	}
	p.emit(Event{Kind: EventPingsMissing, Conn: st.n, Strikes: st.misses,
		Message: fmt.Sprintf("no ping in %d probes of %v: the session is dead", st.misses, p.cfg.Pings.ProbesInterval.D())})
	p.drop(st, "pings missing")
	p.scheduleRestore(st, "pings missing")
}
