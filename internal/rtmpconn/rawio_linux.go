//go:build linux

package rtmpconn

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// rawTCP reads and writes a TCP connection's non-blocking socket with raw system calls. The
// runtime's bookkeeping around a system call wakes its monitor thread whenever a process that
// was idle makes one, and a relay that idles between packets paid that wake-up on every read
// and every write: a quarter of the reference server's CPU in bench relay, more than the
// copying. Waiting for the socket, deadlines and closing stay the runtime's (syscall.RawConn).
type rawTCP struct {
	*net.TCPConn
	rc   syscall.RawConn
	r, w rawCall
}

// rawCall is one direction's system calls: the buffer, what they did, and the function the
// runtime calls while the socket is ready (made once: a closure made per call would be an
// allocation per call).
type rawCall struct {
	mu    sync.Mutex
	p     []byte
	n     int
	errno syscall.Errno
	short bool // write(2) took nothing and said nothing (the net package's io.ErrUnexpectedEOF)
	fn    func(fd uintptr) bool
}

// rawIO returns the connection to read and write a session's bytes with: raw system calls on
// a plain TCP connection, the connection itself otherwise (TLS, a wrapped connection).
func rawIO(c net.Conn) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return c
	}
	t := &rawTCP{TCPConn: tc, rc: rc}
	t.r.fn, t.w.fn = t.r.read, t.w.write
	return t
}

// NetConn returns the TCP connection (TCP finds it so).
func (c *rawTCP) NetConn() net.Conn { return c.TCPConn }

// Read reads what the socket holds, waiting (within the read deadline) when it holds nothing.
func (c *rawTCP) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := c.call(&c.r, p, "read")
	if err == nil && n == 0 {
		return 0, io.EOF
	}
	if err == nil {
		raceAcquire()
	}
	return n, err
}

// Write writes all of p, waiting (within the write deadline) while the socket's buffer is full.
func (c *rawTCP) Write(p []byte) (int, error) {
	raceRelease()
	return c.call(&c.w, p, "write")
}

// call makes one direction's system calls on p ("read" or "write"), the runtime waiting for
// the socket between them.
func (c *rawTCP) call(o *rawCall, p []byte, op string) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.p, o.n, o.errno, o.short = p, 0, 0, false
	var err error
	if op == "read" {
		err = c.rc.Read(o.fn)
	} else {
		err = c.rc.Write(o.fn)
	}
	n, errno, short := o.n, o.errno, o.short
	o.p = nil
	switch {
	case err != nil:
		return n, renamed(err, op)
	case errno != 0:
		return n, c.opError(op, os.NewSyscallError(op, errno))
	case short:
		return n, c.opError(op, io.ErrUnexpectedEOF)
	}
	return n, nil
}

// read is one read(2) of the socket; false: nothing to read yet (the runtime waits).
func (o *rawCall) read(fd uintptr) bool {
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&o.p[0])), uintptr(len(o.p)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		case 0:
			o.n = int(r)
		}
		o.errno = e
		return true
	}
}

// write writes what is left of the buffer; false: the socket is full (the runtime waits).
func (o *rawCall) write(fd uintptr) bool {
	for o.n < len(o.p) {
		r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&o.p[o.n])), uintptr(len(o.p)-o.n))
		switch {
		case e == 0 && r == 0:
			o.short = true
			return true
		case e == 0:
			o.n += int(r)
		case e == syscall.EINTR:
		case e == syscall.EAGAIN:
			return false
		default:
			o.errno = e
			return true
		}
	}
	return true
}

// opError describes a failed read or write as the net package does.
func (c *rawTCP) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

// renamed gives a failed wait (a deadline, a closed connection) the operation's own name, as
// the net package's read and write report it ("read tcp …: i/o timeout", not "raw-read").
func renamed(err error, op string) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		oe.Op = op
	}
	return err
}
