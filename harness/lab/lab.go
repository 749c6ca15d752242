// Package lab builds the network a scenario runs in: Toxiproxy (embedded in-process, or an
// external toxiproxy-server by URL, driven the same way through its official client package),
// the reference server, and one proxy per named route. Close removes everything it created,
// on every path.
package lab

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	toxiclient "github.com/Shopify/toxiproxy/v2/client"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/clock"
	"github.com/streamfault/streamfault/internal/proc"
	"github.com/streamfault/streamfault/internal/tlsca"
)

// ResetToxic and ResetToxicUp name the reset_peer toxics (toxicity 0) that arm a route for
// reset faults, one per direction: Toxiproxy sets SO_LINGER 0 on a direction's link only when
// it is created while such a toxic is in that direction's chain.
const (
	ResetToxic   = "sf-reset-arm"
	ResetToxicUp = "sf-reset-arm-up"
)

// Options configures a lab.
type Options struct {
	// Name names the lab's proxies (with a random suffix, so parallel runs can share one
	// external toxiproxy-server); a scenario's name.
	Name string
	// Server is the server block: the catalogue and the subject.
	Server Server
	// Routes are the network paths to build, one proxy each.
	Routes []Route
	// ToxiproxyURL selects an external toxiproxy-server (e.g. http://127.0.0.1:8474);
	// empty embeds one in this process. It must be on loopback unless AllowRemote.
	ToxiproxyURL string
	// AllowRemote lets ToxiproxyURL name a host other than loopback (an explicit opt-in).
	AllowRemote bool
	// Clock paces the reference server.
	Clock clock.Clock
	// OnServerEvent receives the reference server's access log; it must be concurrency-safe.
	OnServerEvent func(server string, ev fakeserver.Event)
	// OnFrameDue is told when the reference server meant each paced video frame to leave
	// (optional; concurrency-safe).
	OnFrameDue func(fakeserver.FrameDue)
	// OnServerLine receives the output lines of a server program the lab runs (optional).
	OnServerLine func(server, stream, line string)
	// OnServerExit receives every exit of a server program the lab runs (optional).
	OnServerExit func(server string, e Exit)
	// Dir is the scenario file's folder ({dir} in a server command).
	Dir string
}

// Lab is a running lab.
type Lab struct {
	// Toxiproxy is the client every fault goes through.
	Toxiproxy *toxiclient.Client

	subjects  map[string]Subject // every server, by name
	ca        *tlsca.Authority   // the run's certificate authority, when the subject serves TLS
	terms     tlsca.Terms        // what the subject's TLS offers besides its certificate
	clientTLS *tls.Config        // what the clients connect with when the subject serves TLS
	kind      string             // the subject's kind (KindReference, a Subjects key)
	apps      [2]string          // the VOD and live applications
	routes    map[string]*Path
	embedded  *embedded
	clk       clock.Clock
	armed     map[string]bool
	http      *ctxTransport // every Toxiproxy request runs under its context
	// Removed lists the stale proxies of dead runs removed from an external
	// toxiproxy-server when the lab started.
	Removed []string
}

// teardownCall bounds each Toxiproxy call that removes a lab, whatever ended the run. It is
// above Toxiproxy's own waits (a bandwidth toxic removed from a link whose client has gone
// holds its data up to 5 s before giving up); once one call goes unanswered that long the
// server is taken for frozen and the rest of the teardown skips it.
const teardownCall = 12 * time.Second

// Start builds the lab opts describes. On error everything created so far is removed.
func Start(ctx context.Context, opts Options) (*Lab, error) {
	l := &Lab{subjects: map[string]Subject{}, routes: map[string]*Path{}, clk: clock.Or(opts.Clock), armed: map[string]bool{},
		http: &ctxTransport{ctx: ctx}}
	if err := l.build(ctx, opts); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	return l, nil
}

