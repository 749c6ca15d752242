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
	"regexp"
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
	// ReadyBy says how Ready is checked: ReadyListen (default: a listening socket on the
	// port, seen in /proc/net/tcp without connecting, so a one-connection server is not used
	// up; a connect where /proc does not tell) or ReadyConnect (a TCP connect).
	ReadyBy string
	// ReadyLine, when set, must match a line of the program's output before Start returns
	// (with or without Ready).
	ReadyLine *regexp.Regexp
	// ReadyDelay, when set, is waited after the start before Start returns (after Ready and
	// ReadyLine).
	ReadyDelay time.Duration
	// ReadyTimeout bounds the wait for readiness (default 10s).
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

	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the current run ended
	exitErr  error
	tail     []string      // the last lines it wrote (at most tailLines)
	lineSeen chan struct{} // closed when a line matched ReadyLine (this run)
}

// tailLines is how many of its last output lines a process keeps, to say how it ended.
const tailLines = 5

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
	cmd.Env = append(append(os.Environ(), p.spec.Env...), OwnerEnv+"="+ownerMark())
	cmd.SysProcAttr = sysProcAttr()
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
	p.cmd, p.exited, p.exitErr, p.tail, p.lineSeen = cmd, exited, nil, nil, make(chan struct{})
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
	if err := p.waitReady(ctx); err != nil {
		_ = p.Kill()
		return err
	}
	return nil
}

// outputGrace is how long the output of a program that has ended is still read (what a
// descendant outside its process group writes after that is not).
const outputGrace = 2 * time.Second

// MaxLine is the longest output line kept whole; a longer one is cut, marked, and reading
// goes on with the next line.
const MaxLine = 64 << 10

// lines hands every line of r to OnLine and keeps the last ones; a line longer than MaxLine is
// cut with a marker and the rest of it skipped, so nothing after it is lost.
func (p *Process) lines(stream string, r io.Reader) {
	br := bufio.NewReaderSize(r, 4096)
	var line []byte
	cut := 0 // bytes of the current line past MaxLine
	for {
		chunk, err := br.ReadSlice('\n')
		if err == nil {
			chunk = chunk[:len(chunk)-1] // the newline
		}
		if len(line)+len(chunk) <= MaxLine {
			line = append(line, chunk...)
		} else {
			keep := max(MaxLine-len(line), 0)
			line = append(line, chunk[:keep]...)
			cut += len(chunk) - keep
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(line) > 0 || cut > 0 {
			text := strings.TrimRight(string(line), "\r")
			if cut > 0 {
				text += fmt.Sprintf(" …[line cut: %d more bytes]", cut)
			}
			p.line(stream, text)
		}
		line, cut = line[:0], 0
		if err != nil {
			return
		}
	}
}

// line delivers one output line.
func (p *Process) line(stream, text string) {
	p.mu.Lock()
	if p.tail = append(p.tail, text); len(p.tail) > tailLines {
		p.tail = p.tail[len(p.tail)-tailLines:]
	}
	if re := p.spec.ReadyLine; re != nil && p.lineSeen != nil && re.MatchString(text) {
		select {
		case <-p.lineSeen:
		default:
			close(p.lineSeen)
		}
	}
	p.mu.Unlock()
	if p.spec.OnLine != nil {
		p.spec.OnLine(stream, text)
	}
}

// Tail is the last lines the current (or last) run wrote, oldest first.
func (p *Process) Tail() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.tail...)
}

// Ways to check a port for readiness (Spec.ReadyBy).
const (
	ReadyListen  = "listen"
	ReadyConnect = "connect"
)

// waitReady waits until the program is ready as the spec says (or exits, or ctx ends). A
// spec that asks nothing is ready once started: the program's exit, however soon, is its own
// and reported by OnExit (telling it from a failed start by whether the exit beat this check
// made Start fail or not with the machine's load).
func (p *Process) waitReady(ctx context.Context) error {
	if p.spec.Ready == "" && p.spec.ReadyLine == nil && p.spec.ReadyDelay <= 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, p.spec.ReadyTimeout)
	defer cancel()
	name := p.spec.Args[0]
	exited := p.Exited()
	failed := func(what string) error {
		select {
		case <-exited:
			return fmt.Errorf("proc: %s exited before %s: %v%s", name, what, p.Err(), p.tailNote())
		default:
			return fmt.Errorf("proc: %s: not %s within %v: %w", name, what, p.spec.ReadyTimeout, ctx.Err())
		}
	}
	if p.spec.Ready != "" {
		if err := poll(ctx, exited, func() bool { return p.portReady() }); err != nil {
			return failed(p.spec.Ready + " was listening")
		}
	}
	if p.spec.ReadyLine != nil {
		p.mu.Lock()
		seen := p.lineSeen
		p.mu.Unlock()
		select {
		case <-seen:
		case <-exited:
			return failed(fmt.Sprintf("it wrote a line matching %q", p.spec.ReadyLine))
		case <-ctx.Done():
			return failed(fmt.Sprintf("it wrote a line matching %q", p.spec.ReadyLine))
		}
	}
	if d := p.spec.ReadyDelay; d > 0 {
		select {
		case <-time.After(d):
		case <-exited:
			return failed(fmt.Sprintf("its ready delay of %v was over", d))
		case <-ctx.Done():
			return failed(fmt.Sprintf("its ready delay of %v was over", d))
		}
	}
	select {
	case <-exited:
		return failed("it was ready")
	default:
		return nil
	}
}

// tailNote is the last output lines, for an error ("" when it wrote none).
func (p *Process) tailNote() string {
	if t := p.Tail(); len(t) > 0 {
		return "; last output: " + strings.Join(t, " | ")
	}
	return ""
}

// poll calls ready every 20 ms until it is true; an error when exited closes or ctx ends first.
func poll(ctx context.Context, exited <-chan struct{}, ready func() bool) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !ready() {
		select {
		case <-exited:
			return errors.New("exited")
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// portReady tells whether the Ready address takes connections: by a listening socket in
// /proc/net/tcp (no connection made) unless ReadyBy says connect or /proc cannot tell.
func (p *Process) portReady() bool {
	if p.spec.ReadyBy != ReadyConnect {
		if on, err := Listening(p.spec.Ready); err == nil {
			return on
		}
	}
	c, err := net.DialTimeout("tcp", p.spec.Ready, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
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
