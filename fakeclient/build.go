package fakeclient

import (
	"context"
	"fmt"

	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// Client is a running scripted client: a Player, a Publisher or a Viewer.
type Client interface {
	// Run runs the client until its script ends, it gives up, or ctx ends.
	Run(ctx context.Context) error
	// SwitchAddr is a network change: later connections go to addr.
	SwitchAddr(addr string) error
}

// Mover is a client that can make a load-balance move (a VOD player).
type Mover interface {
	// MoveTo attaches a new connection to addr, closes the old one, and resumes there.
	MoveTo(addr string) error
}

// Stopper is a client that can be stopped by hand (a publisher).
type Stopper interface {
	// Stop ends the client for good: no restore follows.
	Stop()
}

// New builds the client a (defaulted, valid) spec declares, called name (its identity on the
// wire), connecting to application app at addr ("" for the default) and reporting every event
// to onEvent.
func (s *Spec) New(name, addr, app string, clk clock.Clock, onEvent func(Event)) (Client, error) {
	conn := rtmpconn.Options{HandshakeTimeout: s.ConnectTimeout.D()}
	switch s.Role {
	case RolePlayer:
		return NewPlayer(PlayerConfig{ID: name, Addr: addr, App: app, Script: s.Play, BufferTime: s.BufferTime.D(), Reconnect: s.Reconnect,
			StallMonitor: s.StallMonitor, BandwidthCheck: s.BandwidthCheck, Mutant: s.Mutant, Clock: clk, OnEvent: onEvent, Conn: conn})
	case RoleViewer:
		return NewViewer(ViewerConfig{ID: name, Addr: addr, App: app, Stream: s.Stream, Restore: s.Restore, Duration: s.Duration.D(),
			Clock: clk, OnEvent: onEvent, Conn: conn})
	case RolePublisher:
		return NewPublisher(PublisherConfig{ID: name, Addr: addr, App: app, Stream: s.Stream, File: s.File, FPS: s.FPS, Bitrate: s.Bitrate * 1000, Codecs: s.Codecs,
			BitrateCheck: s.BitrateCheck, Restore: s.Restore, Pings: s.Pings, Duration: s.Duration.D(), SendBuffer: s.SendBuffer,
			Mutant: s.Mutant, Clock: clk, OnEvent: onEvent, Conn: conn})
	}
	return nil, fmt.Errorf("fakeclient: unknown role %q", s.Role)
}
