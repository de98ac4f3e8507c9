package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vodhook/vodhook/internal/emulator"
	"github.com/vodhook/vodhook/internal/testbinary"
)

// runCLI runs the command line and returns its exit code and output.
func runCLI(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// emptyConfig writes a configuration file with only defaults.
func emptyConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args     []string
		wantCode int
		wantErr  string
	}{
		{nil, 2, "Usage: vodhook <command>"},
		{[]string{"help"}, 0, "Commands:"},
		{[]string{"nope"}, 2, `unknown command "nope"`},
		{[]string{"demo", "-nosuchflag"}, 2, "flag provided but not defined"},
		{[]string{"invoke"}, 2, "Usage: vodhook invoke"},
		{[]string{"demo", "-h"}, 0, "-binary"},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, context.Background(), tt.args...)
		if code != tt.wantCode || !strings.Contains(stderr, tt.wantErr) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, tt.wantCode, tt.wantErr)
		}
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCLI(t, context.Background(), "demo", "-binary", testbinary.Function(t), "-config", emptyConfig(t))
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"v.f100010.mp4", "v.f100020.mp4", "demo passed: 2 of 2 outputs reported", `"msg":"transcode started"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestDemoConfigFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"definitions":[100030],"subappid":"1500000001"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, context.Background(), "demo", "-binary", testbinary.Function(t), "-config", path, "-trigger", "apigw")
	if code != 0 || !strings.Contains(stdout, "v.f100030.mp4") || !strings.Contains(stdout, "1 of 1 outputs") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestDemoFailsOnUnknownTemplate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"definitions":[100010,999999]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, context.Background(), "demo", "-binary", testbinary.Function(t), "-config", path)
	if code != 1 || !strings.Contains(stdout, "999999   FAILED") || !strings.Contains(stderr, "outputs were reported for [100010]") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestDemoErrors(t *testing.T) {
	t.Parallel()
	code, _, stderr := runCLI(t, context.Background(), "demo", "-binary", "/nonexistent/main")
	if code != 1 || !strings.Contains(stderr, "run make build first") {
		t.Errorf("missing binary: exit %d, stderr %q", code, stderr)
	}

	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"definitions":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, context.Background(), "demo", "-binary", testbinary.Function(t), "-config", path)
	if code != 1 || !strings.Contains(stderr, "definitions is empty") {
		t.Errorf("invalid config: exit %d, stderr %q", code, stderr)
	}
}

func TestInvoke(t *testing.T) {
	t.Parallel()
	binary := testbinary.Function(t)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"legacy notification", []string{"../../internal/notification/testdata/legacy/v2-NewFileUpload.json"}, 1, `\"outcome\":\"malformed\"`},
		{"ignored event", []string{"../../internal/notification/testdata/events/FileDeleted.json"}, 0, `"statusCode": 200`},
		{"raw timer event", []string{"-raw", "../../internal/trigger/testdata/timer.json"}, 0, `"statusCode": 200`},
		{"apigw without credentials", []string{"-trigger", "apigw", "../../internal/notification/testdata/events/NewFileUpload.json"}, 1, `"statusCode": 500`},
		{"environment", []string{"-env", "VOD_DEFINITIONS=x", "../../internal/notification/testdata/events/FileDeleted.json"}, 1, `\"outcome\":\"misconfigured\"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"invoke", "-binary", binary}, tt.args...)
			code, stdout, stderr := runCLI(t, context.Background(), args...)
			if code != tt.wantCode || !strings.Contains(stdout, tt.wantOut) {
				t.Errorf("exit %d, want %d; stdout lacks %q?\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, tt.wantOut, stdout, stderr)
			}
		})
	}
}

func TestPackage(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "vodhook-scf.zip")
	code, stdout, stderr := runCLI(t, context.Background(), "package", "-binary", testbinary.Function(t), "-o", out)
	if code != 0 || !strings.Contains(stdout, "main at the root") {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}

	code, _, stderr = runCLI(t, context.Background(), "package", "-binary", "/etc/hostname", "-o", out)
	if code != 1 || !strings.Contains(stderr, "not a Linux ELF executable") {
		t.Errorf("packaging a text file: exit %d, stderr %q", code, stderr)
	}
}

// TestServeAndUpload runs serve until the context ends and uploads through
// the upload command in between.
func TestServeAndUpload(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncWriter
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-binary", testbinary.Function(t), "-config", emptyConfig(t),
			"-emulator-addr", "127.0.0.1:0", "-gateway-addr", "127.0.0.1:0"}, &stdout, &stderr)
	}()

	emulatorURL := waitFor(t, &stdout, "VOD emulator      ")
	code, out, errText := runCLI(t, context.Background(), "upload", "-emulator", emulatorURL, "-name", "served.mp4")
	if code != 0 || !strings.Contains(out, `"FileId"`) {
		t.Errorf("upload: exit %d\n%s\n%s", code, out, errText)
	}
	waitFor(t, &stdout, `"msg":"task flow finished"`)

	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exit %d: %s", code, stderr.String())
	}
}

func TestUploadWithoutEmulator(t *testing.T) {
	t.Parallel()
	code, _, stderr := runCLI(t, context.Background(), "upload", "-emulator", "http://127.0.0.1:1")
	if code != 1 || !strings.Contains(stderr, "is 'vodhook emulator' or 'vodhook serve' running?") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// waitFor waits until w's output contains marker and returns the rest of
// that line after the marker, up to the first space.
func waitFor(t *testing.T, w *syncWriter, marker string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		text := w.String()
		if i := strings.Index(text, marker); i >= 0 {
			rest := text[i+len(marker):]
			if end := strings.IndexAny(rest, " \n"); end >= 0 {
				rest = rest[:end]
			}
			return rest
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("output never contained %q:\n%s", marker, w.String())
	return ""
}

// syncWriter is a bytes.Buffer safe for concurrent use.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestDemoConfigWarnings(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"subappId":1500000001}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, context.Background(), "demo", "-binary", testbinary.Function(t), "-config", path)
	if code != 0 || !strings.Contains(stdout, `key "subappId" is ignored`) || !strings.Contains(stdout, `did you mean "subappid"?`) {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	code, _, stderr = runCLI(t, context.Background(), "demo", "-binary", testbinary.Function(t), "-config", filepath.Join(t.TempDir(), "missing.json"))
	if code != 1 || !strings.Contains(stderr, "missing.json") {
		t.Errorf("missing -config file: exit %d, stderr %q", code, stderr)
	}
}

func TestUploadRejectsArguments(t *testing.T) {
	t.Parallel()
	code, _, stderr := runCLI(t, context.Background(), "upload", "my-video.mp4")
	if code != 2 || !strings.Contains(stderr, `unexpected argument "my-video.mp4"`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestUploadReportsUndelivered(t *testing.T) {
	t.Parallel()
	emu, err := emulator.Start("127.0.0.1:0", emulator.Options{Credentials: []emulator.Credential{{SecretId: "AKIDx0000001", SecretKey: "k"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	code, stdout, stderr := runCLI(t, context.Background(), "upload", "-emulator", emu.URL)
	if code != 1 || !strings.Contains(stderr, "was not delivered") || !strings.Contains(stdout, `"FileId"`) {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}