func (l *Lab) build(ctx context.Context, opts Options) error {
	if err := l.startToxiproxy(opts); err != nil {
		return err
	}
	if err := l.startServers(ctx, opts); err != nil {
		return err
	}
	suffix := randomSuffix()
	for _, r := range opts.Routes {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("lab: %w", err)
		}
		// Unique names let parallel runs share one external toxiproxy-server.
		name := proxyName(opts.Name, r.Name, suffix)
		srv, err := l.Subject(r.Server) // the loader names the first server when the route does not
		if err != nil {
			return fmt.Errorf("lab: route %q: %w", r.Name, err)
		}
		p, err := l.Toxiproxy.CreateProxy(name, "127.0.0.1:0", srv.Addr())
		if err != nil {
			return fmt.Errorf("lab: route %q: create proxy: %w", r.Name, err)
		}
		l.routes[r.Name] = &Path{Name: r.Name, Listen: p.Listen, Upstream: srv.Addr(), Server: r.Server, proxy: p}
	}
	return nil
}

// startToxiproxy reaches the external toxiproxy-server (removing the stale proxies of dead
// runs from one on loopback), or embeds one.
func (l *Lab) startToxiproxy(opts Options) error {
	var err error
	if opts.ToxiproxyURL == "" {
		e, err := startEmbedded()
		if err != nil {
			return err
		}
		l.embedded = e
		l.Toxiproxy, err = newToxiproxyClient(e.addr, l.http)
		return err
	}
	if !opts.AllowRemote && !URLOnLoopback(opts.ToxiproxyURL) {
		return fmt.Errorf("lab: toxiproxy %s is not on loopback; allow other hosts explicitly (--allow-remote, STREAMFAULT_ALLOW_REMOTE=1)", opts.ToxiproxyURL)
	}
	if l.Toxiproxy, err = newToxiproxyClient(opts.ToxiproxyURL, l.http); err != nil {
		return err
	}
	if _, err := l.Toxiproxy.Version(); err != nil {
		return fmt.Errorf("lab: external toxiproxy at %s: %w", opts.ToxiproxyURL, err)
	}
	if !URLOnLoopback(opts.ToxiproxyURL) {
		return nil
	}
	stale, err := staleProxies(l.Toxiproxy)
	if err != nil {
		return fmt.Errorf("lab: external toxiproxy at %s: list proxies: %w", opts.ToxiproxyURL, err)
	}
	for _, p := range stale {
		if err := p.Delete(); err != nil {
			return fmt.Errorf("lab: remove the stale proxy %s of a dead run: %w", p.Name, err)
		}
		l.Removed = append(l.Removed, p.Name)
	}
	return nil
}

// startServers launches the subject: one server per instance name.
func (l *Lab) startServers(ctx context.Context, opts Options) error {
	srv := opts.Server
	l.kind, l.apps = srv.Kind(), [2]string{srv.VODApp, srv.LiveApp}
	env := Env{Streams: srv.Streams, Clock: opts.Clock, Dir: opts.Dir, AllowRemote: opts.AllowRemote, OnEvent: opts.OnServerEvent,
		OnFrameDue: opts.OnFrameDue}
	if srv.ServesTLS() {
		ca, err := tlsca.New(time.Now())
		if err != nil {
			return fmt.Errorf("lab: server TLS: %w", err)
		}
		l.ca, env.CA, l.terms = ca, ca, srv.TLSTerms()
		if l.clientTLS, err = srv.clientTLS(ca, opts.Dir); err != nil {
			return fmt.Errorf("lab: server TLS: %w", err)
		}
	}
	for _, name := range srv.Names() {
		if opts.OnServerLine != nil { // bounded as a process client's output is
			env.OnLine = proc.LineBudget(proc.HistoryLines, proc.HistoryLineSize, func(stream, line string) { opts.OnServerLine(name, stream, line) })
		}
		if opts.OnServerExit != nil {
			env.OnExit = func(e Exit) { opts.OnServerExit(name, e) }
		}
		subj, err := srv.kind().Launch(ctx, env, name)
		if err != nil {
			return fmt.Errorf("lab: server %s (%s): %w", name, l.kind, err)
		}
		l.subjects[name] = subj
	}
	return nil
}

