//go:build !linux

package rtmpconn

import "net"

// rawIO returns the connection itself: raw system calls are used on Linux only.
func rawIO(c net.Conn) net.Conn { return c }
