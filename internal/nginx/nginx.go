// Package nginx runs nginx with the RTMP module (Debian's libnginx-mod-rtmp) as a peer the
// harness owns: unprivileged, in the foreground, on a loopback port, with its pid file, logs
// and configuration in a directory of its own, stopped by PID. It serves the applications
// vod (files of a directory, `play DIR`) and live (`live on`).
package nginx

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/template"
	"time"

	"github.com/streamfault/streamfault/internal/proc"
	"github.com/streamfault/streamfault/internal/seen"
)

// Where Debian installs nginx and the RTMP module.
const (
	DefaultBinary       = "/usr/sbin/nginx"
	DefaultModule       = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
	DefaultStreamModule = "/usr/lib/nginx/modules/ngx_stream_module.so"
)

// Config configures an nginx-rtmp instance.
type Config struct {
	// Binary and Module locate nginx and the RTMP module (defaults: Debian's paths).
	Binary, Module string
	// Dir holds the configuration, pid file and logs (required).
	Dir string
	// VODDir is the directory the vod application plays files from (default Dir/vod).
	VODDir string
	// DropIdlePublisher drops a publisher silent that long (nginx drop_idle_publisher; 0: off).
	DropIdlePublisher time.Duration
	// Ping and PingTimeout are nginx's ping and ping_timeout (0: nginx's defaults).
	Ping, PingTimeout time.Duration
	// Port is the port to listen on, on 127.0.0.1 (0: a free one is picked).
	Port int
	// OnLine receives nginx's output lines (optional).
	OnLine func(stream, line string)
	// OnExit receives how nginx ended, with its last output lines, at every exit (optional).
	OnExit func(err error, tail []string)
	// TLS, when set, puts nginx's own TLS in front of its RTMP server (RTMPS): a stream
	// server (Debian's libnginx-mod-stream) terminates TLS on the address clients use and
	// passes the bytes to the RTMP listener, on a loopback port of its own.
	TLS *TLS
}

// TLS is the certificate nginx serves RTMPS with.
type TLS struct {
	// Cert is the certificate and its key, from internal/tlsca (written into Dir).
	Cert tls.Certificate
	// SessionTickets: false turns nginx's ssl_session_tickets off.
	SessionTickets bool
	// StreamModule locates the stream module (default Debian's path).
	StreamModule string
}

func (t *TLS) module() string {
	if t.StreamModule != "" {
		return t.StreamModule
	}
	return DefaultStreamModule
}

// Available tells whether nginx and its RTMP module are installed (at the configured or
// default paths), and if not, what is missing.
func Available(cfg Config) error {
	bin, mod := cfg.paths()
	if _, err := exec.LookPath(bin); err != nil {
		return fmt.Errorf("nginx is not installed (%s): apt-get install nginx libnginx-mod-rtmp, or make deps", bin)
	}
	if _, err := os.Stat(mod); err != nil {
		return fmt.Errorf("the nginx RTMP module is not installed (%s): apt-get install libnginx-mod-rtmp, or make deps", mod)
	}
	if cfg.TLS != nil {
		if _, err := os.Stat(cfg.TLS.module()); err != nil {
			return fmt.Errorf("the nginx stream module, for TLS, is not installed (%s): apt-get install libnginx-mod-stream, or make deps", cfg.TLS.module())
		}
	}
	return nil
}

func (c Config) paths() (string, string) {
	bin, mod := c.Binary, c.Module
	if bin == "" {
		bin = DefaultBinary
	}
	if mod == "" {
		mod = DefaultModule
	}
	return bin, mod
}

// Nginx is a running nginx-rtmp.
type Nginx struct {
	p      *proc.Process
	addr   string
	cfg    Config
	plays  plays
	notify *http.Server
	owned  string // a directory StartCatalogue made, removed by Stop
}

// plays are the app/name pairs nginx reported playing (its on_play notification).
type plays struct{ set *seen.Set }

// maxPlays bounds how many distinct app/name pairs are remembered.
const maxPlays = 4096

// ServeHTTP records one on_play notification (a form with app and name) and lets the play go
// on (any 2xx answer does).
func (p plays) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err == nil {
		p.set.Add(r.PostForm.Get("app") + "/" + r.PostForm.Get("name"))
	}
	w.WriteHeader(http.StatusOK)
}

var confTemplate = template.Must(template.New("nginx.conf").Parse(`# written by streamfault
daemon off;
master_process off;
worker_processes 1;
pid {{.PID}};
error_log {{.ErrorLog}} info;
load_module {{.Module}};
{{- if .TLSPort}}
load_module {{.StreamModule}};{{end}}
events { worker_connections 1024; }
{{- if .TLSPort}}
stream {
    server {
        listen 127.0.0.1:{{.TLSPort}} ssl;
        ssl_certificate {{.Cert}};
        ssl_certificate_key {{.Key}};
        ssl_session_tickets {{.Tickets}};
        proxy_pass 127.0.0.1:{{.Port}};
    }
}{{end}}
rtmp {
    access_log {{.AccessLog}};
    server {
        listen 127.0.0.1:{{.Port}};
        chunk_size 4096;
        {{- if .Ping}}
        ping {{.Ping}};{{end}}
        {{- if .PingTimeout}}
        ping_timeout {{.PingTimeout}};{{end}}
        application vod {
            play {{.VODDir}};
        }
        application live {
            live on;
            on_play http://{{.Notify}}/play;
            {{- if .DropIdle}}
            drop_idle_publisher {{.DropIdle}};{{end}}
        }
    }
}
`))

