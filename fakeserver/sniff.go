package fakeserver

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// accept performs the handshakes of an accepted connection: TLS (told from RTMP first, with
// PlainToo), then RTMP's. The socket is closed on failure.
func (s *Server) accept(ctx context.Context, raw net.Conn) (*rtmpconn.Conn, error) {
	c, err := s.sniff(raw)
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	return rtmpconn.Accept(ctx, c, s.cfg.Conn)
}

// tlsRecordHandshake is the first byte of a TLS ClientHello (a handshake record); an RTMP
// handshake starts with its version, 3 (or 6, encrypted).
const tlsRecordHandshake = 0x16

// sniff tells, on a server with TLS and PlainToo, whether a connection is RTMPS (its first
// byte opens a TLS handshake: it becomes a TLS session) or RTMP (it is kept, its first byte
// read again); the wait for that byte is bounded by the handshake timeout. Other servers'
// connections pass as they are.
func (s *Server) sniff(c net.Conn) (net.Conn, error) {
	if s.cfg.TLS == nil || !s.cfg.PlainToo {
		return c, nil
	}
	limit := s.cfg.Conn.HandshakeTimeout
	if limit <= 0 {
		limit = 5 * time.Second
	}
	_ = c.SetReadDeadline(time.Now().Add(limit))
	br := bufio.NewReaderSize(c, 16)
	first, err := br.Peek(1)
	_ = c.SetReadDeadline(time.Time{})
	if err != nil {
		return nil, fmt.Errorf("handshake: no first byte: %w", err)
	}
	pc := &peeked{Conn: c, r: br}
	if first[0] == tlsRecordHandshake {
		return tls.Server(pc, s.cfg.TLS), nil
	}
	return pc, nil
}

// peeked is a connection whose first bytes were read ahead: they are read again first.
type peeked struct {
	net.Conn
	r *bufio.Reader
}

func (p *peeked) Read(b []byte) (int, error) { return p.r.Read(b) }

// NetConn is the connection underneath (for its TCP options).
func (p *peeked) NetConn() net.Conn { return p.Conn }
