package fault

import "context"

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
	srv, err := s.server(env)
	if err != nil {
		return nil, err
	}
	srv.StallMedia(true)
	return func(context.Context) error { srv.StallMedia(false); return nil }, nil
}
