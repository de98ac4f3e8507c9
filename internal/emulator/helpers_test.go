package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

var (
	testCredential  = Credential{SecretId: "AKIDtestpermanent", SecretKey: "permanent-secret"}
	tokenCredential = Credential{SecretId: "AKIDtesttemporary", SecretKey: "temporary-secret", Token: "session-token"}
)

// testEnv is an emulator served by httptest with a real SDK client.
type testEnv struct {
	emulator *Emulator
	server   *httptest.Server
	client   *vod.Client
}

// newTestEnv starts an emulator with fast defaults for tests. Options
// fields set by the caller win.
func newTestEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()

	if opts.Credentials == nil {
		opts.Credentials = []Credential{testCredential, tokenCredential}
	}
	if opts.TaskDelay == 0 {
		opts.TaskDelay = 20 * time.Millisecond
	}
	if opts.PullWait == 0 {
		opts.PullWait = 200 * time.Millisecond
	}

	e, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.retryInterval = 10 * time.Millisecond

	server := httptest.NewServer(e)
	t.Cleanup(func() {
		server.Close()
		e.Close()
	})

	env := &testEnv{emulator: e, server: server}
	env.client = env.newClient(t, common.NewCredential(testCredential.SecretId, testCredential.SecretKey))
	return env
}

// newClient returns an SDK client for the emulator with the given credential.
func (env *testEnv) newClient(t *testing.T, credential common.CredentialIface) *vod.Client {
	t.Helper()

	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = env.endpoint()
	cpf.HttpProfile.Scheme = "HTTP"
	client, err := vod.NewClient(credential, "ap-guangzhou", cpf)
	if err != nil {
		t.Fatalf("vod.NewClient: %v", err)
	}
	return client
}

func (env *testEnv) endpoint() string {
	return strings.TrimPrefix(env.server.URL, "http://")
}

// callRaw sends action with a raw JSON body through the SDK's common
// client, so the request is signed like any other.
func (env *testEnv) callRaw(t *testing.T, action, body string) error {
	t.Helper()

	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = env.endpoint()
	cpf.HttpProfile.Scheme = "HTTP"
	client := common.NewCommonClient(common.NewCredential(testCredential.SecretId, testCredential.SecretKey), "ap-guangzhou", cpf)

	req := tchttp.NewCommonRequest("vod", apiVersion, action)
	if err := req.SetActionParameters(body); err != nil {
		t.Fatalf("SetActionParameters: %v", err)
	}
	return client.Send(req, tchttp.NewCommonResponse())
}

// upload creates a file and fails the test on error.
func (env *testEnv) upload(t *testing.T, req UploadRequest) UploadResult {
	t.Helper()

	result, err := env.emulator.Upload(context.Background(), req)
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	return result
}

// processMedia starts a transcoding task with the given templates.
func (env *testEnv) processMedia(fileId string, templates ...uint64) (*vod.ProcessMediaResponse, error) {
	req := vod.NewProcessMediaRequest()
	req.FileId = common.StringPtr(fileId)
	req.MediaProcessTask = &vod.MediaProcessTaskInput{}
	for _, definition := range templates {
		req.MediaProcessTask.TranscodeTaskSet = append(req.MediaProcessTask.TranscodeTaskSet,
			&vod.TranscodeTaskInput{Definition: common.Uint64Ptr(definition)})
	}
	return env.client.ProcessMedia(req)
}

// waitDeliveries waits up to 5 seconds for n delivery attempts.
func (env *testEnv) waitDeliveries(t *testing.T, n int) []Delivery {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := env.emulator.WaitDeliveries(ctx, n)
	if err != nil {
		t.Fatalf("WaitDeliveries(%d): %v", n, err)
	}
	return got
}

// errorCode returns the API error code of an SDK error, "" for nil.
func errorCode(t *testing.T, err error) string {
	t.Helper()

	if err == nil {
		return ""
	}
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) {
		t.Fatalf("error %v is not a TencentCloudSDKError", err)
	}
	return sdkErr.Code
}

// callbackServer records the bodies POSTed to it and responds with the
// statuses in order, then 200.
type callbackServer struct {
	*httptest.Server

	mu       sync.Mutex
	bodies   [][]byte
	statuses []int
}

func newCallbackServer(t *testing.T, statuses ...int) *callbackServer {
	t.Helper()

	c := &callbackServer{statuses: statuses}
	c.Server = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.Close)
	return c
}

func (c *callbackServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)

	c.mu.Lock()
	c.bodies = append(c.bodies, body)
	status := http.StatusOK
	if len(c.statuses) > 0 {
		status, c.statuses = c.statuses[0], c.statuses[1:]
	}
	c.mu.Unlock()

	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"ok":true}`)
}

// decodeEvent decodes a delivered body into the SDK event type.
func decodeEvent(t *testing.T, body []byte) *vod.EventContent {
	t.Helper()

	var event vod.EventContent
	if err := json.Unmarshal(body, &event); err != nil {
		t.Fatalf("decoding event %s: %v", body, err)
	}
	return &event
}

// findDelivery returns the first delivery of an event type.
func findDelivery(t *testing.T, deliveries []Delivery, eventType string) Delivery {
	t.Helper()

	for _, d := range deliveries {
		if d.EventType == eventType {
			return d
		}
	}
	t.Fatalf("no %s delivery among %d", eventType, len(deliveries))
	return Delivery{}
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Now()}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.now = c.now.Add(d)
}
