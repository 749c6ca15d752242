package fault

import (
	"context"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/harness/lab"
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

// Validate reports an undefined server.
func (r *ServerRef) Validate(p spec.Problems, s *Scope) {
	if !s.Servers[r.Server] {
		p.Add("server", "%q is not a server of this scenario%s", r.Server, s.Servers.Known())
	}
}

// Target is the server.
func (r *ServerRef) Target() Target { return Target{Server: r.Server} }

// server is the lab's reference server named by r.
func (r *ServerRef) server(env Env) (*fakeserver.Server, error) { return env.Lab.Server(r.Server) }

// subject is the lab's server named by r, whatever its kind.
func (r *ServerRef) subject(env Env) (lab.Subject, error) { return env.Lab.Subject(r.Server) }

// checkManaged reports a fault that needs to stop or start a server the harness does not run.
func checkManaged(p spec.Problems, s *Scope, kind string) {
	if s.ServerKind == lab.KindExternal {
		p.Add("", "%s needs a server the harness runs; this scenario's server is external (use server.process or server.nginx)", kind)
	}
}

// checkReference reports a fault that only the reference server can take.
func checkReference(p spec.Problems, s *Scope, kind string) {
	if s.ServerKind != "" && s.ServerKind != lab.KindReference {
		p.Add("", "%s acts inside the reference server; this scenario's server is %s", kind, s.ServerKind)
	}
}

// startAgain is the undo of a kill or shutdown: the server listens again on its address.
func startAgain(srv lab.Subject) Revert {
	return func(context.Context) error { return srv.Start() }
}
