// Package localstack runs vodhook's whole loop on one machine: the VOD
// emulator, the built function binary driven through the SCF runtime
// harness, and a local HTTP gateway in front of it that the emulator
// delivers its callbacks to. The demo, the serve command and the end-to-end
// tests share it.
package localstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/vodhook/vodhook/internal/config"
	"github.com/vodhook/vodhook/internal/emulator"
	"github.com/vodhook/vodhook/internal/gateway"
	"github.com/vodhook/vodhook/internal/scfharness"
	"github.com/vodhook/vodhook/internal/trigger"
)

// Options configure a Stack.
type Options struct {
	Binary string // the built function, e.g. build/main

	// EmulatorAddr and GatewayAddr are the listen addresses; default
	// "127.0.0.1:0" (any free port).
	EmulatorAddr string
	GatewayAddr  string

	// ConfigPath is passed to the function as VODHOOK_CONFIG when set.
	ConfigPath string
	// FunctionEnv is the function's configured environment (VOD_* settings);
	// VOD_ENDPOINT and VOD_SIGN_KEY are set by the stack.
	FunctionEnv map[string]string

	// SignKey signs the emulator's callbacks and is given to the function.
	// Empty generates one; Unsigned leaves callbacks unsigned.
	SignKey  string
	Unsigned bool

	Envelope  trigger.Envelope // default trigger.FunctionURL
	TaskDelay time.Duration    // default 300ms

	// PushRetries is how often the emulator repeats a callback the function
	// did not respond to with 2xx.
	PushRetries int
	Timeout     time.Duration // function timeout; default 10s

	// FunctionOutput receives each line the function writes to stdout or
	// stderr.
	FunctionOutput func(line string)

	Logger *slog.Logger
}

// Stack is a running emulator, function and gateway.
type Stack struct {
	Emulator   *emulator.Server
	Function   *scfharness.Process
	GatewayURL string
	SignKey    string
	Credential emulator.Credential

	logs    *LogBook
	gateway *http.Server
	workDir string
	closeMu sync.Once
}

// Start starts the three parts and points the emulator's callbacks at the
// gateway.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	opts = withDefaults(opts)
	s := &Stack{logs: NewLogBook(), Credential: temporaryCredential(), SignKey: opts.SignKey}
	if s.SignKey == "" && !opts.Unsigned {
		s.SignKey = "demo" + randomHex(12)
	}

	listener, err := net.Listen("tcp", opts.GatewayAddr)
	if err != nil {
		return nil, fmt.Errorf("listen for the gateway on %s: %w", opts.GatewayAddr, err)
	}
	s.GatewayURL = "http://" + listener.Addr().String()

	s.Emulator, err = emulator.Start(opts.EmulatorAddr, emulator.Options{
		Credentials: []emulator.Credential{s.Credential},
		CallbackURL: s.GatewayURL + "/",
		SignKey:     s.SignKey,
		TaskDelay:   opts.TaskDelay,
		PushRetries: opts.PushRetries,
		Logger:      opts.Logger,
	})
	if err != nil {
		listener.Close()
		return nil, fmt.Errorf("start the VOD emulator on %s: %w", opts.EmulatorAddr, err)
	}

	if err := s.startFunction(ctx, opts); err != nil {
		listener.Close()
		s.Emulator.Close()
		_ = os.RemoveAll(s.workDir)
		return nil, err
	}

	s.gateway = &http.Server{Handler: &gateway.Gateway{
		Invoker:     s.Function,
		Envelope:    opts.Envelope,
		Timeout:     opts.Timeout,
		Environment: s.roleEnvironment,
		Logger:      opts.Logger,
	}, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.gateway.Serve(listener) }()
	return s, nil
}

func withDefaults(opts Options) Options {
	if opts.EmulatorAddr == "" {
		opts.EmulatorAddr = "127.0.0.1:0"
	}
	if opts.GatewayAddr == "" {
		opts.GatewayAddr = "127.0.0.1:0"
	}
	if opts.Envelope == "" {
		opts.Envelope = trigger.FunctionURL
	}
	if opts.TaskDelay <= 0 {
		opts.TaskDelay = 300 * time.Millisecond
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return opts
}

// startFunction starts the binary with its configured environment. The
// execution role's keys are not in it: like SCF, the gateway passes them
// with each invocation.
func (s *Stack) startFunction(ctx context.Context, opts Options) error {
	env := []string{
		config.EnvEndpoint + "=" + s.Emulator.URL,
		config.EnvSignKey + "=" + s.SignKey,
		// Keys of the user's shell must not leak into the local function.
		config.EnvSecretID + "=", config.EnvSecretKey + "=", config.EnvSessionToken + "=",
	}
	if opts.ConfigPath != "" {
		env = append(env, config.EnvConfigPath+"="+opts.ConfigPath)
	}
	for name, value := range opts.FunctionEnv {
		env = append(env, name+"="+value)
	}

	output := func(line string) {
		s.logs.Add(line)
		if opts.FunctionOutput != nil {
			opts.FunctionOutput(line)
		}
	}
	// An empty working directory, so no config.json is picked up by accident.
	dir, err := os.MkdirTemp("", "vodhook-function-")
	if err != nil {
		return err
	}
	s.workDir = dir

	process, err := scfharness.Start(ctx, scfharness.Options{
		Binary: opts.Binary,
		Dir:    dir,
		Env:    env,
		Stdout: output,
		Stderr: output,
	})
	if err != nil {
		return fmt.Errorf("start the function %s: %w", opts.Binary, err)
	}
	s.Function = process
	return nil
}

// roleEnvironment returns the variables SCF passes with each invocation of
// a function with an execution role.
func (s *Stack) roleEnvironment() map[string]string {
	return map[string]string{
		config.EnvSecretID:     s.Credential.SecretId,
		config.EnvSecretKey:    s.Credential.SecretKey,
		config.EnvSessionToken: s.Credential.Token,
	}
}

// Logs returns the function's log lines so far.
func (s *Stack) Logs() *LogBook {
	return s.logs
}

// Close stops the emulator, whose deliveries in flight still reach the
// gateway, then the gateway and the function.
func (s *Stack) Close() error {
	var errs []error
	s.closeMu.Do(func() {
		s.Emulator.Close()

		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.gateway.Shutdown(ctx); err != nil {
			// Requests still running after the grace period are cut off.
			errs = append(errs, s.gateway.Close())
		}

		errs = append(errs, s.Function.Close())
		errs = append(errs, os.RemoveAll(s.workDir))
	})
	return errors.Join(errs...)
}

// temporaryCredential makes a key pair with a session token, like the
// temporary keys of an SCF execution role.
func temporaryCredential() emulator.Credential {
	return emulator.Credential{
		SecretId:  "AKIDlocal" + randomHex(12),
		SecretKey: randomHex(16),
		Token:     "token" + randomHex(16),
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
