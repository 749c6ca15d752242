package wiretap

import (
	"net"

	"golang.org/x/sys/unix"

	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// peerGone tells whether c's peer has closed or reset the connection (the TCP connection's,
// under a TLS side), without reading from it (bytes it sent before closing may still wait
// unread): a relay blocked writing the other way learns that the side it is not reading has
// ended.
func peerGone(c net.Conn) bool {
	tc := rtmpconn.TCP(c) // the TCP connection under a TLS side
	if tc == nil {
		return false
	}
	raw, err := tc.SyscallConn()
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
