package fault

import (
	"context"
	"fmt"

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

// controller is the lab's server named by r, which the harness runs.
func (r *ServerRef) controller(env Env) (lab.Controller, error) {
	srv, err := env.Lab.Subject(r.Server)
	if err != nil {
		return nil, err
	}
	c, ok := srv.(lab.Controller)
	if !ok {
		return nil, fmt.Errorf("server %s (%s) is not run by the harness: it cannot be killed, stopped or started", r.Server, env.Lab.Kind())
	}
	return c, nil
}

// validateControlled reports a fault that needs to stop or start a server the harness does not run.
func validateControlled(p spec.Problems, s *Scope, kind string) {
	if s.ServerKind != "" && !s.ServerTraits.Controlled {
		p.Add("", "%s needs a server the harness runs; this scenario's server is %s (use %s)", kind, s.ServerKind,
			lab.DescribeKinds(func(t lab.Traits) bool { return t.Controlled }))
	}
}

// startAgain is the undo of a kill or shutdown: the server listens again on its address.
func startAgain(srv lab.Controller) Revert {
	return func(context.Context) error { return srv.Start() }
}
