package nginx

import (
	"fmt"
	"net"
	"strconv"

	"github.com/streamfault/streamfault/internal/proc"
	"github.com/streamfault/streamfault/internal/tlsca"
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
	written, err := tlsca.WriteFiles(c.Dir, c.TLS.Cert)
	if err != nil {
		return "", fmt.Errorf("nginx: %w", err)
	}
	files := map[string]string{"Cert": written.Cert, "Key": written.Key, "StreamModule": c.TLS.module()}
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
