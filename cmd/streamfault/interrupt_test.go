package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildCLI builds the streamfault binary into a temporary directory.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "streamfault")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startRun starts `streamfault run` on a negative control (it passes only if its checker
// fails) and returns once a run has started.
func startRun(t *testing.T, bin, junit string) (*exec.Cmd, *bytes.Buffer, chan error) {
	t.Helper()
	cmd := exec.Command(bin, "run", "../../scenarios/drop-mid-playback-mutant-resume-from-start.yaml", "--junit", junit)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	started := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "started ") && !once {
				once = true
				close(started)
			}
		}
		exited <- cmd.Wait()
	}()
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the run never started")
	}
	return cmd, &stdout, exited
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("want an exit status, got %v", err)
	}
	return ee.ExitCode()
}

// TestInterruptedRunIsNotJudged: SIGINT during a negative control's run gives no verdict —
// not PASS (the mutant's checker never got to fail), not FAIL — but INTR, exit 130, and a
// JUnit error of type interrupted.
func TestInterruptedRunIsNotJudged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the CLI")
	}
	bin := buildCLI(t)
	junit := filepath.Join(t.TempDir(), "j.xml")
	cmd, stdout, exited := startRun(t, bin, junit)
	time.Sleep(2 * time.Second) // into the run: the lab is up and the player is playing
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("no exit within 30 s of SIGINT")
	}
	if code := exitCode(t, err); code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stdout:\n%s", code, exitInterrupted, stdout)
	}
	out := stdout.String()
	if !strings.Contains(out, "INTR  drop-mid-playback-mutant-resume-from-start") || strings.Contains(out, "PASS") ||
		!strings.Contains(out, "0 passed, 0 failed, 1 interrupted") {
		t.Fatalf("stdout:\n%s", out)
	}
	j, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(j), `type="interrupted"`) || strings.Contains(string(j), "<failure") {
		t.Fatalf("junit:\n%s", j)
	}
}

// TestSecondInterruptQuitsAtOnce: a second SIGINT does not wait for the clean-up.
func TestSecondInterruptQuitsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the CLI")
	}
	bin := buildCLI(t)
	cmd, _, exited := startRun(t, bin, filepath.Join(t.TempDir(), "j.xml"))
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-exited:
		if code := exitCode(t, err); code != exitInterrupted {
			t.Fatalf("exit %d, want %d", code, exitInterrupted)
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("no exit within 10 s of a second signal")
	}
}
