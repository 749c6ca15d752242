package proc

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv makes this test binary a stand-in harness: it starts a long program through
// Process, prints its PID and waits to be killed.
const helperEnv = "STREAMFAULT_PROC_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		p, err := New(Spec{Args: []string{"sleep", "60"}})
		if err == nil {
			err = p.Start(context.Background())
		}
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println(p.PID())
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startHelper runs this test binary as a stand-in harness in mode and returns the PID it
// prints and the helper itself.
func startHelper(t *testing.T, mode string) (int, *exec.Cmd) {
	t.Helper()
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), helperEnv+"="+mode)
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = helper.Process.Kill()
		t.Fatalf("the helper said nothing: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		_ = helper.Process.Kill()
		t.Fatalf("the helper said %q", line)
	}
	return pid, helper
}

// A program the harness started dies with it, even when the harness is killed by SIGKILL.
func TestProgramDiesWithTheHarness(t *testing.T) {
	pid, helper := startHelper(t, "1")
	defer syscall.Kill(pid, syscall.SIGKILL) // in case the kernel did not
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("program %d outlived the harness killed by SIGKILL", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A harness's mark names it while it runs and no longer once it died by SIGKILL; a value this
// package did not write is never taken for a dead harness.
func TestOwnerMarkTellsAHarnessThatDied(t *testing.T) {
	pid, helper := startHelper(t, "1")
	defer syscall.Kill(pid, syscall.SIGKILL)
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		_ = helper.Process.Kill()
		t.Fatal(err)
	}
	mark, ok := envValue(env, OwnerEnv)
	if !ok || mark == ownerMark() {
		_ = helper.Process.Kill()
		t.Fatalf("the helper's program carries the mark %q (found %v), want its harness's", mark, ok)
	}
	if !ownerAlive(mark) {
		t.Fatalf("the mark %q of a running harness reads as dead", mark)
	}
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = helper.Wait()
	if ownerAlive(mark) {
		t.Fatalf("the mark %q of a harness killed by SIGKILL reads as alive", mark)
	}
	for _, m := range []string{ownerMark(), "", "x", "12", "12:x", "-1:5"} {
		if !ownerAlive(m) {
			t.Errorf("%q reads as a dead harness", m)
		}
	}
}

// The sweep ends a marked process whose harness is dead — found by its mark alone, whoever its
// parent is (a wrapper's child reparented to init) — and leaves alone this harness's programs.
// (The orphan's mark is one only this test takes for dead, so that another package's sweep,
// running at the same time, cannot take the case away.)
func TestSweepEndsWhatADeadHarnessLeft(t *testing.T) {
	mine, err := New(Spec{Args: []string{"sleep", "62"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := mine.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer mine.Kill()
	dead := fmt.Sprintf("%s-test-%d", ownerMark(), time.Now().UnixNano())
	orphan := exec.Command("sleep", "63")
	orphan.Env = append(os.Environ(), OwnerEnv+"="+dead)
	if err := orphan.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = orphan.Wait(); close(exited) }()
	defer orphan.Process.Kill()
	orphans, err := sweep(func(m string) bool { return m != dead && ownerAlive(m) })
	if err != nil {
		t.Fatal(err)
	}
	if len(orphans) != 1 || orphans[0].PID != orphan.Process.Pid || orphans[0].Owner != dead || !strings.Contains(orphans[0].Command, "sleep 63") {
		t.Fatalf("the sweep found %v, want only the orphan %d", orphans, orphan.Process.Pid)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the orphan survived the sweep")
	}
	if !mine.Running() {
		t.Fatal("the sweep ended this harness's own program")
	}
}

// alive tells whether pid is a process that has not ended (a zombie has: it is reaped by
// init once orphaned).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}
