package lab

import (
	"context"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/nginx"
	"github.com/streamfault/streamfault/internal/proc"
	"github.com/streamfault/streamfault/internal/spec"
)

// serveEnv makes the test binary a server program: the reference server on the address it
// names, until SIGTERM. The process-subject tests run it as "their" server.
const serveEnv = "STREAMFAULT_LAB_TEST_SERVE"

func TestMain(m *testing.M) {
	if addr := os.Getenv(serveEnv); addr != "" {
		srv, err := fakeserver.New(fakeserver.Config{Addr: addr, Streams: []media.Spec{{Name: "s", Duration: 2 * time.Second, FPS: 25, KeyframeInterval: time.Second}}})
		if err == nil {
			err = srv.Start()
		}
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(3)
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		_ = srv.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// handshakes tells whether an RTMP server answers C0+C1 through addr.
func handshakes(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	hello := make([]byte, 1537)
	hello[0] = 3
	if _, err := c.Write(hello); err != nil {
		return false
	}
	_, err = io.ReadFull(c, make([]byte, 1537))
	return err == nil
}

func subjectOptions(srv Server) Options {
	srv.Streams = []Stream{{Name: "s", Duration: spec.Duration(2 * time.Second)}}
	srv.Default()
	r := Route{Name: "wifi"}
	r.Default(srv)
	return Options{Name: "subject", Server: srv, Routes: []Route{r}}
}

// A server program is started on a port the lab picked, reached through the route, killed by
// its PID, started again on the same address, and stopped at Close.
func TestProcessSubjectKillAndStart(t *testing.T) {
	opts := subjectOptions(Server{Subject: &ServerProcess{Command: []string{os.Args[0]}, Env: map[string]string{serveEnv: "{addr}"}}})
	l, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			l.Close()
		}
	}()
	if l.Kind() != KindProcess || l.App(true) != "live" || l.App(false) != "vod" {
		t.Fatalf("kind %s, apps %s/%s", l.Kind(), l.App(false), l.App(true))
	}
	r, _ := l.Route("wifi")
	if !handshakes(r.Listen) {
		t.Fatal("no handshake through the route")
	}
	srv, err := l.Subject(ServerName)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.(MediaStaller); ok {
		t.Fatal("a server program cannot stall its media, yet its subject says it can")
	}
	ctl := srv.(Controller)
	pid := srv.(*processSubject).p.PID()
	if err := ctl.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Fatalf("pid %d still exists after Kill", pid)
	}
	if handshakes(r.Listen) {
		t.Fatal("a killed server still answers")
	}
	if err := ctl.Start(); err != nil {
		t.Fatal(err)
	}
	if !handshakes(r.Listen) {
		t.Fatal("no handshake after Start")
	}
	pid = srv.(*processSubject).p.PID()
	closed = true
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Fatalf("pid %d still exists after Close", pid)
	}
}

