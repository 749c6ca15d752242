package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/nginx"
	"github.com/streamfault/streamfault/internal/proc"
	"github.com/streamfault/streamfault/internal/spec"
)

// Kinds of server a scenario's subject can be.
const (
	KindReference = "reference" // the reference server, in process (with its access log)
	KindNginx     = "nginx"     // nginx-rtmp, started and owned by the harness
	KindProcess   = "process"   // a server program the harness starts, kills and restarts
	KindExternal  = "external"  // a server someone else runs, at an address
)

// subjectStopGrace is how long a managed server has to stop after SIGTERM (or SIGQUIT for
// nginx) before it is killed.
const subjectStopGrace = 5 * time.Second

// External is a server the harness does not run: it only reaches it through the routes.
type External struct {
	// Address is the server's host:port, or an rtmp://host:port URL (port 1935 when the URL
	// names none); loopback unless other hosts are allowed explicitly.
	Address string `yaml:"address" json:"address"`
}

// HostPort is the address as host:port.
func (e External) HostPort() (string, error) {
	a := e.Address
	if rest, ok := strings.CutPrefix(a, "rtmp://"); ok {
		a, _, _ = strings.Cut(rest, "/")
		if _, _, err := net.SplitHostPort(a); err != nil {
			a = net.JoinHostPort(a, "1935")
		}
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil || host == "" || port == "" {
		return "", fmt.Errorf("%q is not a host:port or rtmp://host:port such as 127.0.0.1:1935", e.Address)
	}
	return a, nil
}

// ServerProcess is a server program the harness runs as the subject: started before the
// clients, killed (SIGKILL) and started again by the kill and restart faults, stopped (SIGTERM,
// SIGKILL after 5 s) at the end, always by its PID.
type ServerProcess struct {
	// Command is the program and its arguments; {port} is a free loopback port the harness
	// picked, {addr} is 127.0.0.1:{port}, {dir} the scenario file's folder.
	Command []string `yaml:"command" json:"command"`
	// Env adds environment variables.
	Env map[string]string `yaml:"env" json:"env,omitempty"`
	// ReadyTimeout bounds the wait for the port to answer (default 10s).
	ReadyTimeout spec.Duration `yaml:"readyTimeout" json:"readyTimeout,omitempty"`
}

// Nginx is nginx-rtmp (Debian's libnginx-mod-rtmp) as the subject: the harness writes its
// configuration (applications vod, playing the catalogue written as FLV files, and live),
// starts it on a free loopback port, kills and restarts it for the faults, and stops it.
type Nginx struct {
	// DropIdlePublisher is nginx's drop_idle_publisher (omitted: off).
	DropIdlePublisher spec.Duration `yaml:"dropIdlePublisher" json:"dropIdlePublisher,omitempty"`
	// Ping and PingTimeout are nginx's ping and ping_timeout (omitted: nginx's defaults).
	Ping        spec.Duration `yaml:"ping" json:"ping,omitempty"`
	PingTimeout spec.Duration `yaml:"pingTimeout" json:"pingTimeout,omitempty"`
	// Binary and Module locate nginx and the RTMP module (default: Debian's paths).
	Binary string `yaml:"binary" json:"binary,omitempty"`
	Module string `yaml:"module" json:"module,omitempty"`
}

// Subject is a server as the lab runs or reaches it.
type Subject interface {
	// Addr is the host:port clients reach it at (behind the routes).
	Addr() string
	// Kill ends it at once, every connection aborted (a managed server only).
	Kill() error
	// Start starts it again on the same address after a kill or a close.
	Start() error
	// Restart kills it and starts it again.
	Restart() error
	// Close stops it gracefully; Start may follow.
	Close() error
	// Shutdown stops it for good, at the end of a run.
	Shutdown() error
}

// errUnmanaged is what a fault gets from a server the harness does not run (validation
// refuses such a scenario first).
var errUnmanaged = errors.New("the harness does not run this server: it cannot kill, stop or start it")

// externalSubject is a server at an address.
type externalSubject struct{ addr string }

func (e externalSubject) Addr() string    { return e.addr }
func (e externalSubject) Kill() error     { return errUnmanaged }
func (e externalSubject) Start() error    { return errUnmanaged }
func (e externalSubject) Restart() error  { return errUnmanaged }
func (e externalSubject) Close() error    { return errUnmanaged }
func (e externalSubject) Shutdown() error { return nil }

// processSubject is a server program the lab owns.
type processSubject struct {
	p    *proc.Process
	addr string
	stop syscall.Signal
}

func (s *processSubject) Addr() string { return s.addr }
func (s *processSubject) Kill() error  { return s.p.Kill() }
func (s *processSubject) Start() error {
	if s.p.Running() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.p.Start(ctx)
}
func (s *processSubject) Restart() error {
	if err := s.Kill(); err != nil {
		return err
	}
	return s.Start()
}
func (s *processSubject) Close() error    { return s.p.Stop(s.stop, subjectStopGrace) }
func (s *processSubject) Shutdown() error { return s.Close() }

// nginxSubject is nginx-rtmp, owned by the lab; its directory goes with it.
type nginxSubject struct {
	processSubject
	n   *nginx.Nginx
	dir string
}

func (s *nginxSubject) Shutdown() error {
	err := s.n.Stop()
	return errors.Join(err, os.RemoveAll(s.dir))
}

// startProcessSubject starts a server program on a free port.
func startProcessSubject(ctx context.Context, sp *ServerProcess, dir string, onLine func(stream, line string)) (*processSubject, error) {
	addr, err := proc.FreeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	r := strings.NewReplacer("{port}", port, "{addr}", addr, "{dir}", dir)
	args := make([]string, len(sp.Command))
	for i, a := range sp.Command {
		args[i] = r.Replace(a)
	}
	env := make([]string, 0, len(sp.Env))
	for k, v := range sp.Env {
		env = append(env, k+"="+r.Replace(v))
	}
	p, err := proc.New(proc.Spec{Args: args, Env: env, Ready: addr, ReadyTimeout: sp.ReadyTimeout.D(), OnLine: onLine})
	if err != nil {
		return nil, err
	}
	if err := p.Start(ctx); err != nil {
		return nil, err
	}
	return &processSubject{p: p, addr: addr, stop: syscall.SIGTERM}, nil
}

// startNginxSubject writes the catalogue as FLV files and starts nginx-rtmp on a free port.
func startNginxSubject(ctx context.Context, ng *Nginx, streams []Stream, scenarioDir string, onLine func(stream, line string)) (*nginxSubject, error) {
	dir, err := os.MkdirTemp("", "streamfault-nginx-")
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	vod := filepath.Join(dir, "vod")
	if err := os.MkdirAll(vod, 0o755); err != nil {
		return nil, err
	}
	for _, st := range streams {
		dst := filepath.Join(vod, st.Name+".flv")
		if st.File != "" {
			src := st.File
			if !filepath.IsAbs(src) {
				src = filepath.Join(scenarioDir, src)
			}
			if err := copyFile(dst, src); err != nil {
				return nil, fmt.Errorf("stream %s: %w", st.Name, err)
			}
			continue
		}
		if err := writeFLVFile(dst, st.Spec()); err != nil {
			return nil, fmt.Errorf("stream %s: %w", st.Name, err)
		}
	}
	n, err := nginx.Start(ctx, nginx.Config{Binary: ng.Binary, Module: ng.Module, Dir: dir, VODDir: vod,
		DropIdlePublisher: ng.DropIdlePublisher.D(), Ping: ng.Ping.D(), PingTimeout: ng.PingTimeout.D(), OnLine: onLine})
	if err != nil {
		return nil, err
	}
	ok = true
	return &nginxSubject{processSubject: processSubject{p: n.Process(), addr: n.Addr(), stop: syscall.SIGQUIT}, n: n, dir: dir}, nil
}

// copyFile copies a real media file into nginx's directory.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeFLVFile writes a synthetic stream as an FLV file (nginx plays it by name).
func writeFLVFile(path string, st media.Spec) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := st.WriteFLV(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
