package lab

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/spec"
)

// ServerName is the name of the scenario's reference server when server.instances is not set.
const ServerName = "origin"

// Stream defaults.
const (
	DefaultKeyframeInterval = time.Second
	maxFPS                  = 120
)

// Bounds of a lab: a scenario asking for more is refused before anything is built.
const (
	MaxStreams   = 256
	MaxInstances = 16
	MaxRoutes    = 256
)

// Toxiproxy configures an external toxiproxy-server.
type Toxiproxy struct {
	// URL is the server's API address, e.g. http://127.0.0.1:8474.
	URL string `yaml:"url" json:"url"`
}

// Server configures the reference servers.
type Server struct {
	// Streams is the VOD catalogue, served by every instance.
	Streams []Stream `yaml:"streams" json:"streams"`
	// Instances names the reference servers to run, each on its own address with the same
	// catalogue (e.g. origin-a, origin-b for a load-balance move); default one, "origin".
	Instances []string `yaml:"instances" json:"instances,omitempty"`
	// IdlePublisherTimeout drops a live publisher that sent no media for this long (nginx-rtmp
	// drop_idle_publisher); omitted, a dead publisher stays a zombie that blocks its name.
	IdlePublisherTimeout spec.Duration `yaml:"idlePublisherTimeout" json:"idlePublisherTimeout,omitempty"`
	// PingInterval makes the server ping every session that often; a session silent for
	// PingTimeout (default 3 intervals) is closed. Omitted, no pings.
	PingInterval spec.Duration `yaml:"pingInterval" json:"pingInterval,omitempty"`
	// PingTimeout is how long a session may send nothing at all before the server closes it.
	PingTimeout spec.Duration `yaml:"pingTimeout" json:"pingTimeout,omitempty"`

	// External makes the subject a server someone else runs, at an address, instead of the
	// reference server (the catalogue then says what it serves; nothing is started).
	External *External `yaml:"external" json:"external,omitempty"`
	// Process makes the subject a server program the harness runs, kills and restarts.
	Process *ServerProcess `yaml:"process" json:"process,omitempty"`
	// Nginx makes the subject nginx-rtmp, run by the harness with the catalogue as FLV files.
	Nginx *Nginx `yaml:"nginx" json:"nginx,omitempty"`
	// VODApp and LiveApp are the RTMP applications the scripted clients use: players VODApp,
	// publishers and viewers LiveApp (defaults: vod and vod for the reference server, vod and
	// live for any other).
	VODApp  string `yaml:"vodApp" json:"vodApp,omitempty"`
	LiveApp string `yaml:"liveApp" json:"liveApp,omitempty"`
}

// Kind is the kind of server the subject is: KindReference, KindNginx, KindProcess or
// KindExternal.
func (s Server) Kind() string {
	switch {
	case s.Nginx != nil:
		return KindNginx
	case s.Process != nil:
		return KindProcess
	case s.External != nil:
		return KindExternal
	}
	return KindReference
}

// As is the same server with its subject swapped to kind (KindReference or KindNginx): the
// catalogue stays, the idle-publisher and ping settings carry over (idlePublisherTimeout ↔
// nginx.dropIdlePublisher, pingInterval ↔ nginx.ping, pingTimeout ↔ nginx.pingTimeout), the
// applications go back to the new kind's defaults. External and process subjects do not swap.
func (s Server) As(kind string) (Server, error) {
	from := s.Kind()
	switch {
	case from == kind:
		return s, nil
	case from != KindReference && from != KindNginx:
		return s, fmt.Errorf("the subject is %s: only the reference server and nginx swap", from)
	case kind != KindReference && kind != KindNginx:
		return s, fmt.Errorf("%q is not a subject to swap to (known: %s, %s)", kind, KindReference, KindNginx)
	case kind == KindNginx && len(s.Instances) > 1:
		return s, fmt.Errorf("%d server instances: nginx is one server", len(s.Instances))
	}
	out := s
	out.VODApp, out.LiveApp = "", ""
	if kind == KindNginx {
		out.Nginx = &Nginx{DropIdlePublisher: s.IdlePublisherTimeout, Ping: s.PingInterval, PingTimeout: s.PingTimeout}
		out.IdlePublisherTimeout, out.PingInterval, out.PingTimeout, out.Instances = 0, 0, 0, nil
	} else {
		out.IdlePublisherTimeout, out.PingInterval, out.PingTimeout = s.Nginx.DropIdlePublisher, s.Nginx.Ping, s.Nginx.PingTimeout
		out.Nginx = nil
	}
	out.Default()
	return out, nil
}