// An external server is only reached: on loopback it is accepted, elsewhere refused without
// the opt-in, and faults cannot stop it.
func TestExternalSubject(t *testing.T) {
	ref, err := fakeserver.New(fakeserver.Config{Streams: []media.Spec{{Name: "s", Duration: time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ref.Start(); err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	l, err := Start(context.Background(), subjectOptions(Server{Subject: &External{Address: ref.Addr()}}))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := l.Route("wifi")
	if !handshakes(r.Listen) {
		t.Fatal("no handshake through the route to the external server")
	}
	srv, _ := l.Subject(ServerName)
	if _, ok := srv.(Controller); ok {
		t.Fatal("an external server is not the harness's to kill, yet its subject is a Controller")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if !handshakes(ref.Addr()) {
		t.Fatal("closing the lab stopped the external server")
	}
	if _, err := Start(context.Background(), subjectOptions(Server{Subject: &External{Address: "192.0.2.1:1935"}})); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("a remote external server without the opt-in: %v", err)
	}
	free, _ := proc.FreeLoopbackAddr()
	if _, err := Start(context.Background(), subjectOptions(Server{Subject: &External{Address: free}})); err == nil || !strings.Contains(err.Error(), "nothing is listening at "+free) {
		t.Fatalf("an external address where nothing listens: %v", err)
	}
}

// nginx-rtmp as the subject: it serves the catalogue, is killed and started again on its port.
func TestNginxSubject(t *testing.T) {
	if err := nginx.Available(nginx.Config{}); err != nil {
		if os.Getenv("STREAMFAULT_REQUIRE_TOOLS") == "1" {
			t.Fatalf("nginx-rtmp is required (STREAMFAULT_REQUIRE_TOOLS=1): %v", err)
		}
		t.Skipf("nginx-rtmp is missing (make deps installs it): %v", err)
	}
	l, err := Start(context.Background(), subjectOptions(Server{Subject: &Nginx{}}))
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := l.Subject(ServerName)
	ns := srv.(*nginxSubject)
	if _, err := os.Stat(ns.n.VODDir() + "/s.flv"); err != nil {
		t.Fatalf("the catalogue was not written: %v", err)
	}
	r, _ := l.Route("wifi")
	if !handshakes(r.Listen) {
		t.Fatal("no handshake through the route to nginx")
	}
	if err := srv.(Controller).Restart(); err != nil {
		t.Fatal(err)
	}
	if !handshakes(r.Listen) {
		t.Fatal("no handshake after a restart")
	}
	dir := ns.n.VODDir() + "/.."
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("nginx's directory %s is left behind", dir)
	}
}

func TestServerAs(t *testing.T) {
	ref := Server{Reference: Reference{IdlePublisherTimeout: spec.Duration(2 * time.Second), PingInterval: spec.Duration(time.Second)}}
	ref.Default()
	ng, err := ref.As(KindNginx)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := ng.Subject.(*Nginx)
	if ng.Kind() != KindNginx || n == nil || n.DropIdlePublisher != ref.IdlePublisherTimeout || n.Ping != ref.PingInterval || ng.LiveApp != "live" || ng.IdlePublisherTimeout != 0 {
		t.Fatalf("as nginx: %+v %+v", ng, n)
	}
	back, err := ng.As(KindReference)
	if err != nil {
		t.Fatal(err)
	}
	if back.Kind() != KindReference || back.IdlePublisherTimeout != ref.IdlePublisherTimeout || back.LiveApp != "vod" {
		t.Fatalf("back: %+v", back)
	}
	ext, err := (Server{Subject: &External{Address: "127.0.0.1:1"}}).As(KindNginx)
	if err != nil || ext.Kind() != KindNginx || ext.Subject.(*Nginx).Ping != 0 {
		t.Fatalf("external to nginx: %+v, %v (nothing to carry over)", ext, err)
	}
	if _, err := (Server{Reference: Reference{Instances: []string{"a", "b"}}}).As(KindProcess); err == nil || !strings.Contains(err.Error(), "2 server instances") {
		t.Fatalf("two reference instances swapped to one server program: %v", err)
	}
	if k, err := ParseSubject(`{process: {command: [my-server, "{port}"]}}`); err != nil || kindKey(k) != KindProcess {
		t.Fatalf("ParseSubject process: %v %v", k, err)
	}
	if _, err := ParseSubject(`{process: {command: [my-server]}}`); err == nil || !strings.Contains(err.Error(), "names no {port}") {
		t.Fatalf("ParseSubject of a process without its port: %v", err)
	}
	if k, err := ParseSubject("nginx"); err != nil || kindKey(k) != KindNginx {
		t.Fatalf("ParseSubject nginx: %v %v", k, err)
	}
	if _, err := ParseSubject("{nginx: {}, streams: [{name: s, duration: 1s}]}"); err == nil {
		t.Fatal("ParseSubject took a catalogue")
	}
}

func TestExternalAddressForms(t *testing.T) {
	for in, want := range map[string]string{"127.0.0.1:1935": "127.0.0.1:1935", "rtmp://127.0.0.1:19350/live": "127.0.0.1:19350",
		"rtmp://localhost/app": "localhost:1935", "rtmp://[::1]:1936": "[::1]:1936"} {
		if got, err := (&External{Address: in}).HostPort(); err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"nope", "rtmp://", "http://x:1"} {
		if _, err := (&External{Address: bad}).HostPort(); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
