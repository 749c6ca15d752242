package proc

import (
	"errors"
	"os/exec"
	"syscall"
)

// ExitStatus says how a program ended: "exit status N" or "killed by SIGNAL".
func ExitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return "killed by " + ws.Signal().String()
		}
	}
	return err.Error()
}
