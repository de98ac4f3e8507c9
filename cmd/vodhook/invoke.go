package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vodhook/vodhook/internal/gateway"
	"github.com/vodhook/vodhook/internal/scfharness"
	"github.com/vodhook/vodhook/internal/trigger"
)

// envFlag collects repeated -env NAME=VALUE flags.
type envFlag map[string]string

func (e envFlag) String() string { return fmt.Sprint(len(e)) + " variables" }

func (e envFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("%q is not NAME=VALUE", s)
	}
	e[name] = value
	return nil
}

func runInvoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("invoke", "[flags] EVENT_FILE", stderr)
	binary := fs.String("binary", "build/local/main", "the function built for this machine (make build writes it)")
	raw := fs.Bool("raw", false, "send EVENT_FILE as the invocation payload as it is (a trigger event); by default it is the body of a trigger event")
	envelope := fs.String("trigger", "function_url", "trigger event that wraps EVENT_FILE without -raw: function_url or apigw")
	timeout := fs.Duration("timeout", scfharness.DefaultTimeout, "function timeout")
	env := envFlag{}
	fs.Var(env, "env", "NAME=VALUE set in the function's environment at start and with the invocation, as SCF sets the function's variables; repeatable")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}

	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	payload := data
	if !*raw {
		payload, err = gateway.Event(trigger.Envelope(*envelope), gateway.HTTPRequest{
			Method: "POST", Path: "/", Body: data, RemoteIP: "127.0.0.1",
			Headers: map[string]string{"content-type": "application/json"},
		})
		if err != nil {
			return err
		}
	}

	// The variables apply at start too, so the cold-start log shows them.
	var startEnv []string
	for name, value := range env {
		startEnv = append(startEnv, name+"="+value)
	}
	process, err := scfharness.Start(ctx, scfharness.Options{
		Binary: *binary,
		Env:    startEnv,
		Stdout: func(line string) { fmt.Fprintln(stderr, "function | "+line) },
		Stderr: func(line string) { fmt.Fprintln(stderr, "function | "+line) },
	})
	if err != nil {
		return err
	}
	defer process.Close()

	result, err := process.Invoke(ctx, scfharness.Invocation{Payload: payload, Timeout: *timeout, Environment: env})
	if err != nil {
		return err
	}
	// Give the function's last log lines a moment to arrive before exiting.
	time.Sleep(50 * time.Millisecond)
	if result.Error != nil {
		return fmt.Errorf("function error (%s): %s", result.Error.Type, result.Error.Message)
	}
	return printResponse(stdout, result.Payload)
}

// printResponse prints the function's response and fails unless it is an
// integrated response with a 2xx status.
func printResponse(w io.Writer, payload []byte) error {
	var pretty bytes.Buffer
	if json.Indent(&pretty, payload, "", "  ") != nil {
		pretty.Write(payload)
	}
	fmt.Fprintln(w, pretty.String())

	var resp trigger.Response
	if err := json.Unmarshal(payload, &resp); err != nil {
		return fmt.Errorf("the function returned no integrated response: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the function responded with status %d", resp.StatusCode)
	}
	return nil
}
