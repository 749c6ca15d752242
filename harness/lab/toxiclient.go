package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	toxiclient "github.com/Shopify/toxiproxy/v2/client"
)

// ctxTransport carries a context into every request of a Toxiproxy client: the client package
// builds its requests without one (and gives each 30 s), so a frozen toxiproxy-server would
// hold a run, and Ctrl-C, for minutes.
type ctxTransport struct {
	mu  sync.Mutex
	ctx context.Context
	// perCall, when set (teardown), bounds each request on its own; once one request goes
	// unanswered that long, the server is taken for frozen and the later ones of the same
	// teardown fail at once (unanswered).
	perCall    time.Duration
	unanswered error
}

// swap sets the context of later requests and returns the previous one.
func (t *ctxTransport) swap(ctx context.Context) context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	prev := t.ctx
	t.ctx = ctx
	return prev
}

// bounded makes every later request bounded by d on its own (0: no longer).
func (t *ctxTransport) bounded(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.perCall = d
}

// RoundTrip sends the request under the current context (and the per-call bound).
func (t *ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	ctx, perCall, unanswered := t.ctx, t.perCall, t.unanswered
	t.mu.Unlock()
	if unanswered != nil && perCall > 0 {
		return nil, unanswered
	}
	if perCall <= 0 {
		return http.DefaultTransport.RoundTrip(r.WithContext(ctx))
	}
	ctx, cancel := context.WithTimeout(ctx, perCall)
	resp, err := http.DefaultTransport.RoundTrip(r.WithContext(ctx))
	if err != nil {
		cancel()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.mu.Lock()
			t.unanswered = fmt.Errorf("toxiproxy did not answer within %v: skipped", perCall)
			t.mu.Unlock()
		}
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelBody releases a request's context once its body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// newToxiproxyClient is the official client for endpoint with its requests bound to the
// transport's context. The client keeps its *http.Client in an unexported field; it is
// replaced (for the pinned v2.12.0, checked by a test) with one that has this transport.
func newToxiproxyClient(endpoint string, tr *ctxTransport) (*toxiclient.Client, error) {
	c := toxiclient.NewClient(endpoint)
	f := reflect.ValueOf(c).Elem().FieldByName("http")
	if !f.IsValid() || f.Type() != reflect.TypeOf((*http.Client)(nil)) {
		return nil, fmt.Errorf("lab: the toxiproxy client has no http field to bind to a context (client version changed?)")
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(&http.Client{Transport: tr}))
	return c, nil
}

// Loopback tells whether host (a name or an address, no port) is a loopback address:
// 127.0.0.0/8, ::1 or localhost.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// URLOnLoopback tells whether an http(s) URL names a loopback host.
func URLOnLoopback(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && Loopback(u.Hostname())
}

// proxyPrefix starts the name of every proxy a lab creates: sf-<pid>-…, so that proxies of
// runs that died (SIGKILL) can be told from those of runs still going.
const proxyPrefix = "sf-"

func proxyName(scenario, route, suffix string) string {
	return fmt.Sprintf("%s%d-%s-%s-%s", proxyPrefix, os.Getpid(), scenario, route, suffix)
}

// staleProxies lists the proxies of an external toxiproxy-server (on this host) that a lab
// created in a process that no longer exists.
func staleProxies(c *toxiclient.Client) ([]*toxiclient.Proxy, error) {
	all, err := c.Proxies()
	if err != nil {
		return nil, err
	}
	var out []*toxiclient.Proxy
	for name, p := range all {
		rest, ok := strings.CutPrefix(name, proxyPrefix)
		if !ok {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
			out = append(out, p)
		}
	}
	return out, nil
}
