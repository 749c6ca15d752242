package proc

import (
	"context"
	"os/exec"
	"testing"
)

func TestExitStatusNamesTheSignal(t *testing.T) {
	for _, c := range []struct{ script, want string }{
		{"exit 0", "exit status 0"},
		{"exit 3", "exit status 3"},
		{"kill -KILL $$", "killed by SIGKILL"},
		{"kill -SEGV $$", "killed by SIGSEGV (segmentation fault)"},
	} {
		err := exec.CommandContext(context.Background(), "sh", "-c", c.script).Run()
		if got := ExitStatus(err); got != c.want {
			t.Errorf("%s: %q, want %q", c.script, got, c.want)
		}
	}
}
