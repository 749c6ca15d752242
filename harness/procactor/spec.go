// Package procactor makes any RTMP client program a scenario actor (role: process): the
// harness runs the command with the route's address put in, in its own process group,
// records its output and exit into the history, stops it by PID (SIGINT, then SIGKILL after a
// grace), and puts a wire tap between it and the route, so that what the program really sent
// and received is evidence the checkers can judge it by.
package procactor

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/internal/spec"
)

// Defaults and bounds of a process actor.
const (
	DefaultGrace = 2 * time.Second
	maxGrace     = time.Minute
	maxArgs      = 256
	maxEnv       = 64
)

// Placeholders are what a command line (and env values) may contain; each is replaced by the
// value for the client's route when the program starts.
var Placeholders = []string{"{url}", "{tcurl}", "{addr}", "{host}", "{port}", "{app}", "{stream}", "{dir}", "{client}", "{out}", CAFile}

// CAFile is the placeholder of a PEM file holding the run's certificate authority, which the
// program is to trust when the server speaks RTMPS (the wire tap shows it a certificate of
// that authority).
const CAFile = "{cafile}"

var placeholder = regexp.MustCompile(`\{[a-zA-Z]+\}`)

// Options are a process client's options as a scenario declares them (role: process): the
// program, the stream in its URL, and how long it may run.
type Options struct {
	// Stream is the stream put in the program's {url} and {stream}.
	Stream string `yaml:"stream" json:"stream,omitempty"`
	// Duration, when set, is how long the program may run before the harness stops it
	// (default: until it exits or the run ends).
	Duration spec.Duration `yaml:"duration" json:"duration,omitempty"`
	// Process is the program.
	Process *Spec `yaml:"process" json:"process,omitempty"`
}

// Default fills the program's defaults.
func (o *Options) Default() {
	if o.Process != nil {
		o.Process.Default()
	}
}

// Validate reports what is wrong with the defaulted options into p (the client's own path).
func (o *Options) Validate(p spec.Problems) {
	if o.Stream != "" {
		if err := spec.StreamKey(o.Stream); err != nil {
			p.Add("stream", "%v", err)
		}
	}
	p.NonNegative("duration", o.Duration)
	if o.Process == nil {
		p.Add("process", "is required for role: process (its command line)")
		return
	}
	if o.Duration > 0 && o.Duration <= o.Process.At {
		p.Add("duration", "%v is over before process.at %v starts the program (both count from the start of the run)", o.Duration, o.Process.At)
	}
	o.Process.Validate(p.At("process"), o.Stream)
}

// Programs names the program (none when its path holds a placeholder such as {dir}: it is
// found when the run starts).
func (o *Options) Programs() []string {
	if o.Process == nil || len(o.Process.Command) == 0 || strings.Contains(o.Process.Command[0], "{") {
		return nil
	}
	return o.Process.Command[:1]
}

// LiveStream is the stream in the program's URL.
func (o *Options) LiveStream() string { return o.Stream }

// Spec is the program of a process actor, as a scenario declares it.
type Spec struct {
	// Command is the program and its arguments; {url} is rtmp://addr/app/stream through the
	// client's route (rtmps:// when the server speaks TLS; also {tcurl}, {addr}, {host},
	// {port}, {app}, {stream}; {dir}: the scenario file's folder, for scripts kept beside it;
	// {client}: the client's name; {out}: a folder of this run for the program's own logs and
	// recordings, kept after it; {cafile}: the run's certificate authority, a PEM file).
	Command []string `yaml:"command" json:"command"`
	// App is the RTMP application in {url} and {tcurl} (default: the server's application
	// for what the program does — its VOD application when the stream is in the server's
	// catalogue, else its live one).
	App string `yaml:"app" json:"app,omitempty"`
	// Env adds environment variables (values may hold placeholders).
	Env map[string]string `yaml:"env" json:"env,omitempty"`
	// Dir is the working directory (default the run's).
	Dir string `yaml:"dir" json:"dir,omitempty"`
	// At is when the program starts, from the start of the run (default 0).
	At spec.Duration `yaml:"at" json:"at,omitempty"`
	// Grace is how long the program has to end after SIGINT before it is killed (default 2s).
	Grace spec.Duration `yaml:"grace" json:"grace,omitempty"`
	// TLS is what the wire tap does with an RTMPS server's TLS: terminate (default: it shows
	// the program a certificate of the run's authority, {cafile}, and reads the RTMP inside)
	// or relay (it passes the TLS bytes as they are, for a program that cannot be told to
	// trust that authority or that must see the server's own certificate: the tap then reads
	// nothing, and the checkers that judge commands, statuses and media say unknown where
	// they would fail).
	TLS string `yaml:"tls" json:"tls,omitempty"`
}

