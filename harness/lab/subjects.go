package lab

import (
	"context"
	"fmt"
	"strings"

	"github.com/streamfault/streamfault/internal/tlsca"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/spec"
)

// KindReference is the reference server, the subject of a scenario whose server block names
// no other kind (its options are the block's own: instances, idlePublisherTimeout, …).
const KindReference = "reference"

// Subjects is the table of the other kinds of server subject, keyed in a scenario's server
// block (server: {nginx: {…}}), in the order the documentation and the schema list them.
// Adding a kind is a file subject_<kind>.go with its options and behaviour, and a line here.
var Subjects = spec.Table[Kind]{
	{Key: KindNginx, Doc: "Nginx makes the subject nginx-rtmp, run by the harness with the catalogue as FLV files.", New: func() Kind { return &Nginx{} }},
	{Key: KindProcess, Doc: "Process makes the subject a server program the harness runs, kills and restarts.", New: func() Kind { return &ServerProcess{} }},
	{Key: KindExternal, Doc: "External makes the subject a server someone else runs, at an address, instead of the\nreference server (the catalogue then says what it serves; nothing is started).", New: func() Kind { return &External{} }},
}

// Kind is one kind of server subject — what a scenario's server is: the reference server,
// nginx-rtmp, a server program, an address. It is the kind's options as the scenario gives
// them; Launch makes the server of one run from them.
type Kind interface {
	// Validate reports what is wrong with the options into p (the kind's own path, e.g.
	// server.nginx); srv is the whole server block.
	Validate(p spec.Problems, srv *Server)
	// Traits says what the kind's servers are like; validation reads it before anything runs.
	Traits() Traits
	// Launch starts the server called name for one run, or reaches it, returning once it
	// accepts connections.
	Launch(ctx context.Context, env Env, name string) (Subject, error)
}

// Traits is what a kind's servers let the harness do and know. Each trait names the optional
// interface its launched Subject implements (a test holds every kind to its word).
type Traits struct {
	// Controlled: the harness runs the server, so the kill, restart and shutdown faults apply
	// (the Subject is a Controller).
	Controlled bool
	// Program: the server is a program of its own, whose exits are reported (Env.OnExit).
	Program bool
	// MediaStall: the server can stop sending media with every socket open (a MediaStaller).
	MediaStall bool
	// AccessLog: the server reports its access log (connects, plays with the resume offsets
	// it served, publishes) into the history, through Env.OnEvent.
	AccessLog bool
	// Instances: a scenario may run several servers of the kind (server.instances).
	Instances bool
	// Files: the kind serves the catalogue's streams from files (streams[].file).
	Files bool
	// LiveApp is the application live clients use by default ("live" unless the kind says).
	LiveApp string
}

// Subject is a server of a run, as the lab reaches it.
type Subject interface {
	// Addr is the host:port clients reach it at (behind the routes).
	Addr() string
	// Shutdown ends the server's part in the run: a server the lab started is stopped for
	// good and what it wrote is removed; a server it only reaches is left as it is.
	Shutdown() error
}

// Controller is a Subject the harness runs, which the kill, restart and shutdown faults act on.
type Controller interface {
	Subject
	// Kill ends it at once, every connection aborted.
	Kill() error
	// Start starts it again on the same address after a kill or a close.
	Start() error
	// Restart kills it and starts it again.
	Restart() error
	// Close stops it gracefully; Start may follow.
	Close() error
}

// MediaStaller is a Subject that can stop sending media while every socket stays open.
type MediaStaller interface {
	Subject
	// StallMedia stops (true) or resumes (false) every media write.
	StallMedia(on bool)
}

// Requirer is a Kind that needs programs on the machine.
type Requirer interface {
	// Programs names the programs the kind runs.
	Programs() []string
	// Missing describes what of them this machine lacks (empty: nothing).
	Missing() []string
}

// Swappable is a Kind whose live-stream settings carry over when a scenario's subject is
// swapped for another Swappable kind (streamfault compare).
type Swappable interface {
	Kind
	// Liveness is the kind's settings for live publishers and pings.
	Liveness() Liveness
	// SetLiveness takes them over from another kind.
	SetLiveness(Liveness)
}

// Liveness is what swappable kinds share about live streams: an idle publisher's drop and
// pings.
type Liveness struct {
	// DropIdlePublisher drops a publisher that sent no media that long (0: never).
	DropIdlePublisher spec.Duration
	// Ping is the server's ping interval (0: the kind's default).
	Ping spec.Duration
	// PingTimeout closes a session silent that long (0: the kind's default).
	PingTimeout spec.Duration
}

// Env is what a kind needs to launch a server for a run.
type Env struct {
	// Streams is the catalogue.
	Streams []Stream
	// Clock paces the reference server.
	Clock clock.Clock
	// Dir is the scenario file's folder ({dir} in a command, relative stream files).
	Dir string
	// AllowRemote lets an external server be on a host other than loopback.
	AllowRemote bool
	// OnEvent receives the access log of a kind with Traits.AccessLog (concurrency-safe).
	OnEvent func(server string, ev fakeserver.Event)
	// OnFrameDue is told when the reference server meant each paced video frame to leave
	// (may be nil; concurrency-safe).
	OnFrameDue func(fakeserver.FrameDue)
	// OnLine receives the output lines of a server program (bounded; may be nil).
	OnLine func(stream, line string)
	// OnExit receives every exit of a server program the lab runs (may be nil).
	OnExit func(Exit)
	// CA is the run's certificate authority, made when the subject serves TLS (TLSServer).
	CA *tlsca.Authority
}

// TLSServer is a subject kind that may serve RTMPS (its options' tls block): with a
// certificate the run's authority signs (Env.CA), or one of its own the clients are told how
// to trust.
type TLSServer interface {
	// TLSOptions is the kind's tls block; nil when this scenario's server speaks RTMP.
	TLSOptions() *ServerTLS
}

// Exit is how a server program the lab runs ended.
type Exit struct {
	// Planned is true when the harness ended it (a kill, restart or shutdown fault, or the
	// end of the run); false when it died on its own.
	Planned bool
	// Allowed is true when the scenario lets the server end by itself (process.mayExit).
	Allowed bool
	// How is its exit status or the signal that ended it.
	How string
	// Tail is the last lines it wrote.
	Tail []string
}

// kindOf is the kind called key: the reference server or a Subjects entry.
func kindOf(key string) (Kind, bool) {
	if key == KindReference {
		return &Reference{}, true
	}
	e, ok := Subjects.Lookup(key)
	if !ok {
		return nil, false
	}
	return e.New(), true
}

// KindKeys lists every kind of subject: the reference server, then the Subjects table.
func KindKeys() []string { return append([]string{KindReference}, Subjects.Keys()...) }

// DescribeKinds lists, for a message, the kinds whose traits match: "the reference server,
// server.nginx or server.process".
func DescribeKinds(match func(Traits) bool) string {
	var out []string
	for _, key := range KindKeys() {
		if k, _ := kindOf(key); k != nil && match(k.Traits()) {
			if key == KindReference {
				out = append(out, "the reference server")
			} else {
				out = append(out, "server."+key)
			}
		}
	}
	switch len(out) {
	case 0:
		return "none"
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}

// unknownKind says that key names no kind of subject.
func unknownKind(key string) string {
	return fmt.Sprintf("%q is not a kind of subject (known: %s)", key, strings.Join(KindKeys(), ", "))
}
