package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// adminRequest sends a request to an /emulator/ endpoint and returns the
// status and body.
func (env *testEnv) adminRequest(t *testing.T, method, path, body string) (int, string) {
	t.Helper()

	req, err := http.NewRequest(method, env.server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("building %s %s: %v", method, path, err)
	}
	resp, err := env.server.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()

	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s %s: %v", method, path, err)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, path, got)
	}
	return resp.StatusCode, string(data)
}

func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	env := newTestEnv(t, Options{CallbackURL: callback.URL})

	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantBody   string // substring
	}{
		{"health", "GET", "/emulator/health", "", 200, `{"ok":true}`},
		{"upload", "POST", "/emulator/upload", `{"Name":"a.mp4","FileId":"123456"}`, 200, `"FileId":"123456"`},
		{"upload default", "POST", "/emulator/upload", ``, 200, `"Status":200`},
		{"upload duplicate", "POST", "/emulator/upload", `{"FileId":"123456"}`, 409, `already exists`},
		{"upload bad file id", "POST", "/emulator/upload", `{"FileId":"12ab"}`, 400, `decimal digits`},
		{"upload unknown field", "POST", "/emulator/upload", `{"Size":1}`, 400, `unknown field`},
		{"upload not json", "POST", "/emulator/upload", `{`, 400, `invalid JSON`},
		{"calls", "GET", "/emulator/calls", "", 200, `[]`},
		{"deliveries", "GET", "/emulator/deliveries", "", 200, `"EventType":"NewFileUpload"`},
		{"add fault", "POST", "/emulator/faults", `{"Action":"PullEvents","Delay":"3s","Times":2}`, 200, `{"ok":true}`},
		{"fault bad delay", "POST", "/emulator/faults", `{"Code":"InternalError","Delay":"soon"}`, 400, `Go duration`},
		{"fault negative delay", "POST", "/emulator/faults", `{"Delay":"-1s"}`, 400, `negative`},
		{"fault without effect", "POST", "/emulator/faults", `{"Action":"PullEvents"}`, 400, `no effect`},
		{"clear faults", "DELETE", "/emulator/faults", "", 200, `{"ok":true}`},
		{"wrong method", "GET", "/emulator/faults", "", 405, `use POST or DELETE`},
		{"unknown endpoint", "GET", "/emulator/nothing", "", 404, `no such endpoint`},
		{"unknown path", "GET", "/v1/things", "", 404, `no such path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := env.adminRequest(t, tt.method, tt.path, tt.body)
			if status != tt.wantStatus {
				t.Errorf("status = %d, want %d (body %s)", status, tt.wantStatus, body)
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("body = %s, want it to contain %s", body, tt.wantBody)
			}
		})
	}
}

func TestAdminFaultApplies(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})

	status, body := env.adminRequest(t, "POST", "/emulator/faults", `{"Action":"DescribeEventConfig","Code":"InternalError","Delay":"10ms"}`)
	if status != 200 {
		t.Fatalf("POST /emulator/faults: status %d, body %s", status, body)
	}

	err := env.callRaw(t, "DescribeEventConfig", `{}`)
	if got := errorCode(t, err); got != "InternalError" {
		t.Errorf("code = %q, want InternalError", got)
	}

	status, body = env.adminRequest(t, "GET", "/emulator/calls", "")
	var calls []Call
	if err := json.Unmarshal([]byte(body), &calls); err != nil || status != 200 {
		t.Fatalf("GET /emulator/calls: status %d, %v", status, err)
	}
	if len(calls) != 1 || calls[0].ErrorCode != "InternalError" || string(calls[0].Params) != "{}" {
		t.Errorf("calls = %+v, want one InternalError call with params {}", calls)
	}
}

func TestAdminUploadResult(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	env := newTestEnv(t, Options{CallbackURL: callback.URL})

	status, body := env.adminRequest(t, "POST", "/emulator/upload", `{"Name":"b.mp4","SubAppId":2,"Width":1280,"Height":720,"Duration":3}`)
	if status != 200 {
		t.Fatalf("status %d, body %s", status, body)
	}

	var result UploadResult
	if err := json.Unmarshal([]byte(body), &result); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	if result.FileId == "" || !strings.HasSuffix(result.MediaUrl, "/b.mp4") {
		t.Errorf("result = %+v, want a FileId and a MediaUrl ending in /b.mp4", result)
	}
	if result.Delivery == nil || result.Delivery.Status != 200 {
		t.Fatalf("Delivery = %+v, want status 200", result.Delivery)
	}
	event := decodeEvent(t, result.Delivery.Body)
	if *event.FileUploadEvent.MetaData.Width != 1280 {
		t.Errorf("delivered Width = %d, want 1280", *event.FileUploadEvent.MetaData.Width)
	}

	req := vod.NewProcessMediaRequest()
	req.FileId = common.StringPtr(result.FileId)
	req.SubAppId = common.Uint64Ptr(2)
	req.MediaProcessTask = &vod.MediaProcessTaskInput{
		TranscodeTaskSet: []*vod.TranscodeTaskInput{{Definition: common.Uint64Ptr(100010)}},
	}
	if _, err := env.client.ProcessMedia(req); err != nil {
		t.Errorf("ProcessMedia on the uploaded file in sub-application 2: %v", err)
	}
}

func TestCallsRecordInvalidBody(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})

	req, err := http.NewRequest(http.MethodPost, env.server.URL+"/", strings.NewReader("not json"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-TC-Action", "DescribeEventConfig")
	req.Header.Set("X-TC-Version", apiVersion)
	resp, err := env.server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	var response struct {
		Response struct {
			Error     struct{ Code, Message string }
			RequestId string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&response); err != nil {
		t.Fatalf("decoding the response: %v", err)
	}
	if resp.StatusCode != 200 || response.Response.Error.Code != "AuthFailure.InvalidAuthorization" || response.Response.RequestId == "" {
		t.Errorf("response = %d %+v, want 200 with AuthFailure.InvalidAuthorization and a RequestId", resp.StatusCode, response)
	}

	calls := env.emulator.Calls()
	if len(calls) != 1 || string(calls[0].Params) != `"not json"` {
		t.Fatalf("calls = %+v, want the body stored as a JSON string", calls)
	}
	if _, err := json.Marshal(calls); err != nil {
		t.Errorf("the call log does not encode: %v", err)
	}
}

func TestAPIRequestShape(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})

	tests := []struct {
		name    string
		method  string
		action  string
		version string
		want    string
	}{
		{"get", "GET", "DescribeEventConfig", apiVersion, "InvalidParameter"},
		{"no action", "POST", "", apiVersion, "MissingParameter"},
		{"no version", "POST", "DescribeEventConfig", "", "MissingParameter"},
		{"old version", "POST", "DescribeEventConfig", "2017-03-12", "NoSuchVersion"},
		{"unknown action", "POST", "Nothing", apiVersion, "InvalidAction"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, env.server.URL+"/", strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-TC-Action", tt.action)
			req.Header.Set("X-TC-Version", tt.version)
			req.Header.Set("X-TC-Timestamp", "0")
			resp, err := env.server.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()

			var response struct {
				Response struct{ Error struct{ Code string } }
			}
			if err := json.NewDecoder(resp.Body).Decode(&response); err != nil {
				t.Fatalf("decoding the response: %v", err)
			}
			if got := response.Response.Error.Code; got != tt.want {
				t.Errorf("error code = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWaitDeliveriesTimeout(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	got, err := env.emulator.WaitDeliveries(ctx, 1)

	if err == nil || len(got) != 0 {
		t.Errorf("WaitDeliveries = %d deliveries, error %v; want none and a timeout error", len(got), err)
	}
}
