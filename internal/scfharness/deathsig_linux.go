package scfharness

import (
	"os/exec"
	"syscall"
)

// killWithParent makes Linux kill the binary when the process that started
// it dies, so a harness killed by a signal leaves no function running.
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
