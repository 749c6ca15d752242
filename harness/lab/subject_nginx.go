package lab

import (
	"context"
	"path/filepath"
	"syscall"

	"github.com/streamfault/streamfault/internal/nginx"
	"github.com/streamfault/streamfault/internal/spec"
)

// KindNginx is nginx-rtmp, started and owned by the harness.
const KindNginx = "nginx"

// Nginx is nginx-rtmp (Debian's libnginx-mod-rtmp) as the subject: the harness writes its
// configuration (applications vod, playing the catalogue written as FLV files, and live),
// starts it on a free loopback port, kills and restarts it for the faults, and stops it.
type Nginx struct {
	// DropIdlePublisher is nginx's drop_idle_publisher (omitted: off).
	DropIdlePublisher spec.Duration `yaml:"dropIdlePublisher" json:"dropIdlePublisher,omitempty"`
	// Ping and PingTimeout are nginx's ping and ping_timeout (omitted: nginx's defaults).
	Ping        spec.Duration `yaml:"ping" json:"ping,omitempty"`
	PingTimeout spec.Duration `yaml:"pingTimeout" json:"pingTimeout,omitempty"`
	// Binary and Module locate nginx and the RTMP module (default: Debian's paths).
	Binary string `yaml:"binary" json:"binary,omitempty"`
	Module string `yaml:"module" json:"module,omitempty"`
	// TLS makes nginx RTMPS: nginx's own TLS (its stream module, Debian's
	// libnginx-mod-stream) in front of nginx-rtmp, with a certificate for loopback names
	// signed by the run's certificate authority, which the scripted clients trust.
	TLS *ServerTLS `yaml:"tls" json:"tls,omitempty"`
}

// TLSOptions is nginx's tls block (nil: RTMP).
func (n *Nginx) TLSOptions() *ServerTLS { return n.TLS }

// Traits: the harness runs nginx and serves the catalogue from files.
func (*Nginx) Traits() Traits { return Traits{Controlled: true, Program: true, Files: true} }

// Validate reports negative durations.
func (n *Nginx) Validate(p spec.Problems, _ *Server) {
	p.NonNegative("dropIdlePublisher", n.DropIdlePublisher)
	p.NonNegative("ping", n.Ping)
	p.NonNegative("pingTimeout", n.PingTimeout)
	n.TLS.validate(p, issuedHere)
	if n.TLS != nil && n.TLS.PlainToo {
		p.Add("tls.plainToo", "is the reference server's: nginx's TLS listener takes TLS only")
	}
}

// Programs is nginx.
func (*Nginx) Programs() []string { return []string{"nginx"} }

// Missing names nginx with its RTMP module (and its stream module, for TLS) when one is not
// installed.
func (n *Nginx) Missing() []string {
	if nginx.Available(n.config()) == nil {
		return nil
	}
	if n.TLS != nil {
		return []string{"nginx with libnginx-mod-rtmp and libnginx-mod-stream"}
	}
	return []string{"nginx with libnginx-mod-rtmp"}
}

// Liveness is nginx's drop_idle_publisher, ping and ping_timeout.
func (n *Nginx) Liveness() Liveness {
	return Liveness{DropIdlePublisher: n.DropIdlePublisher, Ping: n.Ping, PingTimeout: n.PingTimeout}
}

// SetLiveness takes the settings over.
func (n *Nginx) SetLiveness(l Liveness) {
	n.DropIdlePublisher, n.Ping, n.PingTimeout = l.DropIdlePublisher, l.Ping, l.PingTimeout
}

func (n *Nginx) config() nginx.Config {
	cfg := nginx.Config{Binary: n.Binary, Module: n.Module, DropIdlePublisher: n.DropIdlePublisher.D(), Ping: n.Ping.D(),
		PingTimeout: n.PingTimeout.D()}
	if n.TLS != nil {
		cfg.TLS = &nginx.TLS{SessionTickets: !n.TLS.terms().NoSessionTickets}
	}
	return cfg
}

// Launch writes the catalogue as FLV files (a stream's file copied as it is) and starts
// nginx-rtmp on a free loopback port.
func (n *Nginx) Launch(ctx context.Context, env Env, _ string) (Subject, error) {
	titles := make([]nginx.Title, 0, len(env.Streams))
	for _, st := range env.Streams {
		t := nginx.Title{Name: st.Name, Spec: st.Spec()}
		if st.File != "" {
			t.File = st.File
			if !filepath.IsAbs(t.File) {
				t.File = filepath.Join(env.Dir, t.File)
			}
		}
		titles = append(titles, t)
	}
	subj := &nginxSubject{processSubject: processSubject{stop: syscall.SIGQUIT, onExit: env.OnExit}}
	cfg := n.config()
	cfg.OnLine, cfg.OnExit = env.OnLine, subj.exited
	if n.TLS != nil {
		cert, err := n.TLS.issue(env.CA)
		if err != nil {
			return nil, err
		}
		cfg.TLS.Cert = cert
	}
	ng, err := nginx.StartCatalogue(ctx, cfg, titles)
	if err != nil {
		return nil, err
	}
	subj.p, subj.addr, subj.n = ng.Process(), ng.Addr(), ng
	subj.markLaunched()
	return subj, nil
}

// nginxSubject is nginx-rtmp, owned by the lab; its directory goes with it.
type nginxSubject struct {
	processSubject
	n *nginx.Nginx
}

// Shutdown stops nginx and removes its directory.
func (s *nginxSubject) Shutdown() error {
	s.planned.Store(s.p.Running())
	return s.n.Stop()
}
