package lab

import (
	"context"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamfault/streamfault/internal/leakcheck"
	"github.com/streamfault/streamfault/internal/spec"
)

// testOptions is a lab of one 2 s stream behind two routes.
func testOptions() Options {
	srv := Server{Streams: []Stream{{Name: "s", Duration: spec.Duration(2 * time.Second)}}}
	srv.Default()
	routes := []Route{{Name: "wifi"}, {Name: "lte"}}
	for i := range routes {
		routes[i].Default(srv)
	}
	return Options{Name: "lab", Server: srv, Routes: routes}
}

func TestRoutesForwardAndCloseRemovesEverything(t *testing.T) {
	current := goleak.IgnoreCurrent()
	defer func() {
		if err := leakcheck.Find(10*time.Second, current); err != nil {
			t.Errorf("goroutines left behind: %v", err)
		}
	}()
	l, err := Start(context.Background(), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Routes()) != 2 {
		t.Fatalf("routes: %d", len(l.Routes()))
	}
	wifi, err := l.Route("wifi")
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ := net.SplitHostPort(wifi.Listen)
	if host != "127.0.0.1" {
		t.Fatalf("proxy listens on %s, want loopback", wifi.Listen)
	}
	// A byte through the proxy reaches the server (the RTMP handshake answers C0+C1).
	c, err := net.DialTimeout("tcp", wifi.Listen, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(2 * time.Second))
	hello := make([]byte, 1537)
	hello[0] = 3
	if _, err := c.Write(hello); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, 1537)); err != nil {
		t.Fatalf("no handshake answer through the route: %v", err)
	}
	c.Close()
	if _, err := l.Route("nope"); err == nil {
		t.Fatal("unknown route must be an error")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.DialTimeout("tcp", wifi.Listen, 200*time.Millisecond); err == nil {
		t.Fatal("the route still listens after Close")
	}
}

func TestHealReEnablesDisabledRoute(t *testing.T) {
	l := startLab(t)
	r, _ := l.Route("lte")
	if err := r.Disable(); err != nil {
		t.Fatal(err)
	}
	if !refuses(r) {
		t.Fatal("a disabled route must refuse connections")
	}
	if err := l.Heal(); err != nil {
		t.Fatal(err)
	}
	if refuses(r) {
		t.Fatal("route not healed")
	}
}

// BenchmarkLabSetupTeardown measures building and removing a lab: embedded Toxiproxy, the
// reference server and two routes.
func BenchmarkLabSetupTeardown(b *testing.B) {
	opts := testOptions()
	for b.Loop() {
		l, err := Start(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// A route with a toxic is healed by making its proxy again: on the same address, without the
// toxic, enabled, with the reset arm kept.
func TestHealRemakesARouteWithToxics(t *testing.T) {
	l, err := Start(context.Background(), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Arm("lte"); err != nil {
		t.Fatal(err)
	}
	r, _ := l.Route("lte")
	before := r.Listen
	if err := r.AddToxic("slow", "latency", "downstream", 1, map[string]any{"latency": 500}); err != nil {
		t.Fatal(err)
	}
	if err := l.Heal(); err != nil {
		t.Fatal(err)
	}
	r, _ = l.Route("lte")
	toxics, err := r.Toxics()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range toxics {
		names = append(names, x.Name)
	}
	slices.Sort(names)
	if r.Listen != before || !slices.Equal(names, []string{ResetToxic, ResetToxicUp}) || !l.Armed("lte") {
		t.Fatalf("healed route on %s (was %s), toxics %v, armed %v", r.Listen, before, names, l.Armed("lte"))
	}
	c, err := net.DialTimeout("tcp", r.Listen, time.Second)
	if err != nil {
		t.Fatalf("route not healed: %v", err)
	}
	c.Close()
}
