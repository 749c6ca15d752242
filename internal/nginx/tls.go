package nginx

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/streamfault/streamfault/internal/proc"
)

// tlsValues fills the configuration's values for nginx's TLS in front of its RTMP listener
// (cfg.TLS): a free loopback port for it, the module, and the certificate and key written
// into the directory. It returns the address clients use: the TLS one, or the RTMP one when
// nginx speaks RTMP only.
func (c Config) tlsValues(values map[string]any, rtmpAddr string) (string, error) {
	if c.TLS == nil {
		return rtmpAddr, nil
	}
	addr, err := proc.FreeLoopbackAddr()
	if err != nil {
		return "", fmt.Errorf("nginx: TLS port: %w", err)
	}
	_, p, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	files := map[string]string{"Cert": filepath.Join(c.Dir, "cert.pem"), "Key": filepath.Join(c.Dir, "key.pem"), "StreamModule": c.TLS.module()}
	if err := os.WriteFile(files["Cert"], c.TLS.CertPEM, 0o644); err != nil {
		return "", fmt.Errorf("nginx: certificate: %w", err)
	}
	if err := os.WriteFile(files["Key"], c.TLS.KeyPEM, 0o600); err != nil {
		return "", fmt.Errorf("nginx: key: %w", err)
	}
	for k, v := range files {
		q, err := confString(v)
		if err != nil {
			return "", fmt.Errorf("nginx: %s: %w", k, err)
		}
		values[k] = q
	}
	values["TLSPort"], values["Tickets"] = port, "off"
	if c.TLS.SessionTickets {
		values["Tickets"] = "on"
	}
	return addr, nil
}
