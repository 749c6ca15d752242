package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/streamfault/streamfault/internal/tlsca"
)

// serveTLS is serve's TLS configuration: none without --tls; the given certificate and key;
// else a certificate for loopback names signed by a CA made now, whose certificate is written
// to caOut (default: a new file in the temporary folder, removed by done) and returned as
// caPath.
func serveTLS(on bool, certFile, keyFile, caOut string) (cfg *tls.Config, caPath string, done func(), err error) {
	done = func() {}
	if !on {
		if certFile != "" || keyFile != "" || caOut != "" {
			return nil, "", done, errors.New("--tls-cert, --tls-key and --tls-ca-out need --tls")
		}
		return nil, "", done, nil
	}
	if (certFile == "") != (keyFile == "") {
		return nil, "", done, errors.New("--tls-cert and --tls-key go together")
	}
	if certFile != "" {
		if caOut != "" {
			return nil, "", done, errors.New("--tls-ca-out is for the run's own CA, not with --tls-cert")
		}
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, "", done, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		return tlsca.ServerConfig(cert), "", done, nil
	}
	ca, cert, err := tlsca.NewLoopback(time.Now())
	if err != nil {
		return nil, "", done, err
	}
	if caOut == "" {
		f, err := os.CreateTemp("", "streamfault-serve-ca-*.pem")
		if err != nil {
			return nil, "", done, fmt.Errorf("the run's CA certificate: %w", err)
		}
		caOut = f.Name()
		f.Close()
		done = func() { _ = os.Remove(caOut) }
	}
	if err := os.WriteFile(caOut, ca.PEM, 0o644); err != nil {
		done()
		return nil, "", func() {}, fmt.Errorf("the run's CA certificate: %w", err)
	}
	abs, _ := filepath.Abs(caOut)
	return tlsca.ServerConfig(cert), abs, done, nil
}
