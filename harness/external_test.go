package harness

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	toxiclient "github.com/Shopify/toxiproxy/v2/client"

	"github.com/streamfault/streamfault/internal/toolcheck"
)

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
	url, _ := toolcheck.ToxiproxyServer(t)
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

	// The URL may also come from the scenario itself; the command line's (and the
	// environment's) wins over the file's.
	fromYAML := parse(t, quick+"toxiproxy: {url: '"+url+"'}\n")
	res, err = Run(context.Background(), fromYAML, Options{})
	if err != nil || !res.Passed() {
		t.Fatalf("scenario naming toxiproxy-server: %v %v", err, res.Problems())
	}
	noProxiesLeft(t, url, "a scenario naming the server in YAML")
	elsewhere := parse(t, quick+"toxiproxy: {url: 'http://127.0.0.1:1'}\n")
	if res, err = Run(context.Background(), elsewhere, opts); err != nil || !res.Passed() {
		t.Fatalf("the command line's URL must win over the file's: %v %v", err, res.Problems())
	}
	noProxiesLeft(t, url, "a command-line URL over the file's")

	// A host other than loopback needs the explicit opt-in; nothing is contacted without it.
	if _, err := Run(context.Background(), parse(t, quick), Options{ToxiproxyURL: "http://169.254.169.254:80"}); err == nil ||
		!strings.Contains(err.Error(), "not on loopback") {
		t.Fatalf("a non-loopback toxiproxy without --allow-remote: %v", err)
	}
	remote := parse(t, quick+"toxiproxy: {url: 'http://169.254.169.254:80'}\n")
	if _, err := Run(context.Background(), remote, Options{}); err == nil || !strings.Contains(err.Error(), "not on loopback") {
		t.Fatalf("a scenario naming a non-loopback toxiproxy: %v", err)
	}

	// A proxy left by a run that was SIGKILLed (its process is gone) is removed at the next
	// start; those of live processes are not touched.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	c := toxiclient.NewClient(url)
	if _, err := c.CreateProxy(fmt.Sprintf("sf-%d-killed-wifi-00000000", dead.Process.Pid), "127.0.0.1:0", "127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	if res, err = Run(context.Background(), parse(t, quick), opts); err != nil || !res.Passed() {
		t.Fatalf("a run after a killed one: %v %v", err, res.Problems())
	}
	noProxiesLeft(t, url, "a run after a SIGKILLed one")

	// A failing scenario (a mutant with no expectFailures) cleans up too.
	mutant := strings.Replace(quick, "reconnect: {}}", "reconnect: {}, mutant: resume-from-start}", 1)
	res, err = Run(context.Background(), parse(t, mutant), opts)
	if err != nil || res.Passed() {
		t.Fatalf("the mutant should fail its checker: %v", err)
	}
	noProxiesLeft(t, url, "a failing scenario")

	// And a run interrupted in the middle of a fault: not judged, and cleaned up.
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() { time.Sleep(1700 * time.Millisecond); cancel(errors.New("interrupted by SIGINT")) }()
	res, err = Run(ctx, parse(t, stallReset), opts)
	if err != nil || res.Interrupted != "interrupted by SIGINT" || len(res.Verdicts) != 0 || res.Passed() {
		t.Fatalf("an interrupted run: %v %+v", err, res)
	}
	noProxiesLeft(t, url, "an interrupted scenario")
}

// TestFrozenExternalToxiproxy: a toxiproxy-server that stops answering (SIGSTOP) cannot hold an
// interrupted run: its calls are bound to the run's context, and teardown to its own bound.
func TestFrozenExternalToxiproxy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts toxiproxy-server")
	}
	url, proc := toolcheck.ToxiproxyServer(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	src := strings.Replace(quick, "faults: [{at: 1500ms, drop: {route: wifi}}]", "faults: [{at: 1s, for: 2s, stall: {route: wifi}}]", 1)
	done := make(chan *Result, 1)
	go func() {
		res, err := Run(ctx, parse(t, src), Options{ToxiproxyURL: url})
		if err != nil && !strings.Contains(err.Error(), "teardown") { // a frozen server cannot be cleaned up
			t.Errorf("run: %v", err)
		}
		done <- res
	}()
	// Frozen once the lab's proxy is in place (the lab no longer needs the server), before the
	// stall fault due at 1 s asks it for its toxic.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if proxies, err := toxiclient.NewClient(url).Proxies(); err == nil && len(proxies) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lab's proxy never appeared in toxiproxy-server")
		}
	}
	if err := proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer proc.Signal(syscall.SIGCONT)
	time.Sleep(time.Second)
	at := time.Now()
	cancel(errors.New("interrupted by SIGINT"))
	select {
	case res := <-done:
		if took := time.Since(at); took > 2*teardownBudget {
			t.Fatalf("the interrupted run took %v to return", took)
		}
		if res != nil && res.Interrupted == "" {
			t.Fatalf("not marked interrupted: %+v", res)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("an interrupted run against a frozen toxiproxy-server did not return within 30 s")
	}
}

// teardownBudget is how long the lab's teardown may wait on a frozen Toxiproxy (its heal and
// its removal, each bounded).
const teardownBudget = 12 * time.Second
