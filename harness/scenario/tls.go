package scenario

import (
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/procactor"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/internal/spec"
)

// tlsOfTapped reports what a program behind the wire tap cannot be shown of an RTMPS server:
// the tap terminates TLS with a valid certificate of the run's authority, so a certificate
// condition of the server would never reach the program; and {cafile} exists only when the
// server speaks TLS.
func tlsOfTapped(p spec.Problems, c Client, srv lab.Server) {
	pr, ok := c.Options.(*role.Process)
	if !ok || pr.Process == nil {
		return
	}
	cert := srv.Certificate()
	switch {
	case cert == "" && pr.Process.Uses(procactor.CAFile):
		p.Add("process", "%s is the run's certificate authority, made only when the server speaks TLS (server.tls)", procactor.CAFile)
	case cert != "" && cert != lab.CertValid:
		p.Add("role", "a program behind the wire tap is shown the tap's own valid certificate, never the server's %s one (server.tls.certificate): "+
			"judge certificate conditions with scripted clients", cert)
	}
}
