package lab

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/tlsca"
)

// ServerTLS is how a server the lab runs speaks TLS (RTMPS).
type ServerTLS struct {
	// Certificate is the server certificate's condition: valid (default), or deliberately
	// wrong to see how clients report and retry: expired, not-yet-valid, wrong-name (issued
	// for another host name).
	Certificate string `yaml:"certificate" json:"certificate,omitempty"`
	// SessionTickets: false stops the server sending TLS session tickets (default true, as
	// most servers do; rtmpdump 2.4 fails its RTMP handshake on a TLS 1.3 ticket).
	SessionTickets *bool `yaml:"sessionTickets" json:"sessionTickets,omitempty"`
}

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

// validate reports a certificate condition outside its set.
func (t *ServerTLS) validate(p spec.Problems) {
	if t != nil && t.Certificate != "" && !slices.Contains(CertConditions, t.Certificate) {
		p.Add("tls.certificate", "%q is not a certificate condition (known: %s)", t.Certificate, strings.Join(CertConditions, ", "))
	}
}

// issue signs the server's certificate, as its condition asks, with the run's authority.
func (t *ServerTLS) issue(ca *tlsca.Authority) (tls.Certificate, error) {
	if ca == nil {
		return tls.Certificate{}, fmt.Errorf("tls: no certificate authority for the run")
	}
	now := time.Now()
	return ca.Issue(t.leaf(now), now)
}
