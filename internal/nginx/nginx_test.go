package nginx

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// TestServesTheSyntheticStreams: nginx-rtmp plays an FLV written from a synthetic stream and
// answers RTMP on its port; Stop ends it.
func TestServesTheSyntheticStreams(t *testing.T) {
	n := startNginx(t)
	f, err := os.Create(filepath.Join(n.VODDir(), "s.flv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := (media.Spec{Name: "s", Duration: 2 * time.Second, FPS: 25, KeyframeInterval: time.Second}).WriteFLV(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := rtmpconn.Dial(ctx, n.Addr(), rtmpconn.Options{ReadTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "connect", 1, map[string]any{"app": "vod", "tcUrl": n.URL("vod", "")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 16; i++ {
		m, err := c.Read()
		if err != nil {
			t.Fatalf("no connect result from nginx: %v", err)
		}
		if m.Command != nil && m.Command.Name == "_result" {
			if err := n.Stop(); err != nil {
				t.Fatal(err)
			}
			if n.Process().Running() {
				t.Fatal("nginx still running after Stop")
			}
			return
		}
	}
	t.Fatal("no connect result")
}

// TestWaitPlaySeesAPlayerOfAnyName: nginx reports a play through on_play to the harness's
// listener; a stream name with shell metacharacters is only a name.
func TestWaitPlaySeesAPlayerOfAnyName(t *testing.T) {
	n := startNginx(t)
	dir := t.TempDir() // where a stream name run through a shell would leave a file
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := rtmpconn.Dial(ctx, n.Addr(), rtmpconn.Options{ReadTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	name := "x;touch " + filepath.Join(dir, "pwned")
	steps := []func() error{
		func() error {
			return c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "connect", 1, map[string]any{"app": "live", "tcUrl": n.URL("live", "")})
		},
		func() error { return c.WriteCommand(ctx, rtmpconn.CSIDCommand, 0, "createStream", 2, nil) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
		for {
			m, err := c.Read()
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if m.Command != nil && m.Command.Name == "_result" && m.Command.TransactionID == int64(i+1) {
				break
			}
		}
	}
	if err := c.WriteCommand(ctx, rtmpconn.CSIDData, 1, "play", 0, nil, name); err != nil {
		t.Fatal(err)
	}
	if err := n.WaitPlay(ctx, "live", name); err != nil {
		t.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancelShort()
	if err := n.WaitPlay(short, "live", "nobody"); err == nil {
		t.Fatal("WaitPlay saw a play nobody made")
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Fatal("the stream name ran as a shell command")
	}
}

// startNginx starts an nginx-rtmp of the test's own, stopped at its end; the test is skipped
// where nginx is missing, unless STREAMFAULT_REQUIRE_TOOLS=1.
func startNginx(t *testing.T) *Nginx {
	t.Helper()
	if err := Available(Config{}); err != nil {
		if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	// A folder whose name nginx's configuration would otherwise split or end early.
	dir := filepath.Join(t.TempDir(), `odd dir; "quoted" {braced} \`)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n, err := Start(context.Background(), Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop() })
	return n
}

func TestConfigurationValuesAreQuotedOrRefused(t *testing.T) {
	if q, err := confString(`/a b/c;"d"\`); err != nil || q != `"/a b/c;\"d\"\\"` {
		t.Fatalf("quoted %s, %v", q, err)
	}
	for _, bad := range []string{"/a\nload_module /evil.so", "/a$b", "/a\x00"} {
		if _, err := confString(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
