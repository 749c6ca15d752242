package rtmpconn

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/streamfault/streamfault/internal/tlsca"
)

// clientTLS makes nc a TLS session with cfg (the server name, unless set, being addr's host)
// and says how long its handshake took; with cfg nil it returns nc as it is. On failure nc is
// closed.
func clientTLS(ctx context.Context, nc net.Conn, addr string, cfg *tls.Config) (net.Conn, time.Duration, error) {
	if cfg == nil {
		return nc, 0, nil
	}
	t0 := time.Now()
	tc := tls.Client(nc, tlsca.ForAddr(cfg, addr))
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = nc.Close()
		return nil, 0, fmt.Errorf("tls handshake: %w", err)
	}
	return tc, time.Since(t0), nil
}

// serverTLS completes the TLS handshake of a connection an RTMPS listener accepted, so that
// its failure is said as such (rather than as an RTMP handshake's first read); other
// connections pass. On failure nc is closed.
func serverTLS(ctx context.Context, nc net.Conn) error {
	tc, ok := nc.(*tls.Conn)
	if !ok {
		return nil
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = nc.Close()
		return fmt.Errorf("tls handshake: %w", err)
	}
	return nil
}