// Stream is one synthetic VOD stream.
type Stream struct {
	// Name is the stream name clients play.
	Name string `yaml:"name" json:"name"`
	// Duration is the stream length.
	Duration spec.Duration `yaml:"duration" json:"duration"`
	// FPS is the frame rate (default 25).
	FPS int `yaml:"fps" json:"fps,omitempty"`
	// KeyframeInterval is the time between keyframes (default 1s).
	KeyframeInterval spec.Duration `yaml:"keyframeInterval" json:"keyframeInterval,omitempty"`
	// File, for an nginx subject, is an FLV file of real media (e.g. made by ffmpeg) to serve
	// under this name instead of the synthetic stream (a path relative to the scenario file);
	// duration and fps must then say what it holds. The reference server serves synthetic
	// streams only.
	File string `yaml:"file" json:"file,omitempty"`
}

// Route is a named path from clients to a server through one Toxiproxy proxy.
type Route struct {
	// Name identifies the route (e.g. wifi, lte).
	Name string `yaml:"name" json:"name"`
	// Server is the server instance the route leads to (default: the first instance).
	Server string `yaml:"server" json:"server,omitempty"`
}

// Names lists the server instances (ServerName when none is set).
func (s Server) Names() []string {
	if len(s.Instances) == 0 {
		return []string{ServerName}
	}
	return s.Instances
}

// Stream returns the catalogue entry called name.
func (s Server) Stream(name string) (Stream, bool) {
	for _, st := range s.Streams {
		if st.Name == name {
			return st, true
		}
	}
	return Stream{}, false
}

// Specs is the catalogue as the reference server takes it.
func (s Server) Specs() []media.Spec {
	out := make([]media.Spec, 0, len(s.Streams))
	for _, st := range s.Streams {
		out = append(out, st.Spec())
	}
	return out
}

// Spec is the stream as the media generator takes it.
func (st Stream) Spec() media.Spec {
	return media.Spec{Name: st.Name, Duration: st.Duration.D(), FPS: st.FPS, KeyframeInterval: st.KeyframeInterval.D()}
}

// Frames is the stream's length in frames.
func (st Stream) Frames() int { return int(st.Duration.D() * time.Duration(st.FPS) / time.Second) }

// Default fills the streams' defaults and the applications.
func (s *Server) Default() {
	if s.VODApp == "" {
		s.VODApp = "vod"
	}
	if s.LiveApp == "" {
		s.LiveApp = "vod"
		if s.Kind() != KindReference {
			s.LiveApp = "live"
		}
	}
	for i := range s.Streams {
		st := &s.Streams[i]
		if st.FPS == 0 {
			st.FPS = media.DefaultFPS
		}
		if st.KeyframeInterval == 0 {
			st.KeyframeInterval = spec.Duration(DefaultKeyframeInterval)
		}
	}
}

// Default names the first server instance when the route names none.
func (r *Route) Default(s Server) {
	if r.Server == "" {
		r.Server = s.Names()[0]
	}
}

// Validate checks the URL.
func (t *Toxiproxy) Validate(p spec.Problems) {
	if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add("url", "%q is not an http(s) URL such as http://127.0.0.1:8474", t.URL)
	}
}

