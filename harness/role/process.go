package role

import (
	"strings"
	"time"

	"github.com/streamfault/streamfault/harness/procactor"
	"github.com/streamfault/streamfault/internal/spec"
)

// KeyProcess is the role of a client program under test.
const KeyProcess = "process"

// Process is role: process — any RTMP client program, run behind a wire tap.
type Process struct {
	procactor.Options `yaml:",inline" json:",inline"`
}

// Traits: judged from its tap, stopped by hand.
func (*Process) Traits() Traits { return Traits{Tapped: true, Stops: true} }

// Validate checks the program.
func (p *Process) Validate(pr spec.Problems, _ Scope) { p.Options.Validate(pr) }

// Length is its duration, else its stream's.
func (p *Process) Length(sc Scope) time.Duration {
	if d := p.Duration.D(); d > 0 || p.Stream == "" {
		return d
	}
	if st, ok := sc.Stream(p.Stream); ok {
		return st.Duration.D()
	}
	return 0
}

// Actor builds the process actor behind its tap, in front of the route.
func (p *Process) Actor(env Env) (Actor, error) {
	return procactor.New(procactor.Config{Name: env.Name, Spec: *p.Process, Stream: p.Stream, App: env.app(Traits{Live: !p.onDemand(env)}),
		Out: env.Out, Marks: env.Marks, Duration: p.Duration.D(), Dir: env.Dir, Upstream: env.Addr, CA: env.CA, UpstreamTLS: env.TLS, TLSTerms: env.TLSTerms,
		Clock: env.Clock, OnEvent: env.History.RecordAt})
}

// onDemand tells whether the program's stream is one the server serves on demand (a name in
// its catalogue, with or without a query): then the subject's VOD application is its default.
func (p *Process) onDemand(env Env) bool {
	name, _, _ := strings.Cut(p.Stream, "?")
	return env.Catalogue[name]
}
