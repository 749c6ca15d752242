// Package role is the table of client roles a scenario's clients play: the scripted player,
// publisher and viewer (fakeclient) and any client program behind a wire tap (procactor).
// Each role lives in its own file — its options (the client entry's keys beside name, count,
// role and route), their defaults and validation, its traits, its length estimate and the
// actor it runs — and is a line of the table Roles (no registry).
package role

import (
	"crypto/tls"
	"strings"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/harness/history"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/tlsca"
)

// Roles is the table of client roles, in the order the documentation and the schema list them.
var Roles = spec.Table[Options]{
	{Key: "player", Doc: "A VOD player (Flash Player's NetStream): a buffer, a play script, Stream Reconnect.", New: func() Options { return &Player{} }},
	{Key: "publisher", Doc: "A live publisher with WCS-style Streaming Auto Restore.", New: func() Options { return &Publisher{} }},
	{Key: "viewer", Doc: "A live viewer: plays a live name and restores its session when lost.", New: func() Options { return &Viewer{} }},
	{Key: KeyProcess, Doc: "Any RTMP client program, run by the harness behind a wire tap.", New: func() Options { return &Process{} }},
}

// Options is one role's options as a client entry gives them, and what the role does with them.
type Options interface {
	// Default fills the options left out.
	Default()
	// Validate reports what is wrong with the defaulted options into p (the client's path).
	Validate(p spec.Problems, sc Scope)
	// Traits says what the role's clients do and tell; validation reads it.
	Traits() Traits
	// Length estimates how long a client runs when all goes well (it bounds nothing).
	Length(sc Scope) time.Duration
	// Actor builds the client of one run.
	Actor(env Env) (Actor, error)
}

// Actor is a client of a run: a scripted client or a program.
type Actor = fakeclient.Client

// Traits is what a role's clients do and tell. Each names what its Actor implements (a test
// holds every role to its word).
type Traits struct {
	// Live: the client plays or publishes a live stream, on the subject's live application.
	Live bool
	// Tapped: the client is a program judged from its wire tap, not from its own reports.
	Tapped bool
	// Stops: the client can be stopped by hand (manualStop; its Actor is a fakeclient.Stopper).
	Stops bool
	// Moves: the client can make a load-balance move (move; its Actor is a fakeclient.Mover).
	Moves bool
}

// Scope is what a role's validation and length estimate may look up in the scenario.
type Scope struct {
	// Streams are the names the server's catalogue offers.
	Streams spec.Names
	// Stream returns a catalogue entry.
	Stream func(name string) (lab.Stream, bool)
}

// Env is what a role needs to build the actor of one run.
type Env struct {
	// Name is the client's name (its identity on the wire and in the history).
	Name string
	// Addr is the address of the client's route.
	Addr string
	// VODApp and LiveApp are the subject's applications.
	VODApp, LiveApp string
	// Clock is the run's clock.
	Clock clock.Clock
	// Dir is the scenario file's folder.
	Dir string
	// Catalogue names the streams the server serves on demand (the rest are live).
	Catalogue spec.Names
	// Out is the client's folder of this run for its own files ({out} of a process).
	Out string
	// Marks are the stream times at which faults wait for this client (atStreamTime).
	Marks []time.Duration
	// History is the run's recorder, into which the client's events go at their times.
	History *history.Recorder
	// TLS, when set, is what a scripted client connects with (the subject serves RTMPS).
	TLS *tls.Config
	// CA is the run's certificate authority when the subject serves RTMPS: a process
	// client's wire tap shows the program a certificate it signs.
	CA *tlsca.Authority
	// TLSTerms are what the subject's TLS offers besides its certificate (the tap mirrors them).
	TLSTerms tlsca.Terms
}

// app is the application a client of the role uses.
func (e Env) app(t Traits) string {
	if t.Live {
		return e.LiveApp
	}
	return e.VODApp
}

// scripted is the environment of a scripted client: its events are recorded as client.*.
func (e Env) scripted(t Traits) fakeclient.Env {
	return fakeclient.Env{Name: e.Name, Addr: e.Addr, App: e.app(t), Clock: e.Clock, Dir: e.Dir, TLS: e.TLS,
		OnEvent: func(ev fakeclient.Event) {
			var h history.Event
			ClientEvent(&h, e.Name, &ev)
			e.History.Put(ev.Time, &h)
		}}
}

// Name is the role of options ("" for options no role makes).
func Name(o Options) string {
	k, _ := Roles.KeyOf(o)
	return k
}

// Describe lists, for a message, the roles whose traits match: "publisher and process clients".
func Describe(match func(Traits) bool) string {
	var out []string
	for _, e := range Roles {
		if match(e.New().Traits()) {
			out = append(out, e.Key)
		}
	}
	switch len(out) {
	case 0:
		return "no clients"
	case 1:
		return out[0] + " clients"
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1] + " clients"
}
