package fakeclient

import (
	"context"
	"crypto/tls"

	"github.com/streamfault/streamfault/internal/clock"
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

// Env is what a scripted client needs besides its options: who it is on the wire, where it
// connects, its clock, where its events go, and the scenario's folder (relative files).
type Env struct {
	// Name is the client's name, its identity on the wire.
	Name string
	// Addr is the address it connects to.
	Addr string
	// App is the RTMP application.
	App string
	// Clock is the run's clock.
	Clock clock.Clock
	// OnEvent receives every event.
	OnEvent func(Event)
	// Dir is the folder relative files are found in.
	Dir string
	// TLS, when set, makes the client connect with RTMPS, trusting what it says.
	TLS *tls.Config
}

// tlsFor is what a client connects with: the environment's TLS, unless it asks for plain RTMP.
func (e Env) tlsFor(plain bool) *tls.Config {
	if plain {
		return nil
	}
	return e.TLS
}

// Plain tells whether the player connects with plain RTMP beside TLS.
func (o *PlayerOptions) Plain() bool { return o.PlainRTMP }

// Plain tells whether the publisher connects with plain RTMP beside TLS.
func (o *PublisherOptions) Plain() bool { return o.PlainRTMP }

// Plain tells whether the viewer connects with plain RTMP beside TLS.
func (o *ViewerOptions) Plain() bool { return o.PlainRTMP }
