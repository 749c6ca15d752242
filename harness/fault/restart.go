package fault

import (
	"context"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// Restart kills the server and starts it again on the same address at once.
type Restart struct {
	ServerRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with ServerRef's schema.
func (Restart) JSONSchemaAlias() any { return ServerRef{} }

// Lasting is false: the restart is instantaneous.
// Effect: the fault ends every live connection it acts on.
func (*Restart) Effect() string { return history.FaultCloses }

func (*Restart) Lasting() bool { return false }

// Apply restarts the server.
func (r *Restart) Apply(_ context.Context, env Env, _ string) (Revert, error) {
	srv, err := r.controller(env)
	if err != nil {
		return nil, err
	}
	return nil, srv.Restart()
}

// Validate reports an undefined server, or one this fault cannot act on.
func (f *Restart) Validate(p spec.Problems, s *Scope) {
	f.ServerRef.Validate(p, s)
	validateControlled(p, s, "restart")
}
