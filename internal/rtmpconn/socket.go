package rtmpconn

import (
	"net"
	"sync/atomic"
)

// TCP is the TCP connection under c — c itself, or what a TLS connection runs on — or nil.
func TCP(c net.Conn) *net.TCPConn {
	for range 4 { // a TLS session over a connection whose first byte was peeked, at most
		w, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = w.NetConn()
	}
	tc, _ := c.(*net.TCPConn)
	return tc
}

// countingConn counts bytes and remembers the first read error.
type countingConn struct {
	net.Conn
	in, out atomic.Int64
	rerr    atomic.Pointer[error]
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(int64(n))
	if err != nil {
		c.rerr.CompareAndSwap(nil, &err)
	}
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out.Add(int64(n))
	return n, err
}

func (c *countingConn) readErr() error {
	if p := c.rerr.Load(); p != nil {
		return *p
	}
	return nil
}
