package proc

import "syscall"

// sysProcAttr puts the program in a process group of its own, and has the kernel kill it
// when the harness dies, even by SIGKILL (which no handler of ours sees).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