// Validate checks the catalogue and the instances (p is the server's path) and returns the
// stream and server names for cross-references.
func (s *Server) Validate(p spec.Problems) (streams, servers spec.Names) {
	streams, servers = spec.Names{}, spec.Names{}
	if len(s.Streams) == 0 {
		p.Add("streams", "at least one stream is required")
	}
	if n := len(s.Streams); n > MaxStreams {
		p.Add("streams", "%d streams exceed the limit of %d", n, MaxStreams)
		return streams, servers
	}
	if n := len(s.Instances); n > MaxInstances {
		p.Add("instances", "%d server instances exceed the limit of %d", n, MaxInstances)
		return streams, servers
	}
	for i, st := range s.Streams {
		f := p.At(fmt.Sprintf("streams[%d]", i))
		switch {
		case st.Name == "":
			f.Add("name", "is required")
		case streams[st.Name]:
			f.Add("name", "stream %q is defined twice", st.Name)
		case strings.ContainsAny(st.Name, ":/ \x00"):
			f.Add("name", "%q must not contain ':', '/', spaces or NUL", st.Name)
		}
		streams[st.Name] = true
		if st.Duration <= 0 {
			f.Add("duration", "must be positive")
		}
		if st.FPS < 1 || st.FPS > maxFPS {
			f.Add("fps", "%d is outside 1..%d", st.FPS, maxFPS)
		}
		if st.KeyframeInterval <= 0 {
			f.Add("keyframeInterval", "must be positive")
		}
		if st.File != "" && s.Kind() != KindNginx {
			f.Add("file", "is served by an nginx subject; the reference server serves synthetic streams, an external or process server its own files")
		}
	}
	for i, name := range s.Instances {
		f := fmt.Sprintf("instances[%d]", i)
		switch {
		case !spec.SafeName(name):
			p.Add(f, "%q "+spec.SafeNameRule, name)
		case servers[name]:
			p.Add(f, "server %q is defined twice", name)
		}
		servers[name] = true
	}
	if len(s.Instances) == 0 {
		servers[ServerName] = true
	}
	s.validateSubject(p)
	return streams, servers
}

// validateSubject checks the choice of a subject other than the reference server.
func (s *Server) validateSubject(p spec.Problems) {
	set := 0
	for _, on := range []bool{s.External != nil, s.Process != nil, s.Nginx != nil} {
		if on {
			set++
		}
	}
	if set > 1 {
		p.Add("", "external, process and nginx each name the subject: give one")
	}
	if set > 0 && len(s.Instances) > 0 {
		p.Add("instances", "are reference servers; a scenario with an external, process or nginx subject has that one server")
	}
	if s.Kind() != KindReference && (s.IdlePublisherTimeout != 0 || s.PingInterval != 0 || s.PingTimeout != 0) {
		p.Add("", "idlePublisherTimeout, pingInterval and pingTimeout configure the reference server (for nginx: nginx.dropIdlePublisher, ping, pingTimeout)")
	}
	for _, app := range []struct{ field, v string }{{"vodApp", s.VODApp}, {"liveApp", s.LiveApp}} {
		if app.v != "" && !spec.SafeName(app.v) {
			p.Add(app.field, "%q "+spec.SafeNameRule, app.v)
		}
	}
	if e := s.External; e != nil {
		if _, err := e.HostPort(); err != nil {
			p.At("external").Add("address", "%v", err)
		}
	}
	if sp := s.Process; sp != nil {
		f := p.At("process")
		if len(sp.Command) == 0 || strings.TrimSpace(sp.Command[0]) == "" {
			f.Add("command", "is required: the server program and its arguments, with {port} where it takes its port")
		} else if !strings.Contains(strings.Join(sp.Command, " "), "{port}") && !strings.Contains(strings.Join(sp.Command, " "), "{addr}") {
			f.Add("command", "names no {port} or {addr}: the harness picks the port the server must listen on")
		}
		f.NonNegative("readyTimeout", sp.ReadyTimeout)
	}
	if ng := s.Nginx; ng != nil {
		f := p.At("nginx")
		f.NonNegative("dropIdlePublisher", ng.DropIdlePublisher)
		f.NonNegative("ping", ng.Ping)
		f.NonNegative("pingTimeout", ng.PingTimeout)
	}
}

// ValidateRoutes checks the routes (p is the scenario's root) and returns their names.
func ValidateRoutes(routes []Route, servers spec.Names, p spec.Problems) spec.Names {
	names := spec.Names{}
	if len(routes) == 0 {
		p.Add("routes", "at least one route is required")
	}
	if len(routes) > MaxRoutes {
		p.Add("routes", "%d routes exceed the limit of %d", len(routes), MaxRoutes)
		return names
	}
	for i, r := range routes {
		f := p.At(fmt.Sprintf("routes[%d]", i))
		switch {
		case r.Name == "":
			f.Add("name", "is required")
		case !spec.SafeName(r.Name):
			f.Add("name", "%q "+spec.SafeNameRule, r.Name)
		case names[r.Name]:
			f.Add("name", "route %q is defined twice", r.Name)
		}
		names[r.Name] = true
		if !servers[r.Server] {
			f.Add("server", "%q is not a server of this scenario%s", r.Server, servers.Known())
		}
	}
	return names
}
