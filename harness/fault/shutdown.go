package fault

import (
	"context"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// Shutdown closes the server gracefully (FIN) and stops it listening; reverting starts it
// again on the same address.
type Shutdown struct {
	ServerRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with ServerRef's schema.
func (Shutdown) JSONSchemaAlias() any { return ServerRef{} }

// Lasting is true: the server stays down until started again.
// Effect: the fault ends every live connection it acts on.
func (*Shutdown) Effect() string { return history.FaultCloses }

func (*Shutdown) Lasting() bool { return true }

// Apply closes the server.
func (s *Shutdown) Apply(_ context.Context, env Env, _ string) (Revert, error) {
	srv, err := s.controller(env)
	if err != nil {
		return nil, err
	}
	return startAgain(srv), srv.Close()
}

// Validate reports an undefined server, or one this fault cannot act on.
func (f *Shutdown) Validate(p spec.Problems, s *Scope) {
	f.ServerRef.Validate(p, s)
	validateControlled(p, s, "shutdown")
}
