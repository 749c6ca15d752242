// Package fakeserver is the reference RTMP server: a catalogue of synthetic VOD streams served
// with play and play2 (every transition, a playlist per NetStream), paced in real time after an initial
// burst of the client's buffer length, with a typed access log and Close/Kill/Restart for
// fault scenarios. It knows nothing of the harness: it reports through Config.OnEvent.
package fakeserver

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/identity"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// DefaultVersion is reported in the connect result's data.version (AMS 3.5.3 style).
const DefaultVersion = "3,5,3,888"

// Config configures a Server. Zero values take the defaults.
type Config struct {
	// Addr is the listen address; default "127.0.0.1:0" (loopback, ephemeral port).
	Addr string
	// App is the RTMP application name clients connect to; default "vod".
	App string
	// Apps are more application names accepted besides App (e.g. "live"); "*" accepts any.
	Apps []string
	// Streams is the VOD catalogue.
	Streams []media.Spec
	// Version is sent as data.version in the connect result; default DefaultVersion.
	Version string
	// AccessLogPath, when set, receives the access log as JSON lines.
	AccessLogPath string
	// OnEvent, when set, receives every access-log event; it must be safe for concurrent use.
	OnEvent func(Event)
	// OnFrameDue, when set, is told when each paced video frame was meant to leave (to
	// measure lateness against the pacing); it must be quick and safe for concurrent use.
	OnFrameDue func(FrameDue)
	// Clock paces the media; default the real clock.
	Clock clock.Clock
	// Conn bounds handshakes and writes.
	Conn rtmpconn.Options
	// ChunkSize is announced after connect; default 4096.
	ChunkSize uint32
	// IdlePublisherTimeout drops a publisher that sent no media for this long (nginx-rtmp
	// drop_idle_publisher); zero never drops one, so a dead publisher's session stays a zombie
	// that blocks its name (NetStream.Publish.BadName) until TCP notices.
	IdlePublisherTimeout time.Duration
	// PingInterval, when positive, sends a User Control PingRequest to every session that
	// often; a session from which no byte at all arrived for PingTimeout (default 3 intervals)
	// is closed.
	PingInterval, PingTimeout time.Duration
	// IdleTimeout closes a session (after its handshake) in which no message moved in either
	// direction for this long (bytes trickled without completing one do not count); default
	// DefaultIdleTimeout, negative disables it.
	IdleTimeout time.Duration
	// MaxSessions bounds the sessions served at once (default DefaultMaxSessions); a
	// connection past it is closed at once and logged.
	MaxSessions int
	// RelayWindow is how long the live relay may hold a player's media so as to send several
	// messages in one system call (default DefaultRelayWindow; negative: each at once).
	RelayWindow time.Duration
	// Quirks make the server behave like some servers in the wild (see Quirks).
	Quirks []string
	// TLS, when set, makes the server RTMPS: each connection is a TLS session first (its
	// handshake bounded with the RTMP handshake's timeout).
	TLS *tls.Config
	// PlainToo, with TLS, serves plain RTMP on the same address as well (side by side): a
	// connection whose first byte opens a TLS handshake is RTMPS, any other is RTMP.
	PlainToo bool
	// MaxSendAhead, when positive, bounds the initial burst of an on-demand playback (how far
	// ahead of real time it is sent); zero: the client's buffer length.
	MaxSendAhead time.Duration
}

// Server defaults for hostile or abandoned peers.
const (
	DefaultIdleTimeout = 60 * time.Second
	DefaultMaxSessions = 4096
)

// Event kinds in the access log.
const (
	EventConnect    = "connect"
	EventPlay       = "play"
	EventStop       = "stop"
	EventDisconnect = "disconnect"
	EventError      = "error"
	EventBandwidth  = "bwcheck"
	EventPlaylist   = "playlist" // a play2 that changed the playlist without starting a playback
	EventPublish    = "publish"
	EventUnpublish  = "unpublish"
)