// What a wire tap does with TLS (Spec.TLS).
const (
	TLSTerminate = "terminate"
	TLSRelay     = "relay"
)

// Default fills the defaults (the application is the subject's, chosen when the run starts).
func (s *Spec) Default() {
	if s.Grace == 0 {
		s.Grace = spec.Duration(DefaultGrace)
	}
}

// Validate reports what is wrong with a defaulted spec into p; stream is the client entry's
// stream (needed when the command uses {url} or {stream}).
func (s *Spec) Validate(p spec.Problems, stream string) {
	switch {
	case len(s.Command) == 0:
		p.Add("command", "is required: the program and its arguments, e.g. [ffmpeg, -i, \"{url}\", -f, null, -]")
	case len(s.Command) > maxArgs:
		p.Add("command", "%d arguments exceed the limit of %d", len(s.Command), maxArgs)
	case strings.TrimSpace(s.Command[0]) == "":
		p.Add("command[0]", "the program is empty")
	}
	usesStream := false
	check := func(field, v string) {
		for _, m := range placeholder.FindAllString(v, -1) {
			if !slices.Contains(Placeholders, m) {
				p.Add(field, "%s is not a placeholder (known: %s)", m, strings.Join(Placeholders, ", "))
			}
			usesStream = usesStream || m == "{url}" || m == "{stream}"
		}
	}
	for i, a := range s.Command {
		check(fmt.Sprintf("command[%d]", i), a)
	}
	if len(s.Env) > maxEnv {
		p.Add("env", "%d variables exceed the limit of %d", len(s.Env), maxEnv)
	}
	for k, v := range s.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			p.Add("env", "%q is not a variable name", k)
		}
		check("env."+k, v)
	}
	if usesStream && stream == "" {
		p.Add("", "the command uses {url} or {stream}: give the client a stream")
	}
	if s.App != "" {
		if err := spec.AppPath(s.App); err != nil {
			p.Add("app", "%v", err)
		}
	}
	p.NonNegative("at", s.At)
	if s.TLS != "" && s.TLS != TLSTerminate && s.TLS != TLSRelay {
		p.Add("tls", "%q is not what the tap does with TLS (known: %s, %s)", s.TLS, TLSTerminate, TLSRelay)
	}
	if s.Grace < 0 || s.Grace.D() > maxGrace {
		p.Add("grace", "%v is outside 0..%v", s.Grace, maxGrace)
	}
}

// Uses tells whether the command line or environment uses a placeholder.
func (s *Spec) Uses(ph string) bool {
	for _, v := range s.Command {
		if strings.Contains(v, ph) {
			return true
		}
	}
	for _, v := range s.Env {
		if strings.Contains(v, ph) {
			return true
		}
	}
	return false
}

// values are what the placeholders stand for in one run.
type values struct {
	addr, app, stream, dir, client, out string
	tls                                 bool   // the program speaks RTMPS to the tap
	cafile                              string // the run's certificate authority (TLS)
}

// replacer replaces the placeholders with v.
func (v values) replacer() *strings.Replacer {
	host, port, _ := strings.Cut(v.addr, ":")
	scheme := "rtmp://"
	if v.tls {
		scheme = "rtmps://"
	}
	return strings.NewReplacer("{url}", scheme+v.addr+"/"+v.app+"/"+v.stream, "{tcurl}", scheme+v.addr+"/"+v.app,
		"{addr}", v.addr, "{host}", host, "{port}", port, "{app}", v.app, "{stream}", v.stream, "{dir}", v.dir,
		"{client}", v.client, "{out}", v.out, CAFile, v.cafile)
}
