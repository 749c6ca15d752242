package fault

import (
	"context"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/spec"
)

// ServerRef names a server.
type ServerRef struct {
	// Server is the server's name (default: the first of server.instances, "origin").
	Server string `yaml:"server" json:"server,omitempty"`
}

// Default names the first server when none is named.
func (r *ServerRef) Default(s *Scope) {
	if r.Server == "" {
		r.Server = s.FirstServer
	}
}

// Check reports an undefined server.
func (r *ServerRef) Check(p spec.Problems, s *Scope) {
	if !s.Servers[r.Server] {
		p.Add("server", "%q is not a server of this scenario%s", r.Server, s.Servers.Known())
	}
}

// Target is the server.
func (r *ServerRef) Target() Target { return Target{Server: r.Server} }

// server is the lab's reference server named by r.
func (r *ServerRef) server(env Env) (*fakeserver.Server, error) { return env.Lab.Server(r.Server) }

// startAgain is the undo of a kill or shutdown: the server listens again on its address.
func startAgain(srv *fakeserver.Server) Revert {
	return func(context.Context) error { return srv.Start() }
}
