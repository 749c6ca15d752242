package lab

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/streamfault/streamfault/internal/proc"
	"github.com/streamfault/streamfault/internal/spec"
)

// KindExternal is a server someone else runs, at an address.
const KindExternal = "external"

// External is a server the harness does not run: it only reaches it through the routes.
type External struct {
	// Address is the server's host:port, or an rtmp://host:port URL (port 1935 when the URL
	// names none) or rtmps://host:port (port 443; with tls); loopback unless other hosts are
	// allowed explicitly.
	Address string `yaml:"address" json:"address"`
	// TLS says the server speaks RTMPS, and how the clients trust its certificate: caFile (the
	// authority that signed it) or, explicitly, insecure.
	TLS *ServerTLS `yaml:"tls" json:"tls,omitempty"`
}

// TLSOptions is the external server's tls block (nil: RTMP).
func (e *External) TLSOptions() *ServerTLS { return e.TLS }

// Traits: nothing but the wire; the harness cannot kill, stop or start it.
func (*External) Traits() Traits { return Traits{} }

// Validate reports an address that is not one.
func (e *External) Validate(p spec.Problems, _ *Server) {
	if _, err := e.HostPort(); err != nil {
		p.Add("address", "%v", err)
	}
	if strings.HasPrefix(e.Address, "rtmps://") && e.TLS == nil {
		p.Add("address", "%q is RTMPS: add tls, with the authority the clients trust (caFile) or, explicitly, insecure: true", e.Address)
	}
	e.TLS.validate(p, issuedElse)
}

// HostPort is the address as host:port.
func (e *External) HostPort() (string, error) {
	a := e.Address
	for scheme, port := range map[string]string{"rtmp://": "1935", "rtmps://": "443"} {
		if rest, ok := strings.CutPrefix(a, scheme); ok {
			a, _, _ = strings.Cut(rest, "/")
			if _, _, err := net.SplitHostPort(a); err != nil {
				a = net.JoinHostPort(a, port)
			}
		}
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil || host == "" || port == "" {
		return "", fmt.Errorf("%q is not a host:port or rtmp(s)://host:port such as 127.0.0.1:1935", e.Address)
	}
	return a, nil
}

// Launch checks the address (loopback unless env allows other hosts); nothing is started.
func (e *External) Launch(_ context.Context, env Env, _ string) (Subject, error) {
	addr, err := e.HostPort()
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(addr)
	if !env.AllowRemote && !Loopback(host) {
		return nil, fmt.Errorf("%s is not on loopback; allow other hosts explicitly (--allow-remote, STREAMFAULT_ALLOW_REMOTE=1)", e.Address)
	}
	if !listening(addr) {
		return nil, fmt.Errorf("nothing is listening at %s: start the server before the run (or give it as server.process, for the harness to start)", addr)
	}
	return externalSubject{addr: addr}, nil
}

// externalSubject is a server at an address: the lab only reaches it.
type externalSubject struct{ addr string }

func (e externalSubject) Addr() string    { return e.addr }
func (e externalSubject) Shutdown() error { return nil }

// listening tells whether a server listens at addr: from the kernel's tables without a
// connection where they tell (a server of one connection is not used up), else by a connect.
func listening(addr string) bool {
	if on, err := proc.Listening(addr); err == nil {
		if on {
			return true
		}
		host, _, _ := net.SplitHostPort(addr)
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return false // a loopback port not in the tables is not listening
		}
	}
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
