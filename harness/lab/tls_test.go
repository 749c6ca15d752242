package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/tlsca"
)

// An external RTMPS server with a certificate of its own: the clients trust the authority the
// scenario gives (caFile, relative to the scenario), or nothing when told so (insecure), and
// reach it through the route; the run's own authority does not verify it.
func TestExternalRTMPSSubject(t *testing.T) {
	ca, cert, err := tlsca.NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ref, err := fakeserver.New(fakeserver.Config{TLS: tlsca.ServerConfig(cert), Streams: []media.Spec{{Name: "s", Duration: time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.Start(); err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, trust := range []ServerTLS{{CAFile: "ca.pem"}, {Insecure: true}} {
		opts := subjectOptions(Server{Subject: &External{Address: "rtmps://" + ref.Addr(), TLS: &trust}})
		opts.Dir = dir
		l, err := Start(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		cfg := l.ClientTLS()
		if cfg == nil || cfg.InsecureSkipVerify != trust.Insecure {
			l.Close()
			t.Fatalf("%+v: client TLS %+v", trust, cfg)
		}
		r, _ := l.Route("wifi")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := rtmpconn.Dial(ctx, r.Listen, rtmpconn.Options{TLS: cfg})
		cancel()
		if err != nil {
			l.Close()
			t.Fatalf("%+v: %v", trust, err)
		}
		c.Close()
		if ca := l.CA(); ca != nil { // the run's own authority, for the taps' certificates
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := rtmpconn.Dial(ctx, r.Listen, rtmpconn.Options{TLS: ca.ClientConfig()})
			cancel()
			if err == nil || !strings.Contains(err.Error(), "certificate") {
				l.Close()
				t.Fatalf("the run's authority verified the external server's certificate: %v", err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
