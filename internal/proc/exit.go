package proc

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// ExitStatus says how a program ended: "exit status N" or "killed by SIGNAME (description)".
func ExitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by " + SignalName(ws.Signal())
		}
	}
	return err.Error()
}

// SignalName names a signal as a user reads it: "SIGKILL", "SIGSEGV (segmentation fault)".
func SignalName(sig syscall.Signal) string {
	name := unix.SignalName(sig)
	if name == "" {
		name = fmt.Sprintf("signal %d", int(sig))
	}
	switch sig {
	case syscall.SIGINT, syscall.SIGKILL, syscall.SIGTERM:
		return name // the harness' own stops: the name says it all
	}
	return name + " (" + sig.String() + ")"
}
