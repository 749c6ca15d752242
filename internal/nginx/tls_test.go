package nginx

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/tlsca"
)

// TestServesRTMPSThroughItsOwnTLS: with TLS, the address clients use is nginx's TLS listener,
// which verifies against the run's authority (and against no other) and passes RTMP through
// to nginx-rtmp.
func TestServesRTMPSThroughItsOwnTLS(t *testing.T) {
	ca, cert, err := tlsca.NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Dir: filepath.Join(t.TempDir(), "n"), TLS: &TLS{Cert: cert}}
	if err := Available(cfg); err != nil {
		if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop() })
	if got := n.URL("vod", "s"); got != "rtmps://"+n.Addr()+"/vod/s" {
		t.Fatalf("URL %s: want rtmps:// on the TLS address", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	other, err := tlsca.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c, err := rtmpconn.Dial(ctx, n.Addr(), rtmpconn.Options{TLS: other.ClientConfig()}); err == nil {
		c.Close()
		t.Fatal("a client trusting another authority connected")
	}
	c, err := rtmpconn.Dial(ctx, n.Addr(), rtmpconn.Options{ReadTimeout: 3 * time.Second, TLS: ca.ClientConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "connect", 1, map[string]any{"app": "vod", "tcUrl": n.URL("vod", "")}); err != nil {
		t.Fatal(err)
	}
	for range 16 {
		m, err := c.Read()
		if err != nil {
			t.Fatalf("no connect result from nginx over TLS: %v", err)
		}
		if m.Command != nil && m.Command.Name == "_result" {
			return
		}
	}
	t.Fatal("no connect result")
}

// TestTLSNeedsTheStreamModule: a missing stream module is said with how to install it.
func TestTLSNeedsTheStreamModule(t *testing.T) {
	if Available(Config{}) != nil {
		t.Skip("nginx is not installed")
	}
	err := Available(Config{TLS: &TLS{StreamModule: "/nonexistent/ngx_stream_module.so"}})
	if err == nil || !strings.Contains(err.Error(), "libnginx-mod-stream") {
		t.Fatalf("Available: %v, want the stream module named with its package", err)
	}
}
