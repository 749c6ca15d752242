// Package conformance puts the reference server beside nginx-rtmp in front of real clients —
// ffprobe, ffmpeg and rtmpdump from Debian — and measures what each client gets: the same
// table of operations against each subject, so that a difference between the two is seen,
// not guessed. `streamfault conformance` prints the matrix; its test asserts the reference
// server's column.
package conformance

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
	"github.com/streamfault/streamfault/internal/nginx"
	"github.com/streamfault/streamfault/internal/rtmpconn"
	"github.com/streamfault/streamfault/internal/seen"
)

// VOD is the stream every subject serves: 6 s of the synthetic H.264 + PCM media (150 frames
// of each), from the reference server's catalogue or, for nginx, from an FLV of the same frames.
var VOD = media.Spec{Name: "s", Duration: 6 * time.Second, FPS: 25, KeyframeInterval: time.Second}

// Names of the subjects in the matrix.
const (
	ReferenceName = "reference"
	NginxName     = "nginx-rtmp"
)

// Subject is a server under test.
type Subject interface {
	// Name names the subject in the matrix.
	Name() string
	// URL is the rtmp:// address of a stream of an application (vod or live).
	URL(app, stream string) string
	// WaitPlay waits until a player plays a stream of the live application.
	WaitPlay(ctx context.Context, stream string) error
	// PID is the server's process (the reference server runs in this one).
	PID() int
	// Close stops the server.
	Close() error
}

// reference is the reference server with the vod and live applications.
type reference struct {
	s     *fakeserver.Server
	plays *seen.Set
}

// maxPlays bounds the stream names a subject remembers as played.
const maxPlays = 4096

// StartReference starts the reference server on loopback, its sockets read and written as
// streamfault serve does (raw system calls), so that real clients try that path too.
func StartReference() (Subject, error) {
	plays := seen.New(maxPlays)
	s, err := fakeserver.New(fakeserver.Config{App: "vod", Apps: []string{"live"}, Streams: []media.Spec{VOD},
		Conn: rtmpconn.Options{RawSyscalls: true},
		OnEvent: func(e fakeserver.Event) {
			if e.Kind == fakeserver.EventPlay {
				plays.Add(e.Stream)
			}
		}})
	if err != nil {
		return nil, err
	}
	if err := s.Start(); err != nil {
		return nil, err
	}
	return reference{s: s, plays: plays}, nil
}

func (r reference) Name() string                  { return ReferenceName }
func (r reference) URL(app, stream string) string { return r.s.URLFor(app, stream) }
func (r reference) Close() error                  { return r.s.Shutdown() }
func (r reference) PID() int                      { return os.Getpid() }
func (r reference) WaitPlay(ctx context.Context, stream string) error {
	return r.plays.Wait(ctx, stream)
}

// nginxSubject is nginx-rtmp playing an FLV of VOD.
type nginxSubject struct{ n *nginx.Nginx }

// StartNginx starts nginx-rtmp (cfg gives the binary and module; zero: Debian's) in a
// directory of its own with VOD written as vod/s.flv.
func StartNginx(ctx context.Context, cfg nginx.Config) (Subject, error) {
	n, err := nginx.StartCatalogue(ctx, cfg, []nginx.Title{{Name: VOD.Name, Spec: VOD}})
	if err != nil {
		return nil, fmt.Errorf("conformance: %w", err)
	}
	return nginxSubject{n: n}, nil
}

func (n nginxSubject) Name() string                  { return NginxName }
func (n nginxSubject) URL(app, stream string) string { return n.n.URL(app, stream) }
func (n nginxSubject) PID() int                      { return n.n.Process().PID() }
func (n nginxSubject) WaitPlay(ctx context.Context, stream string) error {
	return n.n.WaitPlay(ctx, "live", stream)
}
func (n nginxSubject) Close() error { return n.n.Stop() }
