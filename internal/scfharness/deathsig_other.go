//go:build !linux

package scfharness

import "os/exec"

// killWithParent does nothing where the kernel cannot tie a child's life
// to its parent's; Close still stops the binary.
func killWithParent(cmd *exec.Cmd) {}
