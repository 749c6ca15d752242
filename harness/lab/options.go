package lab

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/tlsca"
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

// Server is the scenario's server block: the catalogue, the applications the scripted
// clients use, and the subject under test — the reference server with its own options
// (instances, idlePublisherTimeout, pingInterval, pingTimeout), or one of nginx, process and
// external.
type Server struct {
	// Streams is the VOD catalogue, served by every instance.
	Streams []Stream `yaml:"streams" json:"streams"`
	// Reference holds the reference server's options (instances, idle publishers, pings).
	Reference `yaml:",inline" json:",inline"`
	// VODApp and LiveApp are the RTMP applications the scripted clients use: players VODApp,
	// publishers and viewers LiveApp (defaults: vod and vod for the reference server, vod and
	// live for any other).
	VODApp  string `yaml:"vodApp" json:"vodApp,omitempty"`
	LiveApp string `yaml:"liveApp" json:"liveApp,omitempty"`

	// Subject is the options of the subject's kind when it is not the reference server (an
	// entry of Subjects: *Nginx, *ServerProcess, *External); nil for the reference server.
	Subject Kind `yaml:"-" json:"-"`
	// named are the kinds the block gave, in source order (validation refuses more than one).
	named []spec.Member
}

// serverFields is the part of a server block decoded as plain fields.
type serverFields struct {
	Streams   []Stream `yaml:"streams"`
	Reference `yaml:",inline"`
	VODApp    string `yaml:"vodApp"`
	LiveApp   string `yaml:"liveApp"`
}

// UnmarshalYAML decodes the block's fields and the key of its subject's kind, strictly.
func (s *Server) UnmarshalYAML(n ast.Node) error {
	var own serverFields
	members, err := spec.DecodeKeyed(n, &own, Subjects.Make)
	if err != nil {
		return err
	}
	*s = Server{Streams: own.Streams, Reference: own.Reference, VODApp: own.VODApp, LiveApp: own.LiveApp, named: members}
	if len(members) > 0 {
		s.Subject = members[0].Value.(Kind)
	}
	return nil
}

// TableKeys lists the subject kinds' keys (for "did you mean" suggestions).
func (Server) TableKeys() []spec.KeyType { return Subjects.KeyTypes() }

// Kind is the key of the subject's kind: KindReference or a Subjects key.
func (s Server) Kind() string {
	if s.Subject == nil {
		return KindReference
	}
	k, _ := Subjects.KeyOf(s.Subject)
	return k
}

// kind is the subject's kind: its options.
func (s *Server) kind() Kind {
	if s.Subject == nil {
		return &s.Reference
	}
	return s.Subject
}

// Traits are the subject's kind's traits.
func (s *Server) Traits() Traits { return s.kind().Traits() }

// tlsOptions is the subject's tls block: nil when it speaks RTMP.
func (s *Server) tlsOptions() *ServerTLS {
	if t, ok := s.kind().(TLSServer); ok {
		return t.TLSOptions()
	}
	return nil
}

// ServesTLS tells whether the subject speaks RTMPS (a TLSServer kind asked to).
func (s *Server) ServesTLS() bool { return s.tlsOptions() != nil }

// TLSTerms are what an RTMPS subject's TLS offers besides its certificate (the harness sets
// them only for servers it issues the certificate of; validation refuses them elsewhere).
func (s *Server) TLSTerms() tlsca.Terms { return s.tlsOptions().terms() }

// ServesPlainToo tells whether the subject takes plain RTMP beside RTMPS (tls.plainToo, the
// reference server's: validation refuses it elsewhere).
func (s *Server) ServesPlainToo() bool {
	t := s.tlsOptions()
	return t != nil && t.PlainToo
}

// Certificate is the condition of the certificate an RTMPS subject shows ("" for RTMP).
func (s *Server) Certificate() string {
	if t := s.tlsOptions(); t != nil {
		return t.certificate()
	}
	return ""
}

// clientTLS is what the clients of an RTMPS subject connect with, ca being the run's
// authority and dir the scenario's folder.
func (s *Server) clientTLS(ca *tlsca.Authority, dir string) (*tls.Config, error) {
	return s.tlsOptions().clientConfig(ca, dir)
}

// Missing describes what of the programs the subject runs this machine lacks.
func (s *Server) Missing() []string {
	if r, ok := s.kind().(Requirer); ok {
		return r.Missing()
	}
	return nil
}

// Programs names the programs the subject runs.
func (s *Server) Programs() []string {
	if r, ok := s.kind().(Requirer); ok {
		return r.Programs()
	}
	return nil
}

// As is the same server with its subject swapped to the kind called key, with that kind's
// default options (see Swap).
func (s Server) As(key string) (Server, error) {
	if s.Kind() == key {
		return s, nil
	}
	to, known := kindOf(key)
	if !known {
		return s, fmt.Errorf("%s", unknownKind(key))
	}
	return s.Swap(to)
}