// Event is one access-log entry.
type Event struct {
	// Time is when the event happened (server clock).
	Time time.Time `json:"time"`
	// Kind is connect, publish, unpublish, play (a playback starts; x-trans-mode live for a
	// live subscription), playlist (a play2 that only changed the
	// playlist: appendAndWait, a queued append, switch, swap, stop), stop (a playback ended),
	// disconnect, error or bwcheck.
	Kind string `json:"x-event"`
	// Session identifies the NetConnection (unique for the server's lifetime).
	Session string `json:"x-sid"`
	// Client is the peer address.
	Client string `json:"c-ip,omitempty"`
	// Query is the connect command's query string (connect): what follows '?' in its app or
	// tcUrl.
	Query string `json:"cs-uri-query,omitempty"`
	// Declared is who the connection said it was in its connect command object (connect: a
	// scripted client's name and connection number; zero for other clients).
	Declared identity.Identity `json:"-"`
	// DeclaredClient and DeclaredConn are Declared in the JSON access log.
	DeclaredClient string `json:"x-sf-client,omitempty"`
	DeclaredConn   int    `json:"x-sf-conn,omitempty"`
	// Stream is the stream name (play/stop).
	Stream string `json:"x-sname,omitempty"`
	// StreamID is the NetStream's message stream id (play/stop).
	StreamID uint32 `json:"x-stream-id,omitempty"`
	// Command is play or play2 (play).
	Command string `json:"x-command,omitempty"`
	// TransMode is the play2 transition (reset, resume, ...); plain play logs reset.
	TransMode string `json:"x-trans-mode,omitempty"`
	// SOffset is the requested stream offset in seconds: play2's offset for resume, the
	// start otherwise.
	SOffset float64 `json:"x-soffset"`
	// StartFrame is the first frame index served (play).
	StartFrame int `json:"x-start-frame"`
	// StartTime is the stream time of StartFrame in seconds (play); stream time runs on
	// across the items of a playlist.
	StartTime float64 `json:"x-start-time"`
	// Playlist lists the NetStream's playlist after the command (play, playlist).
	Playlist []string `json:"x-playlist,omitempty"`
	// Frames is the number of frames sent (stop).
	Frames int `json:"x-frames,omitempty"`
	// Kbps is the bandwidth measured by a bandwidth check (bwcheck).
	Kbps float64 `json:"x-kbps,omitempty"`
	// Reason says why a stream stopped or a session ended.
	Reason string `json:"x-status,omitempty"`
	// BytesIn and BytesOut are the session's socket counters (stop, disconnect).
	BytesIn  int64 `json:"cs-bytes,omitempty"`
	BytesOut int64 `json:"sc-bytes,omitempty"`
}

// Server is the reference RTMP server.
type Server struct {
	cfg     Config
	clk     clock.Clock
	streams map[string]media.Spec

	mu       sync.Mutex
	ln       net.Listener
	addr     string
	sessions map[*session]struct{}
	nextSID  int
	running  bool
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	logMu sync.Mutex
	log   *os.File

	liveMu  sync.Mutex
	lives   map[string]*liveStream
	stalled atomic.Bool
	tags    tagCache // the frames' tag bodies, shared by every playback
}

// StallMedia stops (true) or resumes (false) sending media to players, keeping every socket
// open and reading: a server-side stall. VOD playbacks wait; live media is dropped.
func (s *Server) StallMedia(on bool) { s.stalled.Store(on) }

func (s *Server) mediaStalled() bool { return s.stalled.Load() }

// New validates cfg and returns a stopped server; call Start.
func New(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.App == "" {
		cfg.App = "vod"
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	if cfg.ChunkSize == 0 {
		cfg.ChunkSize = 4096
	}
	if cfg.PingInterval > 0 && cfg.PingTimeout <= 0 {
		cfg.PingTimeout = 3 * cfg.PingInterval
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.RelayWindow == 0 {
		cfg.RelayWindow = DefaultRelayWindow
	}
	if err := validQuirks(cfg.Quirks); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, clk: clock.Or(cfg.Clock), streams: map[string]media.Spec{}, sessions: map[*session]struct{}{},
		lives: map[string]*liveStream{}}
	for _, sp := range cfg.Streams {
		if err := sp.Validate(); err != nil {
			return nil, fmt.Errorf("fakeserver: %w", err)
		}
		if _, dup := s.streams[sp.Name]; dup {
			return nil, fmt.Errorf("fakeserver: stream %q defined twice", sp.Name)
		}
		if sp.Frames() <= 0 {
			return nil, fmt.Errorf("fakeserver: VOD stream %q needs a positive duration", sp.Name)
		}
		s.streams[sp.Name] = sp
	}
	return s, nil
}

// Start listens on Config.Addr (the first time) or on the address it had (after Kill/Close),
// and serves until Close or Kill.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return errors.New("fakeserver: already running")
	}
	addr := s.cfg.Addr
	if s.addr != "" {
		addr = s.addr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("fakeserver: listen %s: %w", addr, err)
	}
	if s.cfg.TLS != nil && !s.cfg.PlainToo { // with PlainToo each session tells (sniff)
		ln = tls.NewListener(ln, s.cfg.TLS)
	}
	if s.cfg.AccessLogPath != "" && s.log == nil {
		f, err := os.OpenFile(s.cfg.AccessLogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("fakeserver: access log: %w", err)
		}
		s.log = f
	}
	s.ln, s.addr, s.running = ln, ln.Addr().String(), true
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go s.acceptLoop(ctx, ln)
	return nil
}

