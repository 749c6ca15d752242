package fault

import (
	"context"

	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/internal/spec"
)

// Kill aborts the server's every socket (RST) and stops it listening, as when the process
// dies; reverting starts it again on the same address.
type Kill struct {
	ServerRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with ServerRef's schema.
func (Kill) JSONSchemaAlias() any { return ServerRef{} }

// Lasting is true: the server stays down until started again.
// Effect: the fault ends every live connection it acts on.
func (*Kill) Effect() string { return history.FaultCloses }

func (*Kill) Lasting() bool { return true }

// Apply kills the server.
func (k *Kill) Apply(_ context.Context, env Env, _ string) (Revert, error) {
	srv, err := k.controller(env)
	if err != nil {
		return nil, err
	}
	return startAgain(srv), srv.Kill()
}

// Validate reports an undefined server, or one this fault cannot act on.
func (f *Kill) Validate(p spec.Problems, s *Scope) {
	f.ServerRef.Validate(p, s)
	validateControlled(p, s, "kill")
}
