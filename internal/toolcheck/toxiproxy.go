package toolcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// ToxiproxyServer builds the real toxiproxy-server at the version pinned in go.mod (or
// uses $TOXIPROXY_SERVER), starts it on a loopback port and stops it, by PID, at cleanup.
func ToxiproxyServer(t testing.TB) (string, *os.Process) {
	t.Helper()
	bin := os.Getenv("TOXIPROXY_SERVER")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "toxiproxy-server")
		build := exec.Command("go", "build", "-o", bin, "github.com/Shopify/toxiproxy/v2/cmd/server")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build toxiproxy-server: %v\n%s", err, out)
		}
	}
	for attempt := 0; attempt < 3; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		ln.Close() // the server takes the port over; retried if another process got it first
		cmd := exec.Command(bin, "-host", "127.0.0.1", "-port", port)
		if err := cmd.Start(); err != nil {
			t.Fatalf("start toxiproxy-server: %v", err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		url := "http://127.0.0.1:" + port
		if err := waitReady(url, exited); err != nil {
			_ = cmd.Process.Kill()
			<-exited
			t.Logf("toxiproxy-server on port %s: %v (retrying)", port, err)
			continue
		}
		t.Cleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGCONT) // in case a test froze it
			_ = cmd.Process.Kill()
			<-exited
		})
		return url, cmd.Process
	}
	t.Fatal("toxiproxy-server did not come up in 3 attempts")
	return "", nil
}

// waitReady polls the API's /version until it answers, the process exits, or 10 s pass.
func waitReady(url string, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/version", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("exited: %v", err)
		case <-ctx.Done():
			return errors.New("not ready within 10s")
		case <-tick.C:
		}
	}
}
