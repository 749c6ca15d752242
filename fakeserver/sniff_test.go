package fakeserver

import (
	"context"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/tlsca"
)

// With TLS and PlainToo one address serves RTMPS and RTMP side by side; with TLS alone a
// plain RTMP handshake is refused.
func TestPlainAndTLSSideBySide(t *testing.T) {
	ca, cert, err := tlsca.NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, plainToo := range []bool{true, false} {
		s, err := New(Config{TLS: tlsca.ServerConfig(cert), PlainToo: plainToo, Conn: rtmpconn.Options{HandshakeTimeout: 2 * time.Second},
			Streams: []media.Spec{{Name: "s", Duration: time.Second, FPS: 25, KeyframeInterval: time.Second}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		secure, err := rtmpconn.Dial(ctx, s.Addr(), rtmpconn.Options{TLS: ca.ClientConfig()})
		if err != nil {
			t.Fatalf("plainToo %v: RTMPS: %v", plainToo, err)
		}
		if secure.TLSHandshake() <= 0 {
			t.Errorf("plainToo %v: the RTMPS connection had no TLS handshake", plainToo)
		}
		secure.Close()
		plain, err := rtmpconn.Dial(ctx, s.Addr(), rtmpconn.Options{HandshakeTimeout: 2 * time.Second})
		cancel()
		switch {
		case plainToo && err != nil:
			t.Errorf("plain RTMP beside TLS: %v", err)
		case !plainToo && err == nil:
			t.Error("a TLS-only server took a plain RTMP handshake")
		}
		if plain != nil {
			plain.Close()
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
