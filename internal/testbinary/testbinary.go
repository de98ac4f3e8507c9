// Package testbinary builds vodhook's SCF function binary for tests that
// run it as SCF does. Only tests import it.
package testbinary

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	once   sync.Once
	path   string
	output []byte
	err    error
)

// Function builds ./cmd/scf once per test binary with the flags of the
// release build (static, trimmed, stripped) for the machine's own platform,
// and returns the path of the binary, named main.
func Function(t testing.TB) string {
	t.Helper()
	once.Do(build)
	if err != nil {
		t.Fatalf("build the function: %v\n%s", err, output)
	}
	return path
}

func build() {
	root, rootErr := moduleRoot()
	if rootErr != nil {
		err = rootErr
		return
	}
	dir, tmpErr := os.MkdirTemp("", "vodhook-test-build-")
	if tmpErr != nil {
		err = tmpErr
		return
	}
	path = filepath.Join(dir, "main")

	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", path, "./cmd/scf")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	output, err = cmd.CombinedOutput()
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}
