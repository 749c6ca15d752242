package lab

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/spec"
)

// Reference is the reference server's own options, given in the server block itself (it is
// the subject when the block names no other kind).
type Reference struct {
	// Instances names the reference servers to run, each on its own address with the same
	// catalogue (e.g. origin-a, origin-b for a load-balance move); default one, "origin".
	Instances []string `yaml:"instances" json:"instances,omitempty"`
	// IdlePublisherTimeout drops a live publisher that sent no media for this long (nginx-rtmp
	// drop_idle_publisher); omitted, a dead publisher stays a zombie that blocks its name.
	IdlePublisherTimeout spec.Duration `yaml:"idlePublisherTimeout" json:"idlePublisherTimeout,omitempty"`
	// PingInterval makes the server ping every session that often; a session silent for
	// PingTimeout (default 3 intervals) is closed. Omitted, no pings.
	PingInterval spec.Duration `yaml:"pingInterval" json:"pingInterval,omitempty"`
	// PingTimeout is how long a session may send nothing at all before the server closes it.
	PingTimeout spec.Duration `yaml:"pingTimeout" json:"pingTimeout,omitempty"`
	// Quirks make the reference server behave like some servers in the wild: strict-names
	// (a query in the application name: Start, then the session closed), late-badname (a
	// second publisher of a name: Publish.Start, then Publish.BadName a second later), no-play2
	// (play2 is an unknown command).
	Quirks []string `yaml:"quirks" json:"quirks,omitempty"`
	// MaxSendAhead bounds how far ahead of real time the server sends on demand streams: a
	// player asking a longer buffer gets this much at once, then real time (a real player
	// asking 30 s would otherwise hold a 20 s clip after 0.2 s, and a drop "mid-playback"
	// would find it complete). Omitted: the client's buffer length, as it asks.
	MaxSendAhead spec.Duration `yaml:"maxSendAhead" json:"maxSendAhead,omitempty"`
	// TLS makes the reference server RTMPS: a certificate for loopback names signed by a
	// certificate authority made for the run, which the scripted clients trust.
	TLS *ServerTLS `yaml:"tls" json:"tls,omitempty"`
}

// TLSOptions is the reference server's tls block (nil: RTMP).
func (r *Reference) TLSOptions() *ServerTLS { return r.TLS }

// Traits: the reference server runs in the harness, keeps an access log, stalls media on
// demand, may run as several instances; its live clients use the vod application.
func (*Reference) Traits() Traits {
	return Traits{Controlled: true, MediaStall: true, AccessLog: true, Instances: true, LiveApp: "vod"}
}

// Validate reports a negative ping or idle setting (the instances are the server block's).
func (r *Reference) Validate(p spec.Problems, _ *Server) {
	p.NonNegative("idlePublisherTimeout", r.IdlePublisherTimeout)
	p.NonNegative("pingInterval", r.PingInterval)
	p.NonNegative("pingTimeout", r.PingTimeout)
	p.NonNegative("maxSendAhead", r.MaxSendAhead)
	r.TLS.validate(p, issuedHere)
	for i, q := range r.Quirks {
		if !slices.Contains(fakeserver.Quirks, q) {
			p.Add(fmt.Sprintf("quirks[%d]", i), "%q is not a quirk (known: %s)", q, strings.Join(fakeserver.Quirks, ", "))
		}
	}
}

// unused reports the reference server's settings in a block whose subject is another kind.
func (r *Reference) unused(p spec.Problems, key string, kind Kind) {
	if len(r.Quirks) > 0 {
		p.Add("quirks", "are the reference server's; this scenario's server is %s", key)
	}
	if r.MaxSendAhead != 0 {
		p.Add("maxSendAhead", "is the reference server's; this scenario's server is %s", key)
	}
	if r.TLS != nil {
		p.Add("tls", "is the reference server's; this scenario's server is %s", key)
	}
	if r.IdlePublisherTimeout != 0 || r.PingInterval != 0 || r.PingTimeout != 0 {
		hint := ""
		if _, ok := kind.(Swappable); ok {
			hint = fmt.Sprintf(" (%s has its own: server.%s)", key, key)
		}
		p.Add("", "idlePublisherTimeout, pingInterval and pingTimeout configure the reference server%s", hint)
	}
}

// Liveness is the idle-publisher and ping settings.
func (r *Reference) Liveness() Liveness {
	return Liveness{DropIdlePublisher: r.IdlePublisherTimeout, Ping: r.PingInterval, PingTimeout: r.PingTimeout}
}

// SetLiveness takes the settings over.
func (r *Reference) SetLiveness(l Liveness) {
	r.IdlePublisherTimeout, r.PingInterval, r.PingTimeout = l.DropIdlePublisher, l.Ping, l.PingTimeout
}

// Launch starts a reference server on a free loopback port, reporting its access log.
func (r *Reference) Launch(_ context.Context, env Env, name string) (Subject, error) {
	specs := make([]media.Spec, 0, len(env.Streams))
	for _, st := range env.Streams {
		specs = append(specs, st.Spec())
	}
	cfg := fakeserver.Config{Streams: specs, Clock: env.Clock, IdlePublisherTimeout: r.IdlePublisherTimeout.D(),
		PingInterval: r.PingInterval.D(), PingTimeout: r.PingTimeout.D(), Quirks: r.Quirks, MaxSendAhead: r.MaxSendAhead.D(),
		OnFrameDue: env.OnFrameDue}
	if env.OnEvent != nil {
		cfg.OnEvent = func(ev fakeserver.Event) { env.OnEvent(name, ev) }
	}
	if r.TLS != nil {
		cert, err := r.TLS.issue(env.CA)
		if err != nil {
			return nil, err
		}
		cfg.TLS, cfg.PlainToo = r.TLS.terms().Server(cert), r.TLS.PlainToo
	}
	srv, err := fakeserver.New(cfg)
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	return srv, nil
}