// bound makes the Toxiproxy calls that heal and remove the lab independent of the run's
// context (it may be over) and bounds each by teardownCall; the returned func puts the
// previous context back. An unanswered call stays remembered for the lab's life: a frozen
// server costs one bound, not one per call.
func (l *Lab) bound() func() {
	prev := l.http.swap(context.Background())
	l.http.bounded(teardownCall)
	return func() {
		l.http.bounded(0)
		l.http.swap(prev)
	}
}

// Armed tells whether the route carries the reset arm (see ResetToxic).
func (l *Lab) Armed(route string) bool { return l.armed[route] }

// Arm adds the inactive reset_peer toxic to a route (see ResetToxic), once; call it before
// any client connects.
func (l *Lab) Arm(name string) error {
	r, err := l.Route(name)
	if err != nil {
		return err
	}
	if l.armed[name] {
		return nil
	}
	if err := r.AddToxic(ResetToxic, "reset_peer", "downstream", 0, map[string]any{"timeout": 0}); err != nil {
		return fmt.Errorf("lab: route %q: arm for reset: %w", name, err)
	}
	if err := r.AddToxic(ResetToxicUp, "reset_peer", "upstream", 0, map[string]any{"timeout": 0}); err != nil {
		return fmt.Errorf("lab: route %q: arm for reset (upstream): %w", name, err)
	}
	l.armed[name] = true
	return nil
}

// Clock is the lab's time source.
func (l *Lab) Clock() clock.Clock { return l.clk }

// Route returns the named route.
func (l *Lab) Route(name string) (*Path, error) {
	r, ok := l.routes[name]
	if !ok {
		return nil, fmt.Errorf("lab: no route %q", name)
	}
	return r, nil
}

// Routes returns every route.
func (l *Lab) Routes() []*Path {
	out := make([]*Path, 0, len(l.routes))
	for _, r := range l.routes {
		out = append(out, r)
	}
	return out
}

// Subject returns the named server, whatever its kind.
func (l *Lab) Subject(name string) (Subject, error) {
	s, ok := l.subjects[name]
	if !ok {
		return nil, fmt.Errorf("lab: no server %q", name)
	}
	return s, nil
}

// Kind is the kind of the lab's servers (KindReference or a Subjects key).
func (l *Lab) Kind() string { return l.kind }

// ClientTLS is what a scripted client of the lab (and a wire tap, to the route) connects with
// when the subject serves RTMPS — TLS trusting the run's certificate authority alone, the one
// the scenario gives (tls.caFile), or, explicitly, none (tls.insecure) —, else nil (RTMP).
func (l *Lab) ClientTLS() *tls.Config {
	if l.clientTLS == nil {
		return nil
	}
	return l.clientTLS.Clone()
}

// CA is the run's certificate authority when the subject serves RTMPS, else nil.
func (l *Lab) CA() *tlsca.Authority { return l.ca }

// TLSTerms are what the subject's TLS offers besides its certificate: a wire tap in front of
// it offers the program the same.
func (l *Lab) TLSTerms() tlsca.Terms { return l.terms }

// App is the RTMP application scripted clients use: the live one for publishers and viewers.
func (l *Lab) App(live bool) string {
	if live {
		return l.apps[1]
	}
	return l.apps[0]
}

