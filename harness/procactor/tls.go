package procactor

import (
	"fmt"
	"os"
	"time"

	"github.com/streamfault/streamfault/internal/tlsca"
	"github.com/streamfault/streamfault/internal/wiretap"
)

// terminateTLS is the tap's TLS when the server speaks RTMPS: the program is shown a
// certificate for loopback names signed by the run's authority (written to a file for
// {cafile} when the command uses it), the route is reached with TLS verifying the server.
func (a *Actor) terminateTLS() (*wiretap.TLS, error) {
	cert, err := a.cfg.CA.Issue(tlsca.Leaf{}, time.Now())
	if err != nil {
		return nil, fmt.Errorf("the tap's certificate: %w", err)
	}
	if err := a.writeCAFile(); err != nil {
		return nil, err
	}
	up := a.cfg.UpstreamTLS
	if up == nil {
		up = a.cfg.CA.ClientConfig()
	}
	return &wiretap.TLS{Client: a.cfg.TLSTerms.Server(cert), Upstream: up}, nil
}

// writeCAFile writes the run's authority for {cafile}, when the command uses it.
func (a *Actor) writeCAFile() error {
	if !a.cfg.Spec.Uses(CAFile) {
		return nil
	}
	f, err := os.CreateTemp("", "streamfault-ca-*.pem")
	if err != nil {
		return fmt.Errorf("%s: %w", CAFile, err)
	}
	a.cafile = f.Name()
	_, err = f.Write(a.cfg.CA.PEM)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		a.removeCAFile()
		return fmt.Errorf("%s: %w", CAFile, err)
	}
	return nil
}

// removeCAFile removes the {cafile} of the actor, if any.
func (a *Actor) removeCAFile() {
	if a.cafile != "" {
		_ = os.Remove(a.cafile)
	}
}
