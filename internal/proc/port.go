package proc

import (
	"fmt"
	"net"
)

// FreeLoopbackAddr picks a free port on 127.0.0.1 for a program to listen on, as host:port.
// The port is free when picked; another process may take it before the program does, which
// Start then reports (the program exits, or Ready answers for someone else's listener — a
// caller that can tell retries with a new port).
func FreeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("proc: pick a loopback port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("proc: pick a loopback port: %w", err)
	}
	return addr, nil
}
