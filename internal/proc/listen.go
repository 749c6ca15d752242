package proc

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// Listening tells whether a socket listens on addr's port (host:port), from the kernel's
// tables (/proc/net/tcp and tcp6) — without connecting, so that a server that serves one
// connection only is not used up by the question. An error means /proc cannot tell.
func Listening(addr string) (bool, error) {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return false, err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return false, fmt.Errorf("proc: port %q: %w", p, err)
	}
	found, read := false, false
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		on, err := listensIn(table, port)
		if err != nil {
			continue
		}
		read = true
		found = found || on
	}
	if !read {
		return false, fmt.Errorf("proc: /proc/net/tcp is not readable")
	}
	return found, nil
}

// listensIn scans one table for a socket in state LISTEN (0A) on port.
func listensIn(table string, port int) (bool, error) {
	f, err := os.Open(table)
	if err != nil {
		return false, err
	}
	defer f.Close()
	want := fmt.Sprintf(":%04X", port)
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 3 && strings.HasSuffix(fields[1], want) && fields[3] == "0A" {
			return true, nil
		}
	}
	return false, sc.Err()
}
