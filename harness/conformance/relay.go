package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/streamfault/streamfault/internal/proc"
)

// RelayResult is what one subject's relay cost: CPU time against bytes delivered.
type RelayResult struct {
	// Subject names the server.
	Subject string
	// Readers is how many rtmpdump --live readers played the publisher's stream.
	Readers int
	// CPU is the server's user+system time from the first reader's start to the publisher's end.
	CPU time.Duration
	// Bytes is what the readers wrote (FLV files of what they were sent).
	Bytes int64
	// Writes counts the server's write(2) and writev(2) calls over the span (/proc syscw;
	// send(2) and sendto(2), which nginx-rtmp uses, are not counted).
	Writes int64
}

// PerGB is the CPU seconds per GB delivered.
func (r RelayResult) PerGB() float64 {
	if r.Bytes == 0 {
		return 0
	}
	return r.CPU.Seconds() / (float64(r.Bytes) / 1e9)
}

// BenchClip makes the relay benchmark's clip in dir: 20 s of 640×360 H.264 at 25 fps (about
// 1.5 Mbit/s, a keyframe a second) with AAC.
func BenchClip(ctx context.Context, dir string) (string, error) {
	path := filepath.Join(dir, "bench.flv")
	return path, makeClip(ctx, path, "testsrc2=size=640x360:rate=25", 20*time.Second, "-b:v", "1500k", "-b:a", "96k")
}

// Relay publishes clip to the subject's live application with ffmpeg in real time and has
// readers rtmpdump --live readers play it from 1 s in; it measures the server's CPU time over
// that span and the bytes the readers wrote.
func Relay(ctx context.Context, s Subject, clip string, readers int, dir string) (RelayResult, error) {
	res := RelayResult{Subject: s.Name(), Readers: readers}
	// Every program started here ends before Relay returns, whatever happens.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	url := s.URL("live", "relay")
	pub := publish(ctx, clip, url)
	defer pub.stop()
	if err := pub.sentAtLeast(ctx, time.Second); err != nil {
		return res, err
	}
	c0, w0, err := usage(s.PID())
	if err != nil {
		return res, err
	}
	done := make(chan error, readers)
	started := 0
	wait := func() error { // every reader started has ended
		var first error
		for ; started > 0; started-- {
			if err := <-done; first == nil {
				first = err
			}
		}
		return first
	}
	defer func() { cancel(); _ = wait() }()
	for i := 0; i < readers; i++ {
		file := readerFile(dir, s, i)
		started++
		go func() {
			out, err := run(ctx, 60*time.Second, "rtmpdump", "-q", "-m", strconv.Itoa(readerTimeout), "--live", "-r", url, "-o", file)
			if err == nil && out.code != 0 && out.code != 2 { // 2: incomplete, as a live stream's end is
				why := firstOf(rtmpdumpTrouble(out.stderr))
				if why == "" {
					why = "no reason given (it runs quiet, -q)"
				}
				err = fmt.Errorf("rtmpdump exit %d: %s", out.code, why)
			}
			done <- err
		}()
	}
	if _, err := pub.wait(); err != nil {
		return res, err
	}
	c1, w1, err := usage(s.PID())
	if err != nil {
		return res, err
	}
	res.CPU, res.Writes = c1-c0, w1-w0
	// The readers end on the publisher's end (UnpublishNotify) or, against a server that does
	// not say so, after readerTimeout without data.
	if err := wait(); err != nil {
		return res, err
	}
	for i := 0; i < readers; i++ {
		if fi, err := os.Stat(readerFile(dir, s, i)); err == nil {
			res.Bytes += fi.Size()
		}
	}
	return res, nil
}

// readerTimeout is how many seconds a relay reader waits for the server (rtmpdump -m): for its
// answer to play, and for data before it gives up on a server that does not tell the
// stream's end. 3 s was too short for nginx-rtmp to answer play to 200 readers joining at
// once (its on_play notification for each; 2 failed runs of 2 with 200 readers per server,
// both servers at once), and the CPU is measured only until the publisher's end.
const readerTimeout = 10

func readerFile(dir string, s Subject, i int) string {
	return filepath.Join(dir, fmt.Sprintf("%s-reader-%d.flv", s.Name(), i))
}

// usage is a process's CPU time (user+system, proc.CPUTime) and its count of write system
// calls (/proc/PID/io syscw).
func usage(pid int) (cpu time.Duration, writes int64, err error) {
	if cpu, err = proc.CPUTime(pid); err != nil {
		return 0, 0, err
	}
	io, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("write count: %w", err)
	}
	for _, l := range strings.Split(string(io), "\n") {
		if v, ok := strings.CutPrefix(l, "syscw: "); ok {
			writes, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return cpu, writes, nil
}
