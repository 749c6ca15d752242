package lab

import (
	"context"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/streamfault/streamfault/internal/proc"
	"github.com/streamfault/streamfault/internal/spec"
)

// KindProcess is a server program the harness starts, kills and restarts.
const KindProcess = "process"

// subjectStopGrace is how long a managed server has to stop after SIGTERM (or SIGQUIT for
// nginx) before it is killed.
const subjectStopGrace = 5 * time.Second

// ServerProcess is a server program the harness runs as the subject: started before the
// clients, killed (SIGKILL) and started again by the kill and restart faults, stopped (SIGTERM,
// SIGKILL after 5 s) at the end, always by its PID.
type ServerProcess struct {
	// Command is the program and its arguments; {port} is a free loopback port the harness
	// picked, {addr} is 127.0.0.1:{port}, {dir} the scenario file's folder, {streamfault} the
	// streamfault program (e.g. [{streamfault}, serve, --addr, "{addr}", --quirk, strict-names]:
	// the reference server with a quirk, as a program of its own).
	Command []string `yaml:"command" json:"command"`
	// Env adds environment variables.
	Env map[string]string `yaml:"env" json:"env,omitempty"`
	// ReadyTimeout bounds the wait for the server to be ready (default 10s).
	ReadyTimeout spec.Duration `yaml:"readyTimeout" json:"readyTimeout,omitempty"`
	// Ready says when the server is ready for the clients (default: its port listening, seen
	// without connecting to it).
	Ready *Ready `yaml:"ready" json:"ready,omitempty"`
	// MayExit lets the program end by itself (a server of one connection, such as ffmpeg
	// -listen 1): its exit is recorded, not a failure. Without it a server that dies on its
	// own fails the run, whatever the verdicts.
	MayExit bool `yaml:"mayExit" json:"mayExit,omitempty"`
	// TLS makes the program an RTMPS server: {certfile} and {keyfile} are a certificate for
	// loopback names signed by the run's certificate authority (as tls.certificate asks) and
	// its key, PEM files made for the run, which the clients trust; for a certificate of the
	// program's own, give the clients tls.caFile or, explicitly, tls.insecure.
	TLS *ServerTLS `yaml:"tls" json:"tls,omitempty"`
}

// Ready says when a server program is ready: its port (listening, seen in the kernel's
// tables without a connection, so a server that serves one client is not used up; or
// answering a TCP connect), a line of its output, a delay, or several of them in that order.
type Ready struct {
	// Port is listen (default: a listening socket on the port, no connection made), connect
	// (a TCP connect, then closed) or none (the port is not waited for).
	Port string `yaml:"port" json:"port,omitempty"`
	// Line is a regular expression a line of the server's output must match.
	Line string `yaml:"line" json:"line,omitempty"`
	// Delay is waited after the rest.
	Delay spec.Duration `yaml:"delay" json:"delay,omitempty"`
}

// Ways a server's port is waited for (Ready.Port).
const (
	ReadyListen  = "listen"
	ReadyConnect = "connect"
	ReadyNone    = "none"
)

// Traits: the harness runs the program.
func (*ServerProcess) Traits() Traits { return Traits{Controlled: true, Program: true} }

// Validate reports a missing command, or one that does not take the port the harness picks.
func (sp *ServerProcess) Validate(p spec.Problems, _ *Server) {
	if len(sp.Command) == 0 || strings.TrimSpace(sp.Command[0]) == "" {
		p.Add("command", "is required: the server program and its arguments, with {port} where it takes its port")
	} else if !sp.uses("{port}") && !sp.uses("{addr}") {
		p.Add("command", "names no {port} or {addr} (nor does env): the harness picks the port the server must listen on")
	}
	p.NonNegative("readyTimeout", sp.ReadyTimeout)
	sp.validateTLS(p)
	if r := sp.Ready; r != nil {
		if r.Port != "" && r.Port != ReadyListen && r.Port != ReadyConnect && r.Port != ReadyNone {
			p.Add("ready.port", "%q is not a way to wait for the port (known: %s, %s, %s)", r.Port, ReadyListen, ReadyConnect, ReadyNone)
		}
		if _, err := regexp.Compile(r.Line); err != nil {
			p.Add("ready.line", "%q is not a regular expression: %v", r.Line, err)
		}
		p.NonNegative("ready.delay", r.Delay)
		if r.Port == ReadyNone && r.Line == "" && r.Delay == 0 {
			p.Add("ready", "port: none waits for nothing: give a line or a delay")
		}
	}
}