// Swap is the same server with its subject replaced by kind (its options as given): the
// catalogue stays; the live-stream settings carry over between swappable kinds (the reference
// server's idlePublisherTimeout, pingInterval and pingTimeout; nginx's dropIdlePublisher,
// ping and pingTimeout); the applications go back to the new kind's defaults. Several
// reference instances swap only to a kind that has instances.
func (s Server) Swap(to Kind) (Server, error) {
	if !to.Traits().Instances && len(s.Instances) > 1 {
		return s, fmt.Errorf("%d server instances: a %s subject is one server", len(s.Instances), kindKey(to))
	}
	src, okSrc := s.kind().(Swappable)
	dst, okDst := to.(Swappable)
	if okSrc && okDst {
		dst.SetLiveness(src.Liveness())
	}
	out := Server{Streams: s.Streams, Subject: to}
	if ref, isRef := to.(*Reference); isRef {
		out.Subject, out.Reference = nil, *ref
		out.Instances = s.Instances
	}
	out.Default()
	return out, nil
}

// kindKey is the key of a kind (KindReference for the reference server).
func kindKey(k Kind) string {
	if _, ref := k.(*Reference); ref {
		return KindReference
	}
	key, _ := Subjects.KeyOf(k)
	return key
}

// ParseSubject reads a subject as a command line gives it: a kind's key alone (reference,
// nginx: its default options) or a server block of one kind in YAML ({process: {command:
// [my-server, "{port}"]}}, {external: {address: 127.0.0.1:1935}}); it is validated.
func ParseSubject(text string) (Kind, error) {
	if k, ok := kindOf(strings.TrimSpace(text)); ok {
		return k, nil
	}
	var srv Server
	if err := yaml.UnmarshalWithOptions([]byte(text), &srv, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("%s (a kind: %s; or a server block such as {process: {command: [my-server, \"{port}\"]}})",
			yaml.FormatError(err, false, false), strings.Join(KindKeys(), ", "))
	}
	if len(srv.Streams) > 0 || srv.VODApp != "" || srv.LiveApp != "" {
		return nil, fmt.Errorf("a subject names the server's kind and options only: the catalogue and applications are the scenario's")
	}
	p := spec.NewProblems()
	srv.validateSubject(p)
	if probs := p.List(); len(probs) > 0 {
		var msgs []string
		for _, pr := range probs {
			msgs = append(msgs, strings.TrimPrefix(pr.Field+": ", ": ")+pr.Message)
		}
		return nil, fmt.Errorf("%s", strings.Join(msgs, "; "))
	}
	return srv.kind(), nil
}

// SwappableKinds lists the kinds As swaps between.
func SwappableKinds() []string {
	var out []string
	for _, k := range KindKeys() {
		if kind, _ := kindOf(k); kind != nil {
			if _, ok := kind.(Swappable); ok {
				out = append(out, k)
			}
		}
	}
	return out
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
		s.LiveApp = s.Traits().LiveApp
		if s.LiveApp == "" {
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
		if st.File != "" && !s.Traits().Files {
			f.Add("file", "is served by a subject that plays the catalogue from files (%s); the reference server serves synthetic streams, an external or process server its own files", strings.Join(filesKinds(), ", "))
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

// validateSubject checks the choice of the subject and its kind's options.
func (s *Server) validateSubject(p spec.Problems) {
	if len(s.named) > 1 {
		keys := make([]string, len(s.named))
		for i, m := range s.named {
			keys[i] = m.Key
		}
		p.Add("", "%s each name the subject: give one", strings.Join(keys, " and "))
		for _, m := range s.named[1:] {
			m.Value.(Kind).Validate(p.At(m.Key), s)
		}
	}
	if !s.Traits().Instances && len(s.Instances) > 0 {
		p.Add("instances", "are reference servers; a scenario with an %s subject has that one server", s.Kind())
	}
	if s.Subject != nil {
		s.Reference.unused(p, s.Kind(), s.Subject)
	}
	for _, app := range []struct{ field, v string }{{"vodApp", s.VODApp}, {"liveApp", s.LiveApp}} {
		if app.v == "" {
			continue
		}
		if err := spec.AppPath(app.v); err != nil {
			p.Add(app.field, "%v", err)
		}
	}
	if s.Subject == nil {
		s.Reference.Validate(p, s)
		return
	}
	s.Subject.Validate(p.At(s.Kind()), s)
}

// filesKinds lists the kinds that serve the catalogue from files.
func filesKinds() []string {
	var out []string
	for _, e := range Subjects {
		if e.New().Traits().Files {
			out = append(out, e.Key)
		}
	}
	return out
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