// Addr is the listening address (host:port), stable across Restart.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL is the rtmp:// address of a stream on this server.
func (s *Server) URL(stream string) string {
	return "rtmp://" + s.Addr() + "/" + s.cfg.App + "/" + stream
}

// Close stops listening and closes every session's socket gracefully (FIN), then waits for
// every goroutine of the server. The server can be started again.
func (s *Server) Close() error { return s.stop(false) }

// Kill stops listening and aborts every socket at once (RST), as when the process dies.
func (s *Server) Kill() error { return s.stop(true) }

// Restart kills the server and starts it again on the same address.
func (s *Server) Restart() error {
	if err := s.Kill(); err != nil {
		return err
	}
	return s.Start()
}

// Shutdown closes the server and its access log for good.
func (s *Server) Shutdown() error {
	err := s.Close()
	s.logMu.Lock()
	defer s.logMu.Unlock()
	if s.log != nil {
		err = errors.Join(err, s.log.Close())
		s.log = nil
	}
	return err
}

func (s *Server) stop(abort bool) error {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return nil
	}
	s.running = false
	err := s.ln.Close()
	s.cancel()
	for ss := range s.sessions {
		ss.end(abort)
	}
	s.mu.Unlock()
	s.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

func (s *Server) acceptLoop(ctx context.Context, ln net.Listener) {
	defer s.wg.Done()
	backoff := time.Duration(0)
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || ctx.Err() != nil {
				return // listener closed by stop
			}
			// Out of file descriptors, or another transient failure: wait and accept again
			// (5 ms doubling to 1 s), never give up while the server runs.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.emit(Event{Kind: EventError, Reason: fmt.Sprintf("accept: %v (retrying in %v)", err, backoff)})
			if clock.Sleep(ctx, clock.Real{}, backoff) != nil {
				return
			}
			continue
		}
		backoff = 0
		s.mu.Lock()
		if !s.running {
			s.mu.Unlock()
			_ = nc.Close()
			return
		}
		if len(s.sessions) >= s.cfg.MaxSessions {
			s.mu.Unlock()
			// Logged before the close: whoever sees the refusal finds it in the log.
			s.emit(Event{Kind: EventError, Client: nc.RemoteAddr().String(), Reason: fmt.Sprintf("connection refused: %d sessions already", s.cfg.MaxSessions)})
			_ = nc.Close()
			continue
		}
		s.nextSID++
		ss := newSession(s, nc, fmt.Sprintf("s%d", s.nextSID))
		s.sessions[ss] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			ss.run(ctx)
			s.mu.Lock()
			delete(s.sessions, ss)
			s.mu.Unlock()
		}()
	}
}

// emit stamps and publishes an access-log event.
func (s *Server) emit(ev Event) {
	ev.Time = s.clk.Now()
	if s.cfg.OnEvent != nil {
		s.cfg.OnEvent(ev)
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	if s.log != nil {
		b, _ := json.Marshal(ev)
		_, _ = s.log.Write(append(b, '\n'))
	}
}

// acceptsApp tells whether clients may connect to application app.
// An application instance (app/instance, as Flash Media Server names them) is its application.
func (s *Server) acceptsApp(app string) bool {
	app, _, _ = strings.Cut(app, "/")
	return app == s.cfg.App || slices.Contains(s.cfg.Apps, app) || slices.Contains(s.cfg.Apps, "*")
}

// streamName is a stream name as a client sent it without its query (cam?token=abc is cam):
// a stream key's query is for the server's application, not part of the name.
func streamName(sent string) string {
	name, _, _ := strings.Cut(sent, "?")
	return name
}

// URLFor is the rtmp:// address of a stream of application app on this server.
func (s *Server) URLFor(app, stream string) string {
	return "rtmp://" + s.Addr() + "/" + app + "/" + stream
}
