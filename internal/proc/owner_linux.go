package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// startTime is a process's start time in clock ticks since boot (/proc/PID/stat, field 22).
func startTime(pid int) (uint64, error) {
	f, err := statFields(pid)
	if err != nil || len(f) < 20 {
		return 0, fmt.Errorf("proc: /proc/%d/stat: %d fields after the command: %w", pid, len(f), err)
	}
	return strconv.ParseUint(f[19], 10, 64) // field 22: the 20th after "pid (comm)"
}

// parent is a process's parent PID (/proc/PID/stat, field 4); 0 when unknown.
func parent(pid int) int {
	f, err := statFields(pid)
	if err != nil || len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// statFields are the fields of /proc/PID/stat after "pid (comm)" (the command may hold spaces
// and parentheses: it ends at the last ')').
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, errors.New("no command field")
	}
	return strings.Fields(string(b[i+1:])), nil
}

// ownerAlive tells whether the harness a mark names still runs (the same PID, started at the
// same time).
func ownerAlive(mark string) bool {
	pidText, startText, ok := strings.Cut(mark, ":")
	pid, err1 := strconv.Atoi(pidText)
	start, err2 := strconv.ParseUint(startText, 10, 64)
	if !ok || err1 != nil || err2 != nil || pid <= 0 {
		return true // not a mark this package wrote: leave the process alone
	}
	now, err := startTime(pid)
	return err == nil && now == start
}

// SweepOrphans ends (SIGKILL, by PID) every process this user may read that carries OwnerEnv
// naming a harness that no longer runs, and returns them. This process and its ancestors are
// never touched (a harness run as a program of another harness inherits that one's mark).
func SweepOrphans() ([]Orphan, error) { return sweep(ownerAlive) }

// sweep ends the marked processes whose owner is not alive.
func sweep(alive func(mark string) bool) ([]Orphan, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("proc: sweep: %w", err)
	}
	spare := map[int]bool{}
	for pid := os.Getpid(); pid > 1 && !spare[pid]; pid = parent(pid) {
		spare[pid] = true
	}
	var out []Orphan
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || spare[pid] {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue // gone, or not ours to read
		}
		mark, ok := envValue(env, OwnerEnv)
		if !ok || alive(mark) {
			continue
		}
		cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			continue // it ended meanwhile, or is not ours to end
		}
		out = append(out, Orphan{PID: pid, Owner: mark, Command: strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))})
	}
	return out, nil
}

// envValue finds NAME's value in a NUL-separated environment block.
func envValue(env []byte, name string) (string, bool) {
	for _, kv := range bytes.Split(env, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte(name+"=")); ok {
			return string(v), true
		}
	}
	return "", false
}
