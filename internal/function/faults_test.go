package function_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tencentyun/scf-go-lib/functioncontext"

	"github.com/vodhook/vodhook/internal/emulator"
	"github.com/vodhook/vodhook/internal/vodclient"
)

// statusOf is the response status for each error class.
var statusOf = map[vodclient.Class]int{
	vodclient.AlreadyStarted: http.StatusOK,
	vodclient.Rejected:       http.StatusInternalServerError,
	vodclient.Retryable:      http.StatusServiceUnavailable,
}

// invokeWithin invokes the function with a deadline timeout away, as SCF
// does for a function with that timeout, and returns the status and how
// long the function took.
func (f *fixture) invokeWithin(timeout time.Duration, payload []byte) (int, reply, time.Duration) {
	f.t.Helper()
	ctx := functioncontext.NewContext(context.Background(), &functioncontext.FunctionContext{RequestID: "req-fault"})
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	start := time.Now()
	out, err := f.fn.Invoke(ctx, payload)
	elapsed := time.Since(start)
	if err != nil {
		f.t.Fatal(err)
	}
	resp, body := decodeAnswer(f.t, out)
	return resp.StatusCode, body, elapsed
}

// TestFaultTable injects every error code of the classification table into
// ProcessMedia and checks the function's response. The table is the one the
// function uses, so a new row is tested without editing this test.
func TestFaultTable(t *testing.T) {
	t.Parallel()
	for _, rule := range vodclient.Rules() {
		code := rule.Code
		if strings.HasSuffix(code, ".") {
			code += "Injected"
		}
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil, `{}`)
			f.upload("5285890799999991001")
			// RequestLimitExceeded is retried inside the invocation, so the
			// fault must outlast the retries to reach the response.
			f.emulator.InjectFault(emulator.Fault{Action: "ProcessMedia", Code: code, Message: "injected by the test", Times: -1})

			status, body, _ := f.invokeWithin(10*time.Second, functionURL(uploadBody("5285890799999991001")))
			if want := statusOf[rule.Class]; status != want {
				t.Errorf("status %d (%+v), want %d for class %s", status, body, want, rule.Class)
			}
			if rule.Class != vodclient.AlreadyStarted && body.ErrorCode != code {
				t.Errorf("answer error_code %q, want %q", body.ErrorCode, code)
			}
			t.Logf("fault-table | ProcessMedia answers %s | %d | %s", code, status, rule.Class)
		})
	}
}

// TestFaultTransport covers faults that are not API error codes: a slow
// response, a dropped connection, a deadline too close to call VOD, and a
// rate limit that clears within the invocation.
func TestFaultTransport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		fault       emulator.Fault
		timeout     time.Duration // the invocation's deadline
		wantStatus  int
		wantCalls   int
		maxDuration time.Duration
	}{
		{"answer slower than the call timeout", emulator.Fault{Delay: 6 * time.Second}, 10 * time.Second, 503, 1, vodclient.DefaultCallTimeout + time.Second},
		{"answer slower than the deadline", emulator.Fault{Delay: 6 * time.Second}, 1500 * time.Millisecond, 503, 1, 1500 * time.Millisecond},
		{"deadline leaves no time", emulator.Fault{}, 400 * time.Millisecond, 503, 0, 400 * time.Millisecond},
		{"connection dropped", emulator.Fault{Drop: true}, 10 * time.Second, 503, 1, 2 * time.Second},
		{"rate limit twice, then success", emulator.Fault{Code: "RequestLimitExceeded", Times: 2}, 10 * time.Second, 200, 3, 3 * time.Second},
		{"rate limit until the deadline", emulator.Fault{Code: "RequestLimitExceeded", Times: -1}, 900 * time.Millisecond, 503, 0, 900 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil, `{}`)
			f.upload("5285890799999991002")
			tt.fault.Action = "ProcessMedia"
			f.emulator.InjectFault(tt.fault)

			status, body, elapsed := f.invokeWithin(tt.timeout, functionURL(uploadBody("5285890799999991002")))
			if status != tt.wantStatus {
				t.Errorf("status %d (%+v), want %d", status, body, tt.wantStatus)
			}
			if elapsed > tt.maxDuration {
				t.Errorf("answered after %s, want within %s", elapsed.Round(time.Millisecond), tt.maxDuration)
			}
			if calls := len(f.emulator.CallsTo("ProcessMedia")); tt.wantCalls > 0 && calls != tt.wantCalls {
				t.Errorf("%d ProcessMedia calls, want %d", calls, tt.wantCalls)
			}
			if tt.wantCalls == 0 && tt.fault.Code == "" && len(f.emulator.CallsTo("ProcessMedia")) != 0 {
				t.Error("VOD was called although the deadline left no time")
			}
			t.Logf("fault-table | %s (deadline %s) | %d | answered in %s", tt.name, tt.timeout, status, elapsed.Round(10*time.Millisecond))
		})
	}
}
