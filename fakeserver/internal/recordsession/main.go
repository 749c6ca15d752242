// Command recordsession records what a real RTMP client sends to the reference server, after
// the handshake, as a seed for the server's fuzz target: it starts the reference server and a
// tapping TCP relay on loopback, runs the given command with {url} replaced by the relay's
// rtmp:// URL of the stream, and writes the client's bytes past C0+C1+C2 (3073 bytes) to
// -out in Go's fuzz corpus format.
//
//	go run ./fakeserver/internal/recordsession -out fakeserver/testdata/fuzz/FuzzServerSession/ffmpeg-play \
//	    -- ffmpeg -v error -i {url} -t 2 -f null -
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/streamfault/streamfault/fakeserver"
	"github.com/streamfault/streamfault/internal/media"
)

func main() {
	out := flag.String("out", "", "write the recorded bytes to `FILE` (Go fuzz corpus format)")
	stream := flag.String("stream", "s", "stream `NAME` in the URL")
	timeout := flag.Duration("timeout", 30*time.Second, "bound on the command")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: recordsession -out FILE -- command {url} ...")
		os.Exit(2)
	}
	if err := run(*out, *stream, *timeout, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "recordsession:", err)
		os.Exit(1)
	}
}

func run(out, stream string, timeout time.Duration, args []string) error {
	srv, err := fakeserver.New(fakeserver.Config{Streams: []media.Spec{{Name: stream, Duration: 10 * time.Second, FPS: 25, KeyframeInterval: time.Second}}})
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Shutdown()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	var mu sync.Mutex
	var rec []byte
	var wg sync.WaitGroup
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", srv.Addr())
		if err != nil {
			c.Close()
			return
		}
		wg.Add(2)
		go func() { defer wg.Done(); _, _ = io.Copy(c, up); c.Close() }()
		go func() {
			defer wg.Done()
			buf := make([]byte, 32<<10)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					mu.Lock()
					rec = append(rec, buf[:n]...)
					mu.Unlock()
					if _, werr := up.Write(buf[:n]); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			up.Close()
		}()
	}()
	url := "rtmp://" + ln.Addr().String() + "/vod/" + stream
	for i := range args {
		args[i] = strings.ReplaceAll(args[i], "{url}", url)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmdErr := cmd.Run()
	ln.Close()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	const handshake = 1 + 1536 + 1536
	if len(rec) <= handshake {
		return fmt.Errorf("the client sent %d bytes, nothing past the handshake (command: %v)", len(rec), cmdErr)
	}
	body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(rec[handshake:])) + ")\n"
	if err := os.WriteFile(out, []byte(body), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "recorded %d bytes after the handshake into %s (command: %v)\n", len(rec)-handshake, out, cmdErr)
	return nil
}
