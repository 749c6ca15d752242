package tlsca

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"
)

// handshake runs a TLS handshake between a server with cert and a client trusting a, for name.
func handshake(t *testing.T, a *Authority, cert tls.Certificate, name string) error {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", ServerConfig(cert))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	raw, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(10 * time.Second))
	cfg := a.ClientConfig()
	cfg.ServerName = name
	return tls.Client(raw, cfg).Handshake()
}

func TestCertificatesVerifyOnlyWhenRight(t *testing.T) {
	now := time.Now()
	a, err := New(now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(a.PEM), "BEGIN CERTIFICATE") {
		t.Fatal("no PEM")
	}
	good, err := a.Issue(Leaf{}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"127.0.0.1", "localhost", "::1"} {
		if err := handshake(t, a, good, name); err != nil {
			t.Errorf("a loopback certificate for %s: %v", name, err)
		}
	}
	expired, _ := a.Issue(Leaf{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)}, now)
	future, _ := a.Issue(Leaf{NotBefore: now.Add(24 * time.Hour), NotAfter: now.Add(48 * time.Hour)}, now)
	wrong, _ := a.Issue(Leaf{Names: []string{"elsewhere.example"}}, now)
	for what, c := range map[string]tls.Certificate{"expired": expired, "not yet valid": future, "for another name": wrong} {
		if err := handshake(t, a, c, "127.0.0.1"); err == nil {
			t.Errorf("a certificate %s verified", what)
		}
	}
	other, _ := New(now)
	if err := handshake(t, other, good, "127.0.0.1"); err == nil {
		t.Error("a certificate verified against another run's authority")
	}
}

// NewLoopback's certificate verifies for loopback names against its authority alone.
func TestNewLoopback(t *testing.T) {
	ca, cert, err := NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range LoopbackNames {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: name}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	other, _, err := NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: other.Pool(), DNSName: "localhost"}); err == nil {
		t.Error("another authority verified the certificate")
	}
}
