package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
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

// serveCmd runs the reference server alone until ctx ends, printing the rtmp:// URL of each
// stream so a person can point ffplay at it.
func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen `ADDRESS` (loopback, ephemeral port by default)")
	fps := fs.Int("fps", 25, "frame rate")
	gop := fs.Duration("keyframe-interval", time.Second, "time between keyframes")
	var streams streamFlags
	fs.Var(&streams, "stream", "a VOD stream `NAME:DURATION` (repeatable; default myStream:60s)")
	if _, err := parseInterleaved(fs, args); err != nil {
		return 2
	}
	if len(streams) == 0 {
		streams = streamFlags{{Name: "myStream", Duration: time.Minute}}
	}
	for i := range streams {
		streams[i].FPS, streams[i].KeyframeInterval = *fps, *gop
	}
	srv, err := fakeserver.New(fakeserver.Config{Addr: *addr, Streams: streams,
		OnEvent: func(ev fakeserver.Event) {
			fmt.Fprintf(stdout, "%s %-10s %s %s %s\n", ev.Time.Format("15:04:05.000"), ev.Kind, ev.Session, ev.Stream, ev.Reason)
		}})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := srv.Start(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, s := range streams {
		fmt.Fprintf(stdout, "serving %s (%s, %d fps): ffplay %s\n", s.Name, s.Duration, s.FPS, srv.URL(s.Name))
	}
	<-ctx.Done()
	if err := srv.Shutdown(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
