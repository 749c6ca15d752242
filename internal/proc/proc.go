// Package proc runs the programs the harness owns — a server under test (nginx-rtmp, a
// user's), a client under test (ffmpeg, rtmpdump, a user's player) — in their own process
// group, so that stopping one stops everything it started (a wrapper script and its ffmpeg).
// A process is started, waited for (a port answering), signalled, killed and restarted only
// by the PID this package got from starting it; its output lines go to a callback.
package proc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Spec describes a program to run.
type Spec struct {
	// Args is the command line: the program, then its arguments.
	Args []string
	// Env adds NAME=value entries to the environment it inherits.
	Env []string
	// Dir is its working directory (default: the current one).
	Dir string
	// Ready, when set, is a host:port that must accept TCP connections before Start returns.
	Ready string
	// ReadyTimeout bounds the wait for Ready (default 10s).
	ReadyTimeout time.Duration
	// OnLine receives every line the program writes, with the stream it came from
	// ("stdout" or "stderr"); it must be safe for concurrent use.
	OnLine func(stream, line string)
	// OnExit receives how the program ended (once per start).
	OnExit func(err error)
}

// Process is a running (or ended) program.
type Process struct {
	spec Spec

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the current run ended
	exitErr error
}

// New prepares a process; Start runs it.
func New(spec Spec) (*Process, error) {
	if len(spec.Args) == 0 || spec.Args[0] == "" {
		return nil, errors.New("proc: no command")
	}
	if spec.ReadyTimeout <= 0 {
		spec.ReadyTimeout = 10 * time.Second
	}
	return &Process{spec: spec}, nil
}

// Start runs the program in a new process group and, with Ready set, waits until that
// address accepts connections (or the program exits, or ctx ends: then it is killed).
func (p *Process) Start(ctx context.Context) error {
	p.mu.Lock()
	if p.cmd != nil && !p.endedLocked() {
		p.mu.Unlock()
		return fmt.Errorf("proc: %s is already running (pid %d)", p.spec.Args[0], p.cmd.Process.Pid)
	}
	cmd := exec.Command(p.spec.Args[0], p.spec.Args[1:]...)
	cmd.Dir = p.spec.Dir
	cmd.Env = append(os.Environ(), p.spec.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Pipes of our own rather than exec's: the program's end is seen when it ends, even if a
	// descendant that left its process group (a daemon) still holds its output open.
	outR, outW, err := os.Pipe()
	if err != nil {
		p.mu.Unlock()
		return fmt.Errorf("proc: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		p.mu.Unlock()
		outR.Close()
		outW.Close()
		return fmt.Errorf("proc: %w", err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	err = cmd.Start()
	outW.Close() // the program has its copies
	errW.Close()
	if err != nil {
		p.mu.Unlock()
		outR.Close()
		errR.Close()
		return fmt.Errorf("proc: start %s: %w", p.spec.Args[0], err)
	}
	exited := make(chan struct{})
	p.cmd, p.exited, p.exitErr = cmd, exited, nil
	p.mu.Unlock()

	var readers sync.WaitGroup
	for name, r := range map[string]*os.File{"stdout": outR, "stderr": errR} {
		readers.Add(1)
		go func() {
			defer readers.Done()
			defer r.Close()
			p.lines(name, r)
		}()
	}
	go func() {
		err := cmd.Wait()
		// Its last lines first — but a descendant outside the group may keep the pipes open:
		// after outputGrace its output is no longer read.
		read := make(chan struct{})
		go func() { readers.Wait(); close(read) }()
		select {
		case <-read:
		case <-time.After(outputGrace):
			outR.Close()
			errR.Close()
			<-read
		}
		p.mu.Lock()
		p.exitErr = err
		p.mu.Unlock()
		if p.spec.OnExit != nil {
			p.spec.OnExit(err)
		}
		close(exited)
	}()
	if p.spec.Ready == "" {
		return nil
	}
	if err := p.waitReady(ctx); err != nil {
		_ = p.Kill()
		return err
	}
	return nil
}

// outputGrace is how long the output of a program that has ended is still read (what a
// descendant outside its process group writes after that is not).
const outputGrace = 2 * time.Second

// lines hands every line of r to OnLine (lines longer than 64 KiB are cut).
func (p *Process) lines(stream string, r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() {
		if p.spec.OnLine != nil {
			p.spec.OnLine(stream, strings.TrimRight(sc.Text(), "\r"))
		}
	}
	_, _ = io.Copy(io.Discard, r) // after a too-long line, keep the pipe drained
}

func (p *Process) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.spec.ReadyTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", p.spec.Ready)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-p.Exited():
			return fmt.Errorf("proc: %s exited before %s answered: %v", p.spec.Args[0], p.spec.Ready, p.Err())
		case <-ctx.Done():
			return fmt.Errorf("proc: %s: %s did not answer within %v: %w", p.spec.Args[0], p.spec.Ready, p.spec.ReadyTimeout, ctx.Err())
		case <-tick.C:
		}
	}
}

func (p *Process) endedLocked() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Exited is closed when the current run of the program has ended (nil before any Start).
func (p *Process) Exited() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited
}

// Err is how the last run ended (nil while running or after a clean exit).
func (p *Process) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exitErr
}

// PID is the process id of the current run (0 before any Start).
func (p *Process) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Running tells whether the program is running.
func (p *Process) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd != nil && !p.endedLocked()
}

// Signal sends sig to the program's whole process group.
func (p *Process) Signal(sig syscall.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.endedLocked() {
		return nil
	}
	return syscall.Kill(-p.cmd.Process.Pid, sig)
}

// Kill sends SIGKILL to the process group and waits for the program to end.
func (p *Process) Kill() error {
	if err := p.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("proc: kill: %w", err)
	}
	if ch := p.Exited(); ch != nil {
		<-ch
	}
	return nil
}

// Stop asks the program to end (sig, e.g. SIGINT or SIGTERM), waits up to grace, then kills
// it. It returns once the program has ended.
func (p *Process) Stop(sig syscall.Signal, grace time.Duration) error {
	ch := p.Exited()
	if ch == nil {
		return nil
	}
	if err := p.Signal(sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("proc: stop: %w", err)
	}
	select {
	case <-ch:
		return nil
	case <-time.After(grace):
		return p.Kill()
	}
}
