package wiretap

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// peerGone tells whether c's peer has closed or reset the connection, without reading from
// it (bytes it sent before closing may still wait unread): a relay blocked writing the other
// way learns that the side it is not reading has ended.
func peerGone(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	gone := false
	_ = raw.Control(func(fd uintptr) {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
		if n, err := unix.Poll(fds, 0); err == nil && n > 0 {
			gone = fds[0].Revents&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR) != 0
		}
	})
	return gone
}
