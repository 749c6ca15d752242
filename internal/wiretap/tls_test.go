package wiretap

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeclient"
	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/tlsca"
)

// tapTLS is a tap's TLS for an upstream serving a certificate of ca: the client is shown
// another certificate of ca (both for loopback names).
func tapTLS(t *testing.T, ca *tlsca.Authority) *TLS {
	t.Helper()
	cert, err := ca.Issue(tlsca.Leaf{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &TLS{Client: tlsca.ServerConfig(cert), Upstream: ca.ClientConfig()}
}

func newCA(t *testing.T) *tlsca.Authority {
	t.Helper()
	ca, err := tlsca.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func TestTapReadsInsideTLS(t *testing.T) {
	ca := newCA(t)
	cert, err := ca.Issue(tlsca.Leaf{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s, err := fakeserver.New(fakeserver.Config{TLS: tlsca.ServerConfig(cert),
		Streams: []media.Spec{{Name: "s", Duration: 2 * time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got events
	tap, err := Listen(Config{Upstream: s.Addr(), OnEvent: got.add, TLS: tapTLS(t, ca)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := fakeclient.NewPlayer(fakeclient.PlayerConfig{Addr: tap.Addr(), Stream: "s", BufferTime: 500 * time.Millisecond,
		Conn: rtmpconn.Options{TLS: ca.ClientConfig()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = p.Run(ctx)
	waitFor(t, &got, KindClose)
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	c := got.of(KindConnect)
	if len(c) != 1 || c[0].Err != "" || c[0].TLS != "TLS 1.3" || c[0].Handshake <= 0 {
		t.Fatalf("connect events %+v: want one, TLS 1.3, with its handshake time", c)
	}
	codes := map[string]bool{}
	for _, st := range got.of(KindStatus) {
		codes[st.Code] = true
	}
	if !codes["NetStream.Play.Start"] || len(got.of(KindUnparsed)) != 0 {
		t.Fatalf("statuses %v, unparsed %+v: want NetStream.Play.Start read inside TLS", codes, got.of(KindUnparsed))
	}
	cl := got.of(KindClose)
	if len(cl) != 1 || cl[0].ClosedBy != ByClient || cl[0].Media == nil || *cl[0].Media < 1.9 {
		t.Fatalf("close %+v: want closed by the client after the last frame", cl)
	}
}

// stalledTLSServer accepts connections and never answers (a route stalled mid-handshake).
func stalledTLSServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return ln.Addr().String()
}

func TestTapKeepsTheClientsHandshakeWaitingForTheServers(t *testing.T) {
	ca := newCA(t)
	var got events
	tap, err := Listen(Config{Upstream: stalledTLSServer(t), OnEvent: got.add, TLS: tapTLS(t, ca)})
	if err != nil {
		t.Fatal(err)
	}
	defer tap.Close()
	raw, err := net.Dial("tcp", tap.Addr())
	if err != nil {
		t.Fatal(err)
	}
	cfg := ca.ClientConfig()
	cfg.ServerName = "127.0.0.1"
	c := tls.Client(raw, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	err = c.HandshakeContext(ctx) // the client's own handshake timeout
	var ne net.Error
	if !errors.Is(err, context.DeadlineExceeded) && !(errors.As(err, &ne) && ne.Timeout()) {
		t.Fatalf("the client's handshake ended with %v while the server's stalled: want its own timeout", err)
	}
	raw.Close()
	waitFor(t, &got, KindClose)
	cl := got.of(KindClose)
	cn := got.of(KindConnect)
	if len(cn) != 1 || !strings.Contains(cn[0].Err, "TLS handshake with the server: the client left before it completed") || len(cl) != 1 || cl[0].ClosedBy != ByClient || cl[0].Time.Before(cn[0].Time) {
		t.Fatalf("connect %+v, close %+v: want a failed handshake with the server, closed by the client", cn, cl)
	}
}

// tlsUpstream is a loopback TLS server of one connection, with a certificate of ca for names
// (default: loopback names), which serve handles (raw is its TCP connection); it returns the
// address.
func tlsUpstream(t *testing.T, ca *tlsca.Authority, names []string, serve func(raw net.Conn, c *tls.Conn)) string {
	t.Helper()
	cert, err := ca.Issue(tlsca.Leaf{Names: names}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			return
		}
		defer raw.Close()
		serve(raw, tls.Server(raw, tlsca.ServerConfig(cert)))
	}()
	return ln.Addr().String()
}

// listenTap is a tap of cfg in front of upstream recording into got, closed at the test's end.
func listenTap(t *testing.T, upstream string, cfg Config, got *events) *Tap {
	t.Helper()
	cfg.Upstream, cfg.OnEvent = upstream, got.add
	tap, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tap.Close() })
	return tap
}

func TestTapRefusesAServerCertificateItDoesNotTrust(t *testing.T) {
	ca, other := newCA(t), newCA(t)
	up := tlsUpstream(t, other, nil, func(_ net.Conn, c *tls.Conn) { _ = c.Handshake() })
	var got events
	tap := listenTap(t, up, Config{TLS: tapTLS(t, ca)}, &got)
	c, err := tls.Dial("tcp", tap.Addr(), ca.ClientConfig())
	if err == nil {
		c.Close()
		t.Fatal("the client's handshake succeeded while the tap could not verify the server")
	}
	waitFor(t, &got, KindClose)
	cn := got.of(KindConnect)
	if len(cn) != 1 || !strings.Contains(cn[0].Err, "TLS handshake with the server") || !strings.Contains(cn[0].Err, "certificate") {
		t.Fatalf("connect %+v: want the server's certificate refused", cn)
	}
}

func TestTapRelaysAResetInsideTLS(t *testing.T) {
	ca := newCA(t)
	up := tlsUpstream(t, ca, nil, func(raw net.Conn, c *tls.Conn) { // takes a few bytes, then resets
		_, _ = c.Read(make([]byte, 10))
		_ = raw.(*net.TCPConn).SetLinger(0)
	})
	var got events
	tap := listenTap(t, up, Config{TLS: tapTLS(t, ca)}, &got)
	c, err := tls.Dial("tcp", tap.Addr(), ca.ClientConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = c.Read(make([]byte, 1))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the client saw %v, want a reset (ECONNRESET)", err)
	}
	waitFor(t, &got, KindClose)
	if cl := got.of(KindClose); len(cl) != 1 || cl[0].ClosedBy != ByServer || cl[0].Err != Reset {
		t.Fatalf("close events %+v: want one by the server, a reset", cl)
	}
}

func TestTapSeesTheClientLeaveWhileItsWriteToAStalledServerBlocks(t *testing.T) {
	ca := newCA(t)
	stop := make(chan struct{})
	defer close(stop)
	up := tlsUpstream(t, ca, nil, func(_ net.Conn, c *tls.Conn) { // handshakes, then reads nothing more (a stalled route)
		_ = c.Handshake()
		<-stop
	})
	var got events
	tap := listenTap(t, up, Config{TLS: tapTLS(t, ca)}, &got)
	c, err := tls.Dial("tcp", tap.Addr(), ca.ClientConfig())
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for written := 0; written < 64<<20; written += len(chunk) { // until the buffers on the way are full
		_ = c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
		if _, err := c.Write(chunk); err != nil {
			break
		}
	}
	// The client goes (a reset: a FIN would wait behind the bytes the full buffers hold).
	left := time.Now()
	_ = c.NetConn().(*net.TCPConn).SetLinger(0)
	_ = c.NetConn().Close()
	waitFor(t, &got, KindClose)
	cl := got.of(KindClose)
	if len(cl) != 1 || cl[0].ClosedBy != ByClient {
		t.Fatalf("close events %+v: want the client's leaving seen though the tap's write to the server blocked", cl)
	}
	if lag := cl[0].Time.Sub(left); lag > 2*time.Second {
		t.Errorf("the close is stamped %v after the client left: want when the tap saw it (within about %v)", lag, writeCheck)
	}
}

// An opaque tap relays TLS as it is (the client sees the server's own certificate) and says
// each direction is unread, with its reason.
func TestOpaqueTapRelaysTLSUnread(t *testing.T) {
	ca := newCA(t)
	up := tlsUpstream(t, ca, []string{"origin.test"}, func(_ net.Conn, c *tls.Conn) {
		_, _ = io.Copy(c, c) // an echo inside TLS
	})
	var got events
	tap := listenTap(t, up, Config{Opaque: "TLS relayed unread"}, &got)
	cfg := ca.ClientConfig()
	cfg.ServerName = "origin.test" // the server's own name: the tap does not touch TLS
	c, err := tls.Dial("tcp", tap.Addr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "hello" {
		t.Fatalf("echo %q, %v", buf, err)
	}
	c.Close()
	waitFor(t, &got, KindClose)
	un := got.of(KindUnparsed)
	if len(un) != 2 || un[0].Err != "TLS relayed unread" || len(got.of(KindCommand)) != 0 {
		t.Fatalf("unparsed %+v: want both directions reported unread, with the reason", un)
	}
	if cl := got.of(KindClose); len(cl) != 1 || cl[0].Up < 5 || cl[0].Down < 5 {
		t.Fatalf("close %+v: want the relayed bytes counted", cl)
	}
}
