package scenario

import (
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/harness/procactor"
	"github.com/streamfault/streamfault/harness/role"
	"github.com/streamfault/streamfault/internal/spec"
)

// tlsOfClient reports a scripted client asking for plain RTMP from a server that does not
// take it beside RTMPS, and what a program behind the wire tap cannot be shown of an RTMPS server:
// a tap that terminates TLS shows a valid certificate of the run's authority, so a
// certificate condition of the server would reach the program only through a tap that relays
// TLS (process.tls: relay); and {cafile} and process.tls exist only when the server speaks TLS.
func tlsOfClient(p spec.Problems, c Client, srv lab.Server) {
	if pl, ok := c.Options.(interface{ Plain() bool }); ok && pl.Plain() && !srv.ServesPlainToo() {
		p.Add("plainRTMP", "connects with plain RTMP beside RTMPS, which this server does not take (server.tls.plainToo, the reference server's)")
	}
	pr, ok := c.Options.(*role.Process)
	if !ok || pr.Process == nil {
		return
	}
	cert, relay := srv.Certificate(), pr.Process.TLS == procactor.TLSRelay
	switch {
	case cert == "" && pr.Process.Uses(procactor.CAFile):
		p.Add("process", "%s is the run's certificate authority, made only when the server speaks TLS (server.tls)", procactor.CAFile)
	case cert == "" && pr.Process.TLS != "":
		p.Add("process.tls", "is what the wire tap does with an RTMPS server's TLS; this server speaks RTMP")
	case cert != "" && cert != lab.CertValid && !relay:
		p.Add("role", "a program behind the wire tap is shown the tap's own valid certificate, never the server's %s one (server.tls.certificate): "+
			"give the program process.tls: relay (the tap passes TLS unread), or judge it with scripted clients", cert)
	}
}
