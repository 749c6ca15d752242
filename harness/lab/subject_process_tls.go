package lab

import (
	"fmt"
	"maps"
	"os"
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

// TLSOptions is the program's tls block (nil: RTMP).
func (sp *ServerProcess) TLSOptions() *ServerTLS { return sp.TLS }

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
// into a folder made for them, when its command uses them: the folder ("" when it does not)
// and the files.
func (sp *ServerProcess) tlsFiles(ca *tlsca.Authority) (string, tlsca.Files, error) {
	if sp.TLS == nil || !sp.uses(CertFile) {
		return "", tlsca.Files{}, nil
	}
	cert, err := sp.TLS.issue(ca)
	if err != nil {
		return "", tlsca.Files{}, err
	}
	dir, err := os.MkdirTemp("", "streamfault-server-tls-")
	if err != nil {
		return "", tlsca.Files{}, fmt.Errorf("tls: %w", err)
	}
	f, err := tlsca.WriteFiles(dir, cert)
	if err != nil {
		os.RemoveAll(dir)
		return "", tlsca.Files{}, fmt.Errorf("tls: %w", err)
	}
	return dir, f, nil
}