// procReady is the readiness of a proc.Spec for a server at addr.
func (sp *ServerProcess) procReady(spec *proc.Spec, addr string) {
	spec.Ready, spec.ReadyBy, spec.ReadyTimeout = addr, proc.ReadyListen, sp.ReadyTimeout.D()
	r := sp.Ready
	if r == nil {
		return
	}
	switch r.Port {
	case ReadyConnect:
		spec.ReadyBy = proc.ReadyConnect
	case ReadyNone:
		spec.Ready = ""
	}
	if r.Line != "" {
		spec.ReadyLine = regexp.MustCompile(r.Line) // validated
	}
	spec.ReadyDelay = r.Delay.D()
}

// Programs is the command's program (none when its path holds a placeholder, such as
// {dir}/server.sh: it is found when the run starts).
func (sp *ServerProcess) Programs() []string {
	if len(sp.Command) == 0 || strings.Contains(sp.Command[0], "{") {
		return nil
	}
	return sp.Command[:1]
}

// Missing names the program when it is not found.
func (sp *ServerProcess) Missing() []string {
	var out []string
	for _, p := range sp.Programs() {
		if _, err := exec.LookPath(p); err != nil {
			out = append(out, p)
		}
	}
	return out
}

// Launch starts the program on a free loopback port.
func (sp *ServerProcess) Launch(ctx context.Context, env Env, _ string) (Subject, error) {
	addr, err := proc.FreeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	self := ""
	if strings.Contains(strings.Join(sp.Command, " "), "{streamfault}") {
		if self, err = proc.Self(); err != nil {
			return nil, err
		}
	}
	files, certs, err := sp.tlsFiles(env.CA)
	if err != nil {
		return nil, err
	}
	r := strings.NewReplacer("{port}", port, "{addr}", addr, "{dir}", env.Dir, "{streamfault}", self, CertFile, certs.Cert, KeyFile, certs.Key)
	args := make([]string, len(sp.Command))
	for i, a := range sp.Command {
		args[i] = r.Replace(a)
	}
	vars := make([]string, 0, len(sp.Env))
	for k, v := range sp.Env {
		vars = append(vars, k+"="+r.Replace(v))
	}
	subj := &processSubject{addr: addr, stop: syscall.SIGTERM, onExit: env.OnExit, mayExit: sp.MayExit, files: files}
	spec := proc.Spec{Args: args, Env: vars, OnLine: env.OnLine, OnExit: func(err error) { subj.exited(err, subj.p.Tail()) }}
	sp.procReady(&spec, addr)
	if subj.p, err = proc.New(spec); err != nil {
		subj.removeFiles()
		return nil, err
	}
	if err := subj.p.Start(ctx); err != nil {
		subj.removeFiles()
		return nil, err
	}
	subj.markLaunched()
	return subj, nil
}

// processSubject is a server program the lab owns. Its exits are reported, each marked
// planned (the harness killed or stopped it) or not.
type processSubject struct {
	p       *proc.Process
	addr    string
	stop    syscall.Signal
	planned atomic.Bool // the harness is ending it
	onExit  func(Exit)  // may be nil
	mayExit bool        // its own exits are allowed
	files   string      // a folder of the run's own files for it ({certfile}), removed at its shutdown

	mu       sync.Mutex
	launched bool  // Launch succeeded: exits before that belong to its error, not the run
	pending  *Exit // the last exit before that
}

// exited reports an exit of the program, planned when the harness was ending it; one before
// the launch succeeded waits for markLaunched.
func (s *processSubject) exited(err error, tail []string) {
	e := Exit{Planned: s.planned.Swap(false), Allowed: s.mayExit, How: proc.ExitStatus(err), Tail: tail}
	s.mu.Lock()
	if !s.launched {
		s.pending = &e
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	if s.onExit != nil {
		s.onExit(e)
	}
}

// markLaunched ends the launch: from now on exits are reported. A program that already
// died after it was ready (its exit is in) is reported now; an exit of an attempt the launch
// retried is dropped.
func (s *processSubject) markLaunched() {
	s.mu.Lock()
	s.launched = true
	e := s.pending
	s.pending = nil
	s.mu.Unlock()
	if e != nil && !s.p.Running() && s.onExit != nil {
		s.onExit(*e)
	}
}

func (s *processSubject) Addr() string { return s.addr }
func (s *processSubject) Kill() error {
	s.planned.Store(s.p.Running())
	return s.p.Kill()
}
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
func (s *processSubject) Close() error {
	s.planned.Store(s.p.Running())
	return s.p.Stop(s.stop, subjectStopGrace)
}
func (s *processSubject) Shutdown() error {
	defer s.removeFiles()
	return s.Close()
}

// removeFiles removes the folder of files made for the program, if any.
func (s *processSubject) removeFiles() {
	if s.files != "" {
		_ = os.RemoveAll(s.files)
	}
}