// Heal removes every toxic and leaves every route enabled, so that no fault outlives the
// scenario. It ends every live connection of the lab, and is meant for the end of a run.
//
// It avoids Toxiproxy v2.12.0's traps: bandwidth toxics are removed first, on live links
// (deleting or disabling a proxy stalled by a bandwidth-0 toxic leaks its link goroutines);
// a route with any other toxic is then deleted and made again on the same address, rather
// than having its toxics removed. Removing a toxic while links are terminating — and at the
// end of a run the clients have just closed theirs — can hang the API for good
// (Shopify/toxiproxy#412, #558): the removal waits, holding the collection's lock, for a toxic
// stuck sending into a link whose writer has gone, and that writer waits for the lock to
// unregister its link (TestFaultSlicer hung so in a full make test, with the toxics removed
// after or before disabling). Deleting a proxy takes no such lock.
func (l *Lab) Heal() error {
	defer l.bound()()
	var errs []error
	for _, r := range l.routes {
		others, err := l.dropBandwidth(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if others {
			if err := l.remake(r); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if err := r.reopen(); err != nil {
			errs = append(errs, fmt.Errorf("lab: route %q: %w", r.Name, err))
		}
	}
	return errors.Join(errs...)
}

// dropBandwidth removes a route's bandwidth toxics, on live links, and tells whether it
// carries other toxics than the reset arm.
func (l *Lab) dropBandwidth(r *Path) (others bool, err error) {
	toxics, err := r.Toxics()
	if err != nil {
		return false, fmt.Errorf("lab: route %q: %w", r.Name, err)
	}
	var bandwidth []string
	for _, t := range toxics {
		switch {
		case t.Type == "bandwidth":
			bandwidth = append(bandwidth, t.Name)
		case (t.Name == ResetToxic || t.Name == ResetToxicUp) && l.armed[r.Name]:
			// Keep the arm (toxicity 0, never changed): it must outlive faults for later resets.
		default:
			others = true
		}
	}
	if err := r.RemoveToxics(bandwidth); err != nil {
		return others, fmt.Errorf("lab: route %q: %w", r.Name, err)
	}
	return others, nil
}

// remake deletes a route's proxy and makes it again, enabled, without toxics, on the same
// address to the same upstream; the reset arm is put back when the route had it.
func (l *Lab) remake(r *Path) error {
	if err := r.remake(l.Toxiproxy); err != nil {
		return fmt.Errorf("lab: route %q: %w", r.Name, err)
	}
	if l.armed[r.Name] {
		l.armed[r.Name] = false
		return l.Arm(r.Name)
	}
	return nil
}

// Close deletes every proxy it created — after removing its bandwidth toxics on live links,
// as Heal does; every other toxic goes with its proxy (removing a toxic while links terminate
// can hang the API, see Heal) — then stops the servers and the embedded Toxiproxy. Safe on a
// partly built lab.
func (l *Lab) Close() error {
	var errs []error
	defer l.bound()()
	for _, r := range l.routes {
		if _, err := l.dropBandwidth(r); err != nil {
			errs = append(errs, err)
		}
		if err := r.remove(); err != nil {
			errs = append(errs, fmt.Errorf("lab: route %q: %w", r.Name, err))
		}
	}
	l.routes = map[string]*Path{}
	for name, s := range l.subjects {
		if err := s.Shutdown(); err != nil {
			errs = append(errs, fmt.Errorf("lab: server %s: %w", name, err))
		}
	}
	l.subjects = map[string]Subject{}
	if l.embedded != nil {
		errs = append(errs, l.embedded.close())
		l.embedded = nil
	}
	return errors.Join(errs...)
}

// embedded is a Toxiproxy API server inside this process, served from our own listener:
// toxiproxy's ApiServer.Listen cannot report a port-0 address and races with Shutdown.
type embedded struct {
	api  *toxiproxy.ApiServer
	http *http.Server
	addr string
	done chan struct{}
}

var quietZerolog sync.Once

func startEmbedded() (*embedded, error) {
	// The bandwidth toxic logs through zerolog's global logger whatever logger the server
	// is given; silence it for the process.
	quietZerolog.Do(func() { zerolog.SetGlobalLevel(zerolog.Disabled) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lab: embedded toxiproxy: listen: %w", err)
	}
	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	e := &embedded{
		api:  api,
		http: &http.Server{Handler: api.Routes(), ReadHeaderTimeout: 5 * time.Second},
		addr: ln.Addr().String(),
		done: make(chan struct{}),
	}
	go func() {
		defer close(e.done)
		_ = e.http.Serve(ln)
	}()
	return e, nil
}

func (e *embedded) close() error {
	e.api.Collection.Clear()
	err := e.http.Close()
	<-e.done
	if err != nil {
		return fmt.Errorf("lab: embedded toxiproxy: %w", err)
	}
	return nil
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
