// Package testbinary builds vodhook's binaries for tests that run them as a
// user or SCF would. Only tests import it.
package testbinary

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// build is one binary, built at most once per test process.
type build struct {
	once   sync.Once
	path   string
	output []byte
	err    error
}

var (
	function build
	cli      build
)

// Function builds ./cmd/scf with the flags of the release build (static,
// trimmed, stripped) for the machine's own platform, and returns the path
// of the binary, named main.
func Function(t testing.TB) string {
	t.Helper()
	return function.get(t, "main", "./cmd/scf", "CGO_ENABLED=0")
}

// CLI builds ./cmd/vodhook and returns the path of the binary.
func CLI(t testing.TB) string {
	t.Helper()
	return cli.get(t, "vodhook", "./cmd/vodhook")
}

func (b *build) get(t testing.TB, name, pkg string, env ...string) string {
	t.Helper()
	b.once.Do(func() { b.path, b.output, b.err = compile(name, pkg, env) })
	if b.err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, b.err, b.output)
	}
	return b.path
}

func compile(name, pkg string, env []string) (string, []byte, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "vodhook-test-build-")
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(dir, name)

	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", path, pkg)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	output, err := cmd.CombinedOutput()
	return path, output, err
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}
