package proc

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// SelfEnv names the streamfault binary for scenarios that run it as a program ({streamfault}
// in a server command), e.g. the scenario suite's own build.
const SelfEnv = "STREAMFAULT_BIN"

// Self is the streamfault program: $STREAMFAULT_BIN, else this program when it is streamfault,
// else streamfault in PATH.
func Self() (string, error) {
	if p := os.Getenv(SelfEnv); p != "" {
		return p, nil
	}
	if exe, err := os.Executable(); err == nil && strings.HasPrefix(filepath.Base(exe), "streamfault") {
		return exe, nil
	}
	if p, err := exec.LookPath("streamfault"); err == nil {
		return p, nil
	}
	return "", errors.New("no streamfault program for {streamfault}: set " + SelfEnv + " or put streamfault in PATH (go install ./cmd/streamfault)")
}
