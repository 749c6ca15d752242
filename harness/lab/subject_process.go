package lab

import (
	"context"
	"net"
	"os/exec"
	"strings"
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
	// picked, {addr} is 127.0.0.1:{port}, {dir} the scenario file's folder.
	Command []string `yaml:"command" json:"command"`
	// Env adds environment variables.
	Env map[string]string `yaml:"env" json:"env,omitempty"`
	// ReadyTimeout bounds the wait for the port to answer (default 10s).
	ReadyTimeout spec.Duration `yaml:"readyTimeout" json:"readyTimeout,omitempty"`
}

// Traits: the harness runs the program.
func (*ServerProcess) Traits() Traits { return Traits{Controlled: true} }

// Validate reports a missing command, or one that does not take the port the harness picks.
func (sp *ServerProcess) Validate(p spec.Problems, _ *Server) {
	if len(sp.Command) == 0 || strings.TrimSpace(sp.Command[0]) == "" {
		p.Add("command", "is required: the server program and its arguments, with {port} where it takes its port")
	} else if line := strings.Join(sp.Command, " "); !strings.Contains(line, "{port}") && !strings.Contains(line, "{addr}") {
		p.Add("command", "names no {port} or {addr}: the harness picks the port the server must listen on")
	}
	p.NonNegative("readyTimeout", sp.ReadyTimeout)
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
	r := strings.NewReplacer("{port}", port, "{addr}", addr, "{dir}", env.Dir)
	args := make([]string, len(sp.Command))
	for i, a := range sp.Command {
		args[i] = r.Replace(a)
	}
	vars := make([]string, 0, len(sp.Env))
	for k, v := range sp.Env {
		vars = append(vars, k+"="+r.Replace(v))
	}
	p, err := proc.New(proc.Spec{Args: args, Env: vars, Ready: addr, ReadyTimeout: sp.ReadyTimeout.D(), OnLine: env.OnLine})
	if err != nil {
		return nil, err
	}
	if err := p.Start(ctx); err != nil {
		return nil, err
	}
	return &processSubject{p: p, addr: addr, stop: syscall.SIGTERM}, nil
}

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
