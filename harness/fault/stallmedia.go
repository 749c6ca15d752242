package fault

import (
	"context"
	"fmt"

	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/internal/spec"
)

// StallMedia makes the server stop sending media while every socket stays open and read (a
// server-side stall); reverting resumes it.
type StallMedia struct {
	ServerRef `yaml:",inline" json:",inline"`
}

// JSONSchemaAlias documents the kind with ServerRef's schema.
func (StallMedia) JSONSchemaAlias() any { return ServerRef{} }

// Lasting is true: the media stays stalled until resumed.
func (*StallMedia) Lasting() bool { return true }

// Apply stalls the server's media.
func (s *StallMedia) Apply(_ context.Context, env Env, _ string) (Revert, error) {
	subj, err := env.Lab.Subject(s.Server)
	if err != nil {
		return nil, err
	}
	srv, ok := subj.(lab.MediaStaller)
	if !ok {
		return nil, fmt.Errorf("server %s (%s) cannot stall its media", s.Server, env.Lab.Kind())
	}
	srv.StallMedia(true)
	return func(context.Context) error { srv.StallMedia(false); return nil }, nil
}

// Validate reports an undefined server, or one this fault cannot act on.
func (f *StallMedia) Validate(p spec.Problems, s *Scope) {
	f.ServerRef.Validate(p, s)
	if s.ServerKind != "" && !s.ServerTraits.MediaStall {
		p.Add("", "stallMedia acts inside the reference server; this scenario's server is %s", s.ServerKind)
	}
}
