package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/harness/lab"
	"github.com/streamfault/streamfault/internal/coregov"
	"github.com/streamfault/streamfault/internal/lagprobe"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/rtmpconn"
)

// streamFlags collects repeated --stream NAME:DURATION flags.
type streamFlags []media.Spec

func (s *streamFlags) String() string { return fmt.Sprint(len(*s)) }

func (s *streamFlags) Set(v string) error {
	name, dur, ok := strings.Cut(v, ":")
	d, err := time.ParseDuration(dur)
	if !ok || err != nil || d <= 0 {
		return fmt.Errorf("want NAME:DURATION such as myStream:60s, got %q", v)
	}
	*s = append(*s, media.Spec{Name: name, Duration: d})
	return nil
}

// listFlags collects a repeated string flag.
type listFlags []string

func (l *listFlags) String() string { return strings.Join(*l, ",") }

func (l *listFlags) Set(v string) error {
	if v == "" || strings.ContainsAny(v, "/ ?") {
		return fmt.Errorf("%q is not a name", v)
	}
	*l = append(*l, v)
	return nil
}

// serveCmd runs the reference server alone until ctx ends, printing the rtmp:// URL of each
// stream so a person can point ffplay (or ffmpeg, to publish) at it.
func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen `ADDRESS` (loopback, ephemeral port by default)")
	allowRemote := fs.Bool("allow-remote", false, "allow an --addr other than loopback (the server then answers any host that reaches it)")
	fps := fs.Int("fps", 25, "frame rate")
	gop := fs.Duration("keyframe-interval", time.Second, "time between keyframes")
	var streams streamFlags
	fs.Var(&streams, "stream", "a VOD stream `NAME:DURATION` (repeatable; default myStream:60s)")
	var apps, lives listFlags
	fs.Var(&apps, "app", "an application `NAME` clients may connect to (repeatable; default vod); VOD streams and live names are served in every one")
	fs.Var(&lives, "live", "print the publish and play URLs of a live `NAME` (repeatable); any name can be published")
	var quirks listFlags
	ahead := fs.Duration("max-send-ahead", 0, "send on-demand streams at most `DURATION` ahead of real time (default: the client's buffer length)")
	fs.Var(&quirks, "quirk", "behave like some servers in the wild: `QUIRK` (repeatable; "+strings.Join(fakeserver.Quirks, ", ")+")")
	useTLS := fs.Bool("tls", false, "serve RTMPS (TLS) instead of RTMP: a certificate for loopback names signed by a CA made for this run, unless --tls-cert and --tls-key give one")
	certFile := fs.String("tls-cert", "", "with --tls: the server certificate `FILE` (PEM)")
	keyFile := fs.String("tls-key", "", "with --tls: the server key `FILE` (PEM)")
	plainToo := fs.Bool("plain-too", false, "with --tls: serve plain RTMP on the same address as well (a connection opening with a TLS handshake is RTMPS, any other RTMP)")
	caOut := fs.String("tls-ca-out", "", "with --tls and no --tls-cert: write the run's CA certificate to `FILE` for clients to trust (default: a file in the temporary folder, printed)")
	cores := fs.String("cores", "auto", "`CORES` the server runs on: a number, or auto (one core while it uses less than half of one, every core once it needs more: a Go server idle between packets spends a quarter of its CPU waking spare threads; a GOMAXPROCS in the environment is kept)")
	if _, err := parseInterleaved(fs, args); err != nil {
		return 2
	}
	tlsCfg, caPath, tlsDone, err := serveTLS(*useTLS, *certFile, *keyFile, *caOut)
	if err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 2
	}
	defer tlsDone()
	if *plainToo && tlsCfg == nil {
		fmt.Fprintln(stderr, "serve: --plain-too needs --tls")
		return 2
	}
	if err := checkServeAddr(*addr, *allowRemote); err != nil {
		fmt.Fprintf(stderr, "serve: %v\n", err)
		return 2
	}
	stopCores, err := serveCores(ctx, *cores, os.Getenv, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "serve: --cores: %v\n", err)
		return 2
	}
	defer stopCores()
	if len(streams) == 0 {
		streams = streamFlags{{Name: "myStream", Duration: time.Minute}}
	}
	if len(apps) == 0 {
		apps = listFlags{"vod"}
	}
	for i := range streams {
		streams[i].FPS, streams[i].KeyframeInterval = *fps, *gop
	}
	srv, err := fakeserver.New(fakeserver.Config{Addr: *addr, App: apps[0], Apps: apps[1:], Streams: streams, Quirks: quirks, MaxSendAhead: *ahead, TLS: tlsCfg, PlainToo: *plainToo,
		Conn: rtmpconn.Options{RawSyscalls: true}, // a process of its own, idle between packets
		OnEvent: func(ev fakeserver.Event) {
			fmt.Fprintf(stdout, "%s %-10s %s %s %s\n", ev.Time.Format("15:04:05.000"), ev.Kind, ev.Session, printable(ev.Stream), printable(ev.Reason))
		}})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := srv.Start(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	printURLs(stdout, srv.Addr(), apps[0], streams, lives, tlsCfg != nil, caPath)
	if *plainToo {
		fmt.Fprintf(stdout, "plain RTMP on the same address as well: rtmp://%s/%s/NAME\n", srv.Addr(), apps[0])
	}
	<-ctx.Done()
	if err := srv.Shutdown(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// checkServeAddr refuses an --addr that is not host:port, or not loopback unless the user
// allows remote clients.
func checkServeAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if !lab.Loopback(host) && !allowRemote {
		return fmt.Errorf("--addr %s is not a loopback address: other hosts could connect; pass --allow-remote to mean it", addr)
	}
	return nil
}

// serveCores applies --cores: a count sets GOMAXPROCS; auto leaves the count to coregov
// until stop (which waits for it to give the count back), unless the user set GOMAXPROCS
// (which then stays as given). The governor says each change on stderr.
func serveCores(ctx context.Context, v string, getenv func(string) string, stderr io.Writer) (stop func(), err error) {
	if v == "auto" {
		if getenv("GOMAXPROCS") != "" {
			return func() {}, nil
		}
		ctx, cancel := context.WithCancel(ctx)
		ended := make(chan struct{})
		go func() {
			defer close(ended)
			coregov.Run(ctx, coregov.Policy{}, processCPU, func(line string) { fmt.Fprintln(stderr, "serve: "+line) })
		}()
		return func() { cancel(); <-ended }, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1024 {
		return nil, fmt.Errorf("want auto or a number of cores from 1 to 1024, got %q", v)
	}
	runtime.GOMAXPROCS(n)
	return func() {}, nil
}

// processCPU is this process's CPU time, user and system.
func processCPU() (time.Duration, bool) {
	user, sys, ok := lagprobe.CPUTime()
	return user + sys, ok
}

// printURLs prints where each stream is served and each live name published and played: rtmp://
// URLs, or rtmps:// with the options that make ffmpeg trust the run's CA (caPath, when serve
// made one).
func printURLs(stdout io.Writer, base, app string, streams streamFlags, lives listFlags, secure bool, caPath string) {
	if h, port, err := net.SplitHostPort(base); err == nil {
		if ip := net.ParseIP(h); ip != nil && ip.IsUnspecified() {
			fmt.Fprintf(stdout, "listening on every interface, port %s (--allow-remote); the URLs below use loopback\n", port)
			base = net.JoinHostPort("127.0.0.1", port)
		}
	}
	scheme, trust := "rtmp", ""
	if secure {
		scheme = "rtmps"
		if caPath != "" {
			fmt.Fprintf(stdout, "RTMPS: the run's CA certificate is %s (ffmpeg and ffplay: -tls_verify 1 -ca_file %s)\n", caPath, caPath)
			trust = "-tls_verify 1 -ca_file " + caPath + " "
		}
	}
	for _, s := range streams {
		fmt.Fprintf(stdout, "serving %s (%s, %d fps): ffplay %s%s://%s/%s/%s\n", s.Name, s.Duration, s.FPS, trust, scheme, base, app, s.Name)
	}
	for _, name := range lives {
		fmt.Fprintf(stdout, "live %s: publish ffmpeg -re -i IN.flv -c copy %s-f flv %s://%s/%s/%s ; play ffplay %s%s://%s/%s/%s\n",
			name, trust, scheme, base, app, name, trust, scheme, base, app, name)
	}
}

// maxLogged bounds a peer's string in serve's log.
const maxLogged = 256

// printable is a string a peer chose (a stream name, a reason quoting it), as a terminal may
// show it: as it is when every character is printable, else quoted with Go escapes, so a
// newline cannot forge a log line nor an escape sequence reach the terminal; cut at maxLogged.
func printable(s string) string {
	if len(s) > maxLogged {
		s = s[:maxLogged] + "…"
	}
	if utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return s
	}
	return strconv.Quote(s)
}