func ms(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}

// Start writes the configuration and starts nginx, returning once its port answers. With
// Port 0 a free port is picked (retried if another process takes it first).
func Start(ctx context.Context, cfg Config) (*Nginx, error) {
	if cfg.Dir == "" {
		return nil, errors.New("nginx: no directory")
	}
	if err := Available(cfg); err != nil {
		return nil, err
	}
	if cfg.VODDir == "" {
		cfg.VODDir = filepath.Join(cfg.Dir, "vod")
	}
	if err := os.MkdirAll(cfg.VODDir, 0o755); err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		n, err := start(ctx, cfg)
		if err == nil {
			return n, nil
		}
		last = err
		if cfg.Port != 0 || ctx.Err() != nil {
			break
		}
	}
	return nil, last
}

func start(ctx context.Context, cfg Config) (*Nginx, error) {
	port := cfg.Port
	if port == 0 { // nginx takes it over; Start retries if another process got it first
		addr, err := proc.FreeLoopbackAddr()
		if err != nil {
			return nil, fmt.Errorf("nginx: %w", err)
		}
		_, p, _ := net.SplitHostPort(addr)
		port, _ = strconv.Atoi(p)
	}
	bin, mod := cfg.paths()
	nl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("nginx: notification listener: %w", err)
	}
	pl := plays{set: seen.New(maxPlays)}
	notify := &http.Server{Handler: pl, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = notify.Serve(nl) }()
	ok := false
	defer func() {
		if !ok {
			notify.Close()
		}
	}()
	values := map[string]any{"Port": port, "Ping": ms(cfg.Ping), "PingTimeout": ms(cfg.PingTimeout), "DropIdle": ms(cfg.DropIdlePublisher),
		"Notify": nl.Addr().String()}
	for k, v := range map[string]string{"PID": filepath.Join(cfg.Dir, "nginx.pid"), "ErrorLog": filepath.Join(cfg.Dir, "error.log"),
		"AccessLog": filepath.Join(cfg.Dir, "access.log"), "Module": mod, "VODDir": cfg.VODDir} {
		q, err := confString(v)
		if err != nil {
			return nil, fmt.Errorf("nginx: %s: %w", k, err)
		}
		values[k] = q
	}
	addr, err := cfg.tlsValues(values, fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	if err := confTemplate.Execute(&b, values); err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	conf := filepath.Join(cfg.Dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(b.String()), 0o644); err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	var p *proc.Process
	spec := proc.Spec{Args: []string{bin, "-p", cfg.Dir, "-e", filepath.Join(cfg.Dir, "error.log"), "-c", conf},
		Ready: addr, OnLine: cfg.OnLine}
	if cfg.OnExit != nil {
		spec.OnExit = func(err error) { cfg.OnExit(err, p.Tail()) }
	}
	p, err = proc.New(spec)
	if err != nil {
		return nil, err
	}
	if err := p.Start(ctx); err != nil {
		log, _ := os.ReadFile(filepath.Join(cfg.Dir, "error.log"))
		return nil, fmt.Errorf("nginx: %w; error.log: %s", err, lastLines(string(log), 5))
	}
	ok = true
	return &Nginx{p: p, addr: addr, cfg: cfg, plays: pl, notify: notify}, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// Addr is the host:port clients connect to (with TLS, the TLS listener's).
func (n *Nginx) Addr() string { return n.addr }

// URL is the rtmp:// (with TLS rtmps://) address of a stream of an application (vod or live).
func (n *Nginx) URL(app, stream string) string {
	scheme := "rtmp://"
	if n.cfg.TLS != nil {
		scheme = "rtmps://"
	}
	return scheme + n.addr + "/" + app + "/" + stream
}

// VODDir is the directory the vod application plays files from.
func (n *Nginx) VODDir() string { return n.cfg.VODDir }

// Process is the nginx process (to kill or restart it as a fault).
func (n *Nginx) Process() *proc.Process { return n.p }

// WaitPlay waits until a player has started playing a stream of an application (nginx
// notifies a loopback listener of the harness's with on_play).
func (n *Nginx) WaitPlay(ctx context.Context, app, name string) error {
	if err := n.plays.set.Wait(ctx, app+"/"+name); err != nil {
		return fmt.Errorf("nginx: no player: %w", err)
	}
	return nil
}

// Stop stops nginx (SIGQUIT: a graceful shutdown; SIGKILL after 5 s) and its notification
// listener, and removes the directory StartCatalogue made.
func (n *Nginx) Stop() error {
	err := errors.Join(n.p.Stop(syscall.SIGQUIT, 5*time.Second), n.notify.Close())
	if n.owned != "" {
		err = errors.Join(err, os.RemoveAll(n.owned))
	}
	return err
}

// confString is a value for nginx's configuration as a quoted string, so that a path with a
// space, a quote, a semicolon or a brace stays one value; a value with a control character (a
// newline would start a new directive) or a $ (a variable to nginx) is refused.
func confString(v string) (string, error) {
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r == '$' {
			return "", fmt.Errorf("%q holds a control character or a $, which nginx's configuration cannot carry as they are", v)
		}
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`, nil
}
