// Command memprobe measures what the declared-length pattern of issue 23 costs a peer that
// reads RTMP: N connections that set a chunk size of 2^31-1 and declare two 8 MiB messages
// each (about 60 bytes sent per connection), held open, then closed.
//
//	go run ./internal/tools/memprobe -serve ./streamfault   # the reference server (serve)
//	memprobe -url rtmp://host:port/app/s -parent            # as a process client: the harness
//
// With -serve it starts `streamfault serve` and reads the server's resident memory; with
// -parent (run by the harness as a process client, through its wire tap) it reads its
// parent's, the harness. It prints the resident set before, with the connections open and
// after they closed.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() {
	serve := flag.String("serve", "", "a streamfault binary: start `serve` and measure it")
	target := flag.String("url", "", "an rtmp:// URL to connect to")
	parent := flag.Bool("parent", false, "measure the parent process (the harness running this as a client)")
	conns := flag.Int("conns", 100, "connections")
	flag.Parse()
	if err := run(*serve, *target, *parent, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "memprobe:", err)
		os.Exit(1)
	}
}

func run(serve, target string, parent bool, n int) error {
	pid := os.Getppid()
	if serve != "" {
		cmd := exec.Command(serve, "serve", "--addr", "127.0.0.1:0")
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			return fmt.Errorf("serve said nothing: %w", err)
		}
		go func() { _, _ = io.Copy(io.Discard, out) }()
		target = line[strings.Index(line, "rtmp://"):]
		pid = cmd.Process.Pid
	} else if !parent {
		return fmt.Errorf("-serve or -parent")
	}
	u, err := url.Parse(strings.TrimSpace(target))
	if err != nil {
		return err
	}
	before := rss(pid)
	var open []net.Conn
	for range n {
		c, err := hostile(u.Host)
		if err != nil {
			return err
		}
		open = append(open, c)
	}
	time.Sleep(2 * time.Second) // measuring, not waiting for readiness: let the reader take in what was sent
	during := rss(pid)
	for _, c := range open {
		c.Close()
	}
	time.Sleep(3 * time.Second)
	after := rss(pid)
	fmt.Printf("memprobe: pid %d, %d connections of %d bytes each: RSS %d MB before, %d MB with them open, %d MB after they closed\n",
		pid, n, len(pattern), before>>20, during>>20, after>>20)
	return nil
}

// pattern is what each connection sends after its handshake: Set Chunk Size 0x7fffffff on
// chunk stream 2, then two 8 MiB - 1 audio messages declared on chunk streams 4 and 5, a few
// bytes of each.
var pattern = []byte{
	0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff,
	0x04, 0, 0, 0, 0x7f, 0xff, 0xff, 0x08, 1, 0, 0, 0, 0xaf, 1, 2, 3,
	0x05, 0, 0, 0, 0x7f, 0xff, 0xff, 0x08, 1, 0, 0, 0, 0xaf, 1, 2, 3,
}

// hostile connects, completes the handshake and sends the declared-length pattern.
func hostile(addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	c1 := make([]byte, 1537)
	c1[0] = 3
	if _, err := c.Write(c1); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(c, make([]byte, 3073)); err != nil {
		return nil, fmt.Errorf("handshake: %w", err)
	}
	msg := append(make([]byte, 1536), pattern...) // C2, then the pattern
	if _, err := c.Write(msg); err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	go func() { _, _ = io.Copy(io.Discard, c) }()
	return c, nil
}

// rss is a process's resident set in bytes (0 when unknown).
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}
