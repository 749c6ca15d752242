package lab

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/tlsca"
)

// ServerTLS is how the subject speaks TLS (RTMPS), and how the clients trust it.
type ServerTLS struct {
	// Certificate is the condition of the certificate the harness issues the server (the
	// reference server, nginx, or a program's {certfile}): valid (default), or deliberately
	// wrong to see how clients report and retry: expired, not-yet-valid, wrong-name (issued
	// for another host name).
	Certificate string `yaml:"certificate" json:"certificate,omitempty"`
	// SessionTickets: false stops the server sending TLS session tickets (default true, as
	// most servers do; rtmpdump 2.4 fails its RTMP handshake on a TLS 1.3 ticket). The
	// reference server and nginx only.
	SessionTickets *bool `yaml:"sessionTickets" json:"sessionTickets,omitempty"`
	// CAFile makes the clients trust this certificate authority (a PEM file, relative to the
	// scenario) instead of the run's: for a program or an external server with a certificate
	// of its own.
	CAFile string `yaml:"caFile" json:"caFile,omitempty"`
	// Insecure makes the clients accept any certificate, unverified (explicit; for a program
	// or an external server whose certificate cannot be trusted otherwise).
	Insecure bool `yaml:"insecure" json:"insecure,omitempty"`
	// ServerName is the name the clients verify the certificate for (default: the host they
	// connect to).
	ServerName string `yaml:"serverName" json:"serverName,omitempty"`
	// PlainToo makes the reference server take plain RTMP on the same address as well, side
	// by side with RTMPS (a connection opening with a TLS handshake is RTMPS): a scripted
	// client with plainRTMP: true connects that way.
	PlainToo bool `yaml:"plainToo" json:"plainToo,omitempty"`
}

// Who issues a TLS subject's certificate, for what its options may say.
type tlsIssuer int

const (
	issuedHere    tlsIssuer = iota // the harness, for a server it runs (reference, nginx)
	issuedProgram                  // the harness ({certfile}), or the program itself (caFile, insecure)
	issuedElse                     // whoever runs an external server
)

// Certificate conditions of ServerTLS.
const (
	CertValid       = "valid"
	CertExpired     = "expired"
	CertNotYetValid = "not-yet-valid"
	CertWrongName   = "wrong-name"
)

// CertConditions are the values ServerTLS.Certificate accepts.
var CertConditions = []string{CertValid, CertExpired, CertNotYetValid, CertWrongName}

// leaf is the certificate a condition asks for, relative to now.
func (t *ServerTLS) leaf(now time.Time) tlsca.Leaf {
	switch t.Certificate {
	case CertExpired:
		return tlsca.Leaf{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)}
	case CertNotYetValid:
		return tlsca.Leaf{NotBefore: now.Add(24 * time.Hour), NotAfter: now.Add(48 * time.Hour)}
	case CertWrongName:
		return tlsca.Leaf{Names: []string{"elsewhere.invalid"}}
	}
	return tlsca.Leaf{}
}

// certificate is the condition of the certificate shown (CertValid unless told).
func (t *ServerTLS) certificate() string {
	if t == nil || t.Certificate == "" {
		return CertValid
	}
	return t.Certificate
}

// terms are what the TLS offers besides the certificate.
func (t *ServerTLS) terms() tlsca.Terms {
	return tlsca.Terms{NoSessionTickets: t != nil && t.SessionTickets != nil && !*t.SessionTickets}
}

// validate reports a certificate condition outside its set, and options the subject's kind
// cannot honour.
func (t *ServerTLS) validate(p spec.Problems, by tlsIssuer) {
	if t == nil {
		return
	}
	if t.Certificate != "" && !slices.Contains(CertConditions, t.Certificate) {
		p.Add("tls.certificate", "%q is not a certificate condition (known: %s)", t.Certificate, strings.Join(CertConditions, ", "))
	}
	switch {
	case by == issuedHere && (t.CAFile != "" || t.Insecure):
		p.Add("tls", "caFile and insecure are for a server with a certificate of its own; the harness issues this one, which the clients trust")
	case by != issuedHere && t.PlainToo:
		p.Add("tls.plainToo", "is the reference server's: a program or an external server has the listeners it has")
	case by != issuedHere && t.SessionTickets != nil:
		p.Add("tls.sessionTickets", "is the reference server's and nginx's; a program or an external server sends tickets as it does")
	case by == issuedElse && t.Certificate != "":
		p.Add("tls.certificate", "is a condition of a certificate the harness issues; an external server has its own")
	case by == issuedElse && t.CAFile == "" && !t.Insecure:
		p.Add("tls", "an external server's certificate is its own: give the authority the clients trust (caFile) or, explicitly, insecure: true")
	case t.CAFile != "" && t.Insecure:
		p.Add("tls", "caFile and insecure exclude each other")
	}
}

// clientConfig is what the clients connect with: trusting the run's authority, the given
// one (CAFile, relative to dir), or nothing (Insecure).
func (t *ServerTLS) clientConfig(ca *tlsca.Authority, dir string) (*tls.Config, error) {
	var cfg *tls.Config
	switch {
	case t.Insecure:
		cfg = &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} // asked for, explicitly
	case t.CAFile != "":
		path := t.CAFile
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("tls.caFile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls.caFile: %s holds no PEM certificate", path)
		}
		cfg = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	default:
		cfg = ca.ClientConfig()
	}
	cfg.ServerName = t.ServerName
	return cfg, nil
}

// issue signs the server's certificate, as its condition asks, with the run's authority.
func (t *ServerTLS) issue(ca *tlsca.Authority) (tls.Certificate, error) {
	if ca == nil {
		return tls.Certificate{}, fmt.Errorf("tls: no certificate authority for the run")
	}
	now := time.Now()
	return ca.Issue(t.leaf(now), now)
}
