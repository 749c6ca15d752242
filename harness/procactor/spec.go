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
	DefaultApp   = "vod"
	DefaultGrace = 2 * time.Second
	maxGrace     = time.Minute
	maxArgs      = 256
	maxEnv       = 64
)

// Placeholders are what a command line (and env values) may contain; each is replaced by the
// value for the client's route when the program starts.
var Placeholders = []string{"{url}", "{tcurl}", "{addr}", "{host}", "{port}", "{app}", "{stream}", "{dir}"}

var placeholder = regexp.MustCompile(`\{[a-zA-Z]+\}`)

// Spec is the program of a process actor, as a scenario declares it (the client entry's
// route, stream and duration apply too).
type Spec struct {
	// Command is the program and its arguments; {url} is rtmp://addr/app/stream through the
	// client's route (also {tcurl}, {addr}, {host}, {port}, {app}, {stream}, and {dir}: the
	// scenario file's folder, for scripts kept beside it).
	Command []string `yaml:"command" json:"command"`
	// App is the RTMP application in {url} and {tcurl} (default vod).
	App string `yaml:"app" json:"app,omitempty"`
	// Env adds environment variables (values may hold placeholders).
	Env map[string]string `yaml:"env" json:"env,omitempty"`
	// Dir is the working directory (default the run's).
	Dir string `yaml:"dir" json:"dir,omitempty"`
	// At is when the program starts, from the start of the run (default 0).
	At spec.Duration `yaml:"at" json:"at,omitempty"`
	// Grace is how long the program has to end after SIGINT before it is killed (default 2s).
	Grace spec.Duration `yaml:"grace" json:"grace,omitempty"`
}

// Default fills the defaults.
func (s *Spec) Default() {
	if s.App == "" {
		s.App = DefaultApp
	}
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
	if !spec.SafeName(s.App) {
		p.Add("app", "%q "+spec.SafeNameRule, s.App)
	}
	p.NonNegative("at", s.At)
	if s.Grace < 0 || s.Grace.D() > maxGrace {
		p.Add("grace", "%v is outside 0..%v", s.Grace, maxGrace)
	}
}

// expand replaces the placeholders of v.
func expand(v, addr, app, stream, dir string) string {
	host, port, _ := strings.Cut(addr, ":")
	return strings.NewReplacer("{url}", "rtmp://"+addr+"/"+app+"/"+stream, "{tcurl}", "rtmp://"+addr+"/"+app,
		"{addr}", addr, "{host}", host, "{port}", port, "{app}", app, "{stream}", stream, "{dir}", dir).Replace(v)
}
