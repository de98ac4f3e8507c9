package localstack_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vodhook/vodhook/internal/emulator"
	"github.com/vodhook/vodhook/internal/leakcheck"
	"github.com/vodhook/vodhook/internal/localstack"
	"github.com/vodhook/vodhook/internal/testbinary"
	"github.com/vodhook/vodhook/internal/trigger"
)

func TestMain(m *testing.M) {
	leakcheck.Main(m)
}

func startStack(t *testing.T, opts localstack.Options) *localstack.Stack {
	t.Helper()
	opts.Binary = testbinary.Function(t)
	opts.TaskDelay = 50 * time.Millisecond
	opts.FunctionOutput = leakcheck.Line
	stack, err := localstack.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	leakcheck.Secret("role SecretId", stack.Credential.SecretId)
	leakcheck.Secret("role SecretKey", stack.Credential.SecretKey)
	leakcheck.Secret("role token", stack.Credential.Token)
	leakcheck.Secret("sign key", stack.SignKey)
	t.Cleanup(func() {
		if err := stack.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if t.Failed() {
			t.Logf("function log:\n%s", strings.Join(stack.Logs().Lines(), "\n"))
		}
	})
	return stack
}

// TestWholeLoop uploads a file and follows it through NewFileUpload,
// ProcessMedia and ProcedureStateChanged, with the built binary driven over
// scf-go-lib's RPC protocol and the real SDK talking to the emulator.
func TestWholeLoop(t *testing.T) {
	t.Parallel()
	for _, envelope := range []trigger.Envelope{trigger.FunctionURL, trigger.APIGateway} {
		t.Run(string(envelope), func(t *testing.T) {
			t.Parallel()
			stack := startStack(t, localstack.Options{Envelope: envelope})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			report, err := stack.UploadAndWait(ctx, emulator.UploadRequest{Name: "loop.mp4"})
			if err != nil {
				t.Fatal(err)
			}
			if got := report.Definitions(); !slices.Equal(got, []uint64{100010, 100020}) {
				t.Fatalf("outputs for %v, want [100010 100020]", got)
			}
			for _, out := range report.Outputs {
				def := out.String("definition")
				if url := out.String("url"); !strings.HasPrefix(url, "https://") || !strings.HasSuffix(url, "v.f"+def+".mp4") {
					t.Errorf("template %s: url %q", def, url)
				}
				if out.Number("width") == 0 || out.Number("height") == 0 || out.Number("size") == 0 || out.Number("bitrate") == 0 || out.Number("duration") == 0 {
					t.Errorf("template %s: incomplete output %v", def, out)
				}
				if out.String("task_id") == "" || out.String("request_id") == "" {
					t.Errorf("template %s: no task or request id: %v", def, out)
				}
			}
			if len(report.Failures) != 0 {
				t.Errorf("failures: %v", report.Failures)
			}

			if got := stack.Emulator.TaskCount(); got != 1 {
				t.Errorf("%d tasks started, want 1", got)
			}
			// The function logs before it responds, so the second delivery
			// may still be on its way back.
			deliveries, err := stack.Emulator.WaitDeliveries(ctx, 2)
			if err != nil || len(deliveries) != 2 {
				t.Fatalf("%d deliveries, want NewFileUpload and ProcedureStateChanged", len(deliveries))
			}
			for _, d := range deliveries {
				if d.Status != http.StatusOK {
					t.Errorf("%s delivery answered %d: %s", d.EventType, d.Status, d.Response)
				}
				if !strings.Contains(string(d.Body), `"Sign"`) {
					t.Errorf("%s delivery was not signed", d.EventType)
				}
			}
		})
	}
}

func TestWholeLoopConfigFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(`{"subappid":"1500000009","definitions":[100030,999999]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	stack := startStack(t, localstack.Options{ConfigPath: path})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	report, err := stack.UploadAndWait(ctx, emulator.UploadRequest{SubAppId: 1500000009})
	if err != nil {
		t.Fatal(err)
	}
	if got := report.Definitions(); !slices.Equal(got, []uint64{100030}) {
		t.Errorf("outputs for %v, want [100030]", got)
	}
	if len(report.Failures) != 1 || report.Failures[0].String("definition") != "999999" || report.Failures[0].String("error_code") == "" {
		t.Errorf("failures = %v, want one for template 999999 with its error code", report.Failures)
	}
}

func TestUnsignedWarnsOnce(t *testing.T) {
	t.Parallel()
	stack := startStack(t, localstack.Options{Unsigned: true})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range 2 {
		if _, err := stack.UploadAndWait(ctx, emulator.UploadRequest{}); err != nil {
			t.Fatal(err)
		}
	}

	warnings := 0
	for _, e := range stack.Logs().Entries() {
		if strings.HasPrefix(e.Message(), "callbacks are not authenticated") {
			warnings++
		}
	}
	if warnings != 1 {
		t.Errorf("%d warnings about unauthenticated callbacks, want 1 per cold start", warnings)
	}
}

func TestGatewayAnswers(t *testing.T) {
	t.Parallel()
	stack := startStack(t, localstack.Options{})
	tests := []struct {
		name       string
		body       string
		wantStatus int
	}{
		{"probe", "", 200},
		{"unsigned notification", `{"EventType":"FileDeleted"}`, 401},
		{"not JSON", "nope", 400},
		{"too large", strings.Repeat("x", 6<<20+1), 413},
	}
	for _, tt := range tests {
		resp, err := http.Post(stack.GatewayURL+"/", "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s: status %d (%s), want %d", tt.name, resp.StatusCode, answer, tt.wantStatus)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: Content-Type %q", tt.name, resp.Header.Get("Content-Type"))
		}
	}
}

// TestSecretsNotLogged runs a loop and checks that no line the function
// wrote contains the role's keys or the sign key.
func TestSecretsNotLogged(t *testing.T) {
	t.Parallel()
	stack := startStack(t, localstack.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := stack.UploadAndWait(ctx, emulator.UploadRequest{}); err != nil {
		t.Fatal(err)
	}
	// An unknown file makes the function log a VOD error too.
	body, err := emulator.SignCallback([]byte(`{"EventType":"NewFileUpload","FileUploadEvent":{"FileId":"1"}}`), stack.SignKey, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(stack.GatewayURL+"/", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("unknown file: status %d, want 500", resp.StatusCode)
	}

	secrets := []string{stack.Credential.SecretKey, stack.Credential.Token, stack.SignKey}
	for _, line := range stack.Logs().Lines() {
		for _, secret := range secrets {
			if strings.Contains(line, secret) {
				t.Errorf("log line contains a secret: %s", line)
			}
		}
	}
}
