package scfharness_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vodhook/vodhook/internal/scfharness"
	"github.com/vodhook/vodhook/internal/testbinary"
)

type answer struct {
	IsBase64Encoded bool
	StatusCode      int
	Headers         map[string]string
	Body            string
}

func start(t *testing.T, env ...string) (*scfharness.Process, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var lines []string
	collect := func(line string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, line)
	}
	p, err := scfharness.Start(context.Background(), scfharness.Options{
		Binary: testbinary.Function(t),
		Dir:    t.TempDir(),
		Env:    env,
		Stdout: collect,
		Stderr: collect,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), lines...)
	}
}

func invoke(t *testing.T, p *scfharness.Process, inv scfharness.Invocation) answer {
	t.Helper()
	result, err := p.Invoke(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	if result.Error != nil {
		t.Fatalf("function error: %+v", result.Error)
	}
	var a answer
	if err := json.Unmarshal(result.Payload, &a); err != nil {
		t.Fatalf("answer is not an integrated response: %v: %s", err, result.Payload)
	}
	return a
}

// waitLine waits until a line containing every fragment was logged.
func waitLine(t *testing.T, logs func() []string, fragments ...string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range logs() {
			if containsAll(line, fragments) {
				return line
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line contains %q; lines: %q", fragments, logs())
	return ""
}

func containsAll(s string, fragments []string) bool {
	for _, f := range fragments {
		if !strings.Contains(s, f) {
			return false
		}
	}
	return true
}

func TestInvokeProbe(t *testing.T) {
	t.Parallel()
	p, logs := start(t)
	a := invoke(t, p, scfharness.Invocation{
		Payload:   []byte(`{"httpMethod":"POST","path":"/","headers":{},"body":""}`),
		RequestID: "req-probe-1",
	})
	if a.StatusCode != 200 || !strings.Contains(a.Body, `"outcome":"probe"`) {
		t.Errorf("answer = %+v", a)
	}
	line := waitLine(t, logs, "probe: the request has no body")
	if !strings.Contains(line, `"request_id":"req-probe-1"`) {
		t.Errorf("log line lacks the request id: %s", line)
	}
}

// TestInvokeNotJSON sends a payload that is not JSON. The function still
// responds with an integrated response.
func TestInvokeNotJSON(t *testing.T) {
	t.Parallel()
	p, _ := start(t)
	a := invoke(t, p, scfharness.Invocation{Payload: []byte("not json at all")})
	if a.StatusCode != 400 || !strings.Contains(a.Body, "not JSON") {
		t.Errorf("answer = %+v", a)
	}
}

// TestInvokeEnvironment checks that the invocation's environment reaches
// the function, as scf-go-lib applies it with os.Setenv: an invalid
// VOD_DEFINITIONS passed with one invocation fails that invocation.
func TestInvokeEnvironment(t *testing.T) {
	t.Parallel()
	p, logs := start(t)
	body := `{"httpMethod":"POST","body":"{\"EventType\":\"FileDeleted\"}"}`

	a := invoke(t, p, scfharness.Invocation{Payload: []byte(body), Environment: map[string]string{"VOD_DEFINITIONS": "abc"}})
	if a.StatusCode != 500 || !strings.Contains(a.Body, `"outcome":"misconfigured"`) {
		t.Errorf("answer = %+v", a)
	}
	waitLine(t, logs, "invalid configuration", "VOD_DEFINITIONS", "template id abc")

	a = invoke(t, p, scfharness.Invocation{Payload: []byte(body), Environment: map[string]string{"VOD_DEFINITIONS": "100010"}})
	if a.StatusCode != 200 {
		t.Errorf("after fixing the variable: answer = %+v", a)
	}
}

func TestInvokeConcurrent(t *testing.T) {
	t.Parallel()
	p, _ := start(t)
	var wg sync.WaitGroup
	errs := make(chan string, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			result, err := p.Invoke(context.Background(), scfharness.Invocation{Payload: []byte(`{"EventType":"FileDeleted"}`)})
			if err != nil || !strings.Contains(string(result.Payload), `"statusCode":200`) {
				errs <- fmt.Sprintf("invocation %d: %v %s", i, err, result.Payload)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestStartMissingBinary(t *testing.T) {
	t.Parallel()
	_, err := scfharness.Start(context.Background(), scfharness.Options{Binary: "/nonexistent/main"})
	if err == nil {
		t.Fatal("started a binary that does not exist")
	}
}

func TestStartBinaryThatExits(t *testing.T) {
	t.Parallel()
	_, err := scfharness.Start(context.Background(), scfharness.Options{Binary: "/bin/true", StartTimeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "exited before serving RPC") {
		t.Fatalf("error = %v, want one saying the binary exited", err)
	}
}
