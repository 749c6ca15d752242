// Package tlsca makes the certificates of a run: a certificate authority of its own and the
// server certificates it signs — for loopback names by default, or deliberately wrong (expired,
// not yet valid, another name) to test how clients report and retry.
package tlsca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// LoopbackNames are the names a run's server certificate holds by default.
var LoopbackNames = []string{"localhost", "127.0.0.1", "::1"}

// Authority is a run's certificate authority.
type Authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// PEM is the authority's certificate, PEM-encoded: what a client is told to trust.
	PEM []byte
}

// New makes an authority valid from an hour before now for a day.
func New(now time.Time) (*Authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("tlsca: key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "streamfault run CA", Organization: []string{"streamfault"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("tlsca: self-sign: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("tlsca: %w", err)
	}
	return &Authority{cert: cert, key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// NewLoopback makes an authority and a server certificate it signs for loopback names, both
// valid from an hour before now: what a server of one run serves RTMPS with.
func NewLoopback(now time.Time) (*Authority, tls.Certificate, error) {
	ca, err := New(now)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	cert, err := ca.Issue(Leaf{}, now)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	return ca, cert, nil
}

// Leaf describes a server certificate.
type Leaf struct {
	// Names are its DNS names and IP addresses (default LoopbackNames).
	Names []string
	// NotBefore and NotAfter bound its validity (default: from an hour ago for a day).
	NotBefore, NotAfter time.Time
}

// Issue signs a server certificate.
func (a *Authority) Issue(l Leaf, now time.Time) (tls.Certificate, error) {
	if len(l.Names) == 0 {
		l.Names = LoopbackNames
	}
	if l.NotBefore.IsZero() {
		l.NotBefore = now.Add(-time.Hour)
	}
	if l.NotAfter.IsZero() {
		l.NotAfter = now.Add(24 * time.Hour)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlsca: key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: l.Names[0], Organization: []string{"streamfault"}},
		NotBefore:    l.NotBefore,
		NotAfter:     l.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range l.Names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlsca: sign: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// Files are where WriteFiles put a certificate and its key.
type Files struct{ Cert, Key string }

// WriteFiles writes a certificate this package issued and its key into dir as PEM files
// (cert.pem, key.pem readable by the owner alone), for a program told to serve with them
// (nginx's ssl_certificate and ssl_certificate_key, a server program's {certfile}).
func WriteFiles(dir string, cert tls.Certificate) (Files, error) {
	certPEM, keyPEM, err := encodePEM(cert)
	if err != nil {
		return Files{}, err
	}
	f := Files{Cert: filepath.Join(dir, "cert.pem"), Key: filepath.Join(dir, "key.pem")}
	if err := os.WriteFile(f.Cert, certPEM, 0o644); err != nil {
		return Files{}, fmt.Errorf("tlsca: %w", err)
	}
	if err := os.WriteFile(f.Key, keyPEM, 0o600); err != nil {
		return Files{}, fmt.Errorf("tlsca: %w", err)
	}
	return f, nil
}

// encodePEM encodes a certificate this package issued and its key as PEM.
func encodePEM(cert tls.Certificate) (certPEM, keyPEM []byte, err error) {
	key, ok := cert.PrivateKey.(*ecdsa.PrivateKey)
	if !ok || len(cert.Certificate) == 0 {
		return nil, nil, fmt.Errorf("tlsca: not a certificate this package issued")
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("tlsca: key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

// ServerConfig is a server's TLS configuration with cert (TLS 1.2 or later).
func ServerConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

// Terms are what a server's TLS offers besides its certificate, where peers differ.
type Terms struct {
	// NoSessionTickets stops the server sending session tickets (in TLS 1.3 they come after
	// the handshake, which librtmp 2.4 with GnuTLS takes for a failure).
	NoSessionTickets bool
}

// Server is a server's TLS configuration with cert on these terms.
func (t Terms) Server(cert tls.Certificate) *tls.Config {
	cfg := ServerConfig(cert)
	cfg.SessionTicketsDisabled = t.NoSessionTickets
	return cfg
}

// ClientConfig is a client's TLS configuration trusting the authority alone (TLS 1.2 or later);
// the server name is the one the client dials unless set.
func (a *Authority) ClientConfig() *tls.Config {
	return &tls.Config{RootCAs: a.Pool(), MinVersion: tls.VersionTLS12}
}

// ForAddr is a copy of a client configuration for dialing addr: the server name it verifies,
// unless set, is addr's host.
func ForAddr(cfg *tls.Config, addr string) *tls.Config {
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName, _, _ = net.SplitHostPort(addr)
	}
	return cfg
}

// Pool is a certificate pool trusting the authority alone.
func (a *Authority) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(a.cert)
	return p
}

// serial is a random certificate serial number.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}
