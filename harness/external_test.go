package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	toxiclient "github.com/Shopify/toxiproxy/v2/client"
)

// startToxiproxyServer builds the real toxiproxy-server at the version pinned in go.mod (or
// uses $TOXIPROXY_SERVER), starts it on a loopback port and stops it, by PID, at cleanup.
func startToxiproxyServer(t *testing.T) string {
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
			_ = cmd.Process.Kill()
			<-exited
		})
		return url
	}
	t.Fatal("toxiproxy-server did not come up in 3 attempts")
	return ""
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

func noProxiesLeft(t *testing.T, url, after string) {
	t.Helper()
	proxies, err := toxiclient.NewClient(url).Proxies()
	if err != nil {
		t.Fatal(err)
	}
	if len(proxies) != 0 {
		var names []string
		for n := range proxies {
			names = append(names, n)
		}
		t.Fatalf("after %s, proxies left in toxiproxy-server: %s", after, strings.Join(names, ", "))
	}
}

func TestExternalToxiproxyServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts toxiproxy-server")
	}
	url := startToxiproxyServer(t)
	opts := Options{ToxiproxyURL: url}

	// A passing scenario with a drop, and one with a stall and a true reset.
	res, err := Run(context.Background(), parse(t, quick), opts)
	if err != nil || !res.Passed() {
		t.Fatalf("drop scenario through toxiproxy-server: %v %v", err, res.Problems())
	}
	noProxiesLeft(t, url, "a passing scenario")

	stallReset := strings.Replace(quick, "faults: [{at: 1500ms, drop: {route: wifi}}]",
		"faults: [{at: 500ms, for: 500ms, stall: {route: wifi}}, {at: 1500ms, reset: {route: wifi}}]", 1)
	res, err = Run(context.Background(), parse(t, stallReset), opts)
	if err != nil || !res.Passed() {
		t.Fatalf("stall+reset scenario through toxiproxy-server: %v %v", err, res.Problems())
	}
	noProxiesLeft(t, url, "a stall and reset scenario")

	// The URL may also come from the scenario itself.
	fromYAML := parse(t, quick+"toxiproxy: {url: '"+url+"'}\n")
	res, err = Run(context.Background(), fromYAML, Options{ToxiproxyURL: "http://127.0.0.1:1"})
	if err != nil || !res.Passed() {
		t.Fatalf("scenario naming toxiproxy-server: %v %v", err, res.Problems())
	}
	noProxiesLeft(t, url, "a scenario naming the server in YAML")

	// A failing scenario (a mutant with no expectFailures) cleans up too.
	mutant := strings.Replace(quick, "reconnect: {}}", "reconnect: {}, mutant: resume-from-start}", 1)
	res, err = Run(context.Background(), parse(t, mutant), opts)
	if err != nil || res.Passed() {
		t.Fatalf("the mutant should fail its checker: %v", err)
	}
	noProxiesLeft(t, url, "a failing scenario")

	// And a run cancelled in the middle of a fault.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(1700 * time.Millisecond); cancel() }()
	if _, err := Run(ctx, parse(t, stallReset), opts); err != nil {
		t.Fatalf("a cancelled run is a failed run, not a harness error: %v", err)
	}
	noProxiesLeft(t, url, "a cancelled scenario")
}
