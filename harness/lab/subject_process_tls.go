package lab

import (
	"crypto/tls"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/streamfault/streamfault/internal/spec"
	"github.com/streamfault/streamfault/internal/tlsca"
)

// Placeholders of a server program's certificate (ServerProcess.TLS).
const (
	CertFile = "{certfile}"
	KeyFile  = "{keyfile}"
)

// ServesTLS tells whether the program serves RTMPS.
func (sp *ServerProcess) ServesTLS() bool { return sp.TLS != nil }

// Terms are what its TLS offers besides the certificate: the program's own business.
func (sp *ServerProcess) Terms() tlsca.Terms { return tlsca.Terms{} }

// Certificate is the condition of the certificate it is given ({certfile}).
func (sp *ServerProcess) Certificate() string { return sp.TLS.certificate() }

// ClientTLS is what its clients connect with: trusting the run's authority, tls.caFile's, or
// nothing (tls.insecure).
func (sp *ServerProcess) ClientTLS(ca *tlsca.Authority, dir string) (*tls.Config, error) {
	return sp.TLS.clientConfig(ca, dir)
}

// uses tells whether the command line or environment uses a placeholder.
func (sp *ServerProcess) uses(ph string) bool {
	return strings.Contains(strings.Join(append(slices.Collect(maps.Values(sp.Env)), sp.Command...), "\x00"), ph)
}

// validateTLS reports {certfile} or {keyfile} without TLS, and a TLS program the clients
// could never trust (given no certificate of the run's authority, nor another trust).
func (sp *ServerProcess) validateTLS(p spec.Problems) {
	cert, key := sp.uses(CertFile), sp.uses(KeyFile)
	switch {
	case sp.TLS == nil && (cert || key):
		p.Add("command", "%s and %s are the program's certificate when it serves RTMPS: add tls: {}", CertFile, KeyFile)
	case sp.TLS == nil:
	case cert != key:
		p.Add("command", "names one of %s and %s: the program needs both, the certificate and its key", CertFile, KeyFile)
	case !cert && sp.TLS.CAFile == "" && !sp.TLS.Insecure:
		p.Add("tls", "the program is given no certificate of the run's authority (%s, %s) and the clients no other trust (caFile, or explicitly insecure)", CertFile, KeyFile)
	case cert && (sp.TLS.CAFile != "" || sp.TLS.Insecure):
		p.Add("tls", "the program is given a certificate of the run's authority (%s), which the clients trust: caFile and insecure are for a certificate of its own", CertFile)
	}
	sp.TLS.validate(p, issuedProgram)
}

// tlsFiles writes the program's certificate and key (as tls.certificate asks, signed by ca)
// into a folder made for them, when its command uses them; "" when it does not.
func (sp *ServerProcess) tlsFiles(ca *tlsca.Authority) (string, error) {
	if sp.TLS == nil || !sp.uses(CertFile) {
		return "", nil
	}
	cert, err := sp.TLS.issue(ca)
	if err != nil {
		return "", err
	}
	certPEM, keyPEM, err := tlsca.PEM(cert)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "streamfault-server-tls-")
	if err != nil {
		return "", fmt.Errorf("tls: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o644); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("tls: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("tls: %w", err)
	}
	return dir, nil
}
