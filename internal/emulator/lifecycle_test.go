package emulator

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

func TestCloseWithPendingTasks(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	env := newTestEnv(t, Options{CallbackURL: callback.URL, TaskDelay: time.Hour})
	file := env.upload(t, UploadRequest{})
	for range 3 {
		if _, err := env.processMedia(file.FileId, 100010); err != nil {
			t.Fatalf("ProcessMedia: %v", err)
		}
	}

	closed := make(chan struct{})
	go func() {
		env.emulator.Close()
		env.emulator.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		t.Fatal("Close did not return while tasks were pending")
	}

	if got := len(env.emulator.Deliveries()); got != 1 {
		t.Errorf("got %d deliveries, want only the NewFileUpload one", got)
	}

	_, err := env.processMedia(file.FileId, 100010)
	if got := errorCode(t, err); got != "InternalError" {
		t.Errorf("ProcessMedia after Close: code %q, want InternalError", got)
	}
	if _, err := env.emulator.Upload(context.Background(), UploadRequest{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Upload after Close: error %v, want ErrClosed", err)
	}
	if _, err := env.emulator.WaitDeliveries(context.Background(), 5); !errors.Is(err, ErrClosed) {
		t.Errorf("WaitDeliveries after Close: error %v, want ErrClosed", err)
	}
}

func TestCloseStopsHeldPull(t *testing.T) {
	t.Parallel()
	env := newPullEnv(t, Options{PullWait: 10 * time.Second})

	result := make(chan error, 1)
	go func() {
		_, err := env.client.PullEvents(vod.NewPullEventsRequest())
		result <- err
	}()
	waitForCalls(t, env.emulator, 2)
	time.Sleep(20 * time.Millisecond)
	env.emulator.Close()

	select {
	case err := <-result:
		if err != nil {
			t.Errorf("PullEvents: %v, want an empty EventSet", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("PullEvents still held after Close")
	}
}

func TestCloseStopsDeliveryRetries(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t, 500, 500, 500, 500, 500)
	env := newTestEnv(t, Options{CallbackURL: callback.URL, PushRetries: 5})
	env.emulator.retryInterval = time.Hour

	uploaded := make(chan UploadResult, 1)
	go func() {
		result, _ := env.emulator.Upload(context.Background(), UploadRequest{})
		uploaded <- result
	}()
	env.waitDeliveries(t, 1)
	env.emulator.Close()

	select {
	case result := <-uploaded:
		if result.Delivery == nil || result.Delivery.Attempt != 1 || result.Delivery.Status != 500 {
			t.Errorf("Delivery = %+v, want the failed first attempt", result.Delivery)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Upload still waiting to retry after Close")
	}
}

// waitForCalls waits until at least n API calls are recorded.
func waitForCalls(t *testing.T, e *Emulator, n int) {
	t.Helper()

	deadline := time.Now().Add(3 * time.Second)
	for len(e.Calls()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("got %d calls, want %d", len(e.Calls()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStart(t *testing.T) {
	t.Parallel()
	server, err := Start("127.0.0.1:0", Options{Credentials: []Credential{testCredential}})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer server.Close()

	if !strings.HasPrefix(server.URL, "http://127.0.0.1:") || server.URL != "http://"+server.Endpoint {
		t.Errorf("URL = %q, Endpoint = %q", server.URL, server.Endpoint)
	}

	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = server.Endpoint
	cpf.HttpProfile.Scheme = "HTTP"
	client, err := vod.NewClient(common.NewCredential(testCredential.SecretId, testCredential.SecretKey), "ap-guangzhou", cpf)
	if err != nil {
		t.Fatalf("vod.NewClient: %v", err)
	}
	if _, err := client.DescribeEventConfig(vod.NewDescribeEventConfigRequest()); err != nil {
		t.Errorf("DescribeEventConfig: %v", err)
	}

	server.Close()
	server.Close()
	if _, err := client.DescribeEventConfig(vod.NewDescribeEventConfigRequest()); err == nil {
		t.Error("DescribeEventConfig succeeded after Close")
	}
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	if _, err := Start("127.0.0.1:0", Options{}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("Start without credentials: error %v, want ErrInvalidOptions", err)
	}
	if _, err := Start("127.0.0.1:-1", Options{Credentials: []Credential{testCredential}}); err == nil {
		t.Error("Start on an invalid port succeeded")
	}
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	valid := []Credential{testCredential}

	tests := []struct {
		name string
		opts Options
		want string // substring of the error; "" for success
	}{
		{"valid", Options{Credentials: valid}, ""},
		{"no credentials", Options{}, "no credentials"},
		{"empty id", Options{Credentials: []Credential{{SecretKey: "k"}}}, "SecretId is empty"},
		{"empty key", Options{Credentials: []Credential{{SecretId: "id"}}}, "SecretKey is empty"},
		{"duplicate id", Options{Credentials: []Credential{testCredential, testCredential}}, "listed twice"},
		{"negative delay", Options{Credentials: valid, TaskDelay: -time.Second}, "TaskDelay is negative"},
		{"negative retries", Options{Credentials: valid, PushRetries: -1}, "PushRetries is negative"},
		{"bad callback url", Options{Credentials: valid, CallbackURL: "localhost:80"}, "CallbackURL"},
		{"bad sign key", Options{Credentials: valid, SignKey: "has space"}, "SignKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := New(tt.opts)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				e.Close()
				return
			}

			if !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want ErrInvalidOptions containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testCredential.SecretKey) {
				t.Errorf("error %q contains a secret key", err)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	e, err := New(Options{Credentials: []Credential{testCredential}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(e.Close)

	got := e.opts
	if got.AppId != 1250000000 || got.TaskDelay != 500*time.Millisecond || got.DeliveryTimeout != 5*time.Second ||
		got.SessionWindow != 72*time.Hour || got.PullWait != 5*time.Second || got.LeaseTime != 30*time.Second {
		t.Errorf("defaults = AppId %d, TaskDelay %s, DeliveryTimeout %s, SessionWindow %s, PullWait %s, LeaseTime %s",
			got.AppId, got.TaskDelay, got.DeliveryTimeout, got.SessionWindow, got.PullWait, got.LeaseTime)
	}
	if got.Now == nil || got.HTTPClient == nil || got.Logger == nil {
		t.Error("Now, HTTPClient or Logger has no default")
	}
}

func TestUploadValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})
	env.upload(t, UploadRequest{FileId: "42"})

	tests := []struct {
		name string
		req  UploadRequest
		want error
	}{
		{"defaults", UploadRequest{}, nil},
		{"huge file id", UploadRequest{FileId: "18446744073709551617"}, nil},
		{"same id other sub-app", UploadRequest{FileId: "42", SubAppId: 1}, nil},
		{"duplicate id", UploadRequest{FileId: "42"}, ErrFileExists},
		{"letters in id", UploadRequest{FileId: "42a"}, ErrInvalidUpload},
		{"negative id", UploadRequest{FileId: "-42"}, ErrInvalidUpload},
		{"id too long", UploadRequest{FileId: strings.Repeat("9", 33)}, ErrInvalidUpload},
		{"slash in name", UploadRequest{Name: "a/b.mp4"}, ErrInvalidUpload},
		{"newline in name", UploadRequest{Name: "a\nb.mp4"}, ErrInvalidUpload},
		{"only width", UploadRequest{Width: 640}, ErrInvalidUpload},
		{"negative height", UploadRequest{Width: 640, Height: -1}, ErrInvalidUpload},
		{"negative duration", UploadRequest{Duration: -1}, ErrInvalidUpload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.emulator.Upload(context.Background(), tt.req)
			if !errors.Is(err, tt.want) {
				t.Errorf("Upload error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestUploadGeneratesFileIds(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})

	seen := make(map[string]bool)
	for range 50 {
		result := env.upload(t, UploadRequest{})
		if len(result.FileId) != 19 || !isDigits(result.FileId) {
			t.Errorf("FileId = %q, want 19 digits", result.FileId)
		}
		if seen[result.FileId] {
			t.Errorf("FileId %s generated twice", result.FileId)
		}
		seen[result.FileId] = true
	}
}
