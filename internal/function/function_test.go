package function_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tencentyun/scf-go-lib/functioncontext"

	"github.com/vodhook/vodhook/internal/config"
	"github.com/vodhook/vodhook/internal/emulator"
	"github.com/vodhook/vodhook/internal/function"
	"github.com/vodhook/vodhook/internal/leakcheck"
	"github.com/vodhook/vodhook/internal/logging"
	"github.com/vodhook/vodhook/internal/notification"
	"github.com/vodhook/vodhook/internal/trigger"
	"github.com/vodhook/vodhook/internal/vodclient"
)

var roleCredential = emulator.Credential{SecretId: "AKIDroleTEST0001", SecretKey: "role-secret-key-0001", Token: "role-session-token-0001"}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture runs the function against an emulator started for the test.
type fixture struct {
	t        *testing.T
	emulator *emulator.Emulator
	fn       *function.Function
	logs     *syncBuffer
	env      map[string]string
	envMu    sync.Mutex
}

func newFixture(t *testing.T, env map[string]string, file string) *fixture {
	t.Helper()
	emu, err := emulator.New(emulator.Options{
		Credentials: []emulator.Credential{roleCredential, {SecretId: "AKIDfileTEST0002", SecretKey: "file-secret-key-0002"}},
		TaskDelay:   time.Hour, // these tests look at calls, not at callbacks
	})
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(emu)
	t.Cleanup(func() {
		server.Close()
		emu.Close()
	})

	f := &fixture{t: t, emulator: emu, logs: &syncBuffer{}, env: map[string]string{
		config.EnvEndpoint:     server.URL,
		config.EnvSecretID:     roleCredential.SecretId,
		config.EnvSecretKey:    roleCredential.SecretKey,
		config.EnvSessionToken: roleCredential.Token,
	}}
	for k, v := range env {
		f.env[k] = v
	}

	parsed, err := config.ParseFile([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	registerSecrets(f.env, parsed)
	f.fn = function.New(function.Options{
		File:   parsed,
		Getenv: f.getenv,
		Logger: logging.New(io.MultiWriter(f.logs, leakcheck.Writer()), slog.LevelDebug),
	})
	return f
}

// registerSecrets gives leakcheck every secret the function is configured
// with.
func registerSecrets(env map[string]string, file config.File) {
	for _, name := range []string{config.EnvSecretID, config.EnvSecretKey, config.EnvSessionToken, config.EnvSignKey} {
		leakcheck.Secret(name, env[name])
	}
	leakcheck.Secret("secret_id", file.SecretID)
	leakcheck.Secret("secret_key", file.SecretKey)
	if file.SignKey != nil {
		leakcheck.Secret("sign_key", *file.SignKey)
	}
}

func TestMain(m *testing.M) {
	leakcheck.Main(m)
}

func (f *fixture) getenv(name string) string {
	f.envMu.Lock()
	defer f.envMu.Unlock()
	return f.env[name]
}

func (f *fixture) setenv(name, value string) {
	f.envMu.Lock()
	defer f.envMu.Unlock()
	f.env[name] = value
}

func (f *fixture) upload(fileID string) {
	f.t.Helper()
	if _, err := f.emulator.Upload(context.Background(), emulator.UploadRequest{FileId: fileID}); err != nil {
		f.t.Fatal(err)
	}
}

// reply is the JSON body of a response.
type reply struct {
	OK        bool   `json:"ok"`
	Outcome   string `json:"outcome"`
	Decision  string `json:"decision"`
	EventType string `json:"event_type"`
	FileID    string `json:"file_id"`
	TaskID    string `json:"task_id"`
	Error     string `json:"error"`
	ErrorCode string `json:"error_code"`
	RequestID string `json:"request_id"`
}

// invoke calls the function as scf-go-lib does and decodes the response.
func (f *fixture) invoke(payload []byte) (trigger.Response, reply) {
	f.t.Helper()
	ctx := functioncontext.NewContext(context.Background(), &functioncontext.FunctionContext{RequestID: "req-" + strconv.Itoa(len(payload))})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()

	out, err := f.fn.Invoke(ctx, payload)
	if err != nil {
		f.t.Fatalf("Invoke returned an error: %v", err)
	}
	return decodeAnswer(f.t, out)
}

// decodeAnswer decodes an integrated response and its JSON body.
func decodeAnswer(t *testing.T, out []byte) (trigger.Response, reply) {
	t.Helper()
	var resp trigger.Response
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("answer is not an integrated response: %s", out)
	}
	var body reply
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatalf("answer body is not JSON: %q", resp.Body)
	}
	return resp, body
}

// lines returns the decoded log lines so far.
func (f *fixture) lines() []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(f.logs.String()), "\n") {
		if line == "" {
			continue
		}
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			f.t.Fatalf("log line is not JSON: %s", line)
		}
		out = append(out, entry)
	}
	return out
}

func (f *fixture) findLine(msgPrefix string) map[string]any {
	for _, l := range f.lines() {
		if msg, _ := l["msg"].(string); strings.HasPrefix(msg, msgPrefix) {
			return l
		}
	}
	f.t.Fatalf("no log line starts with %q; log:\n%s", msgPrefix, f.logs.String())
	return nil
}

func uploadBody(fileID string) []byte {
	return []byte(`{"EventType":"NewFileUpload","FileUploadEvent":{"FileId":"` + fileID + `","ProcedureTaskId":""}}`)
}

func functionURL(body []byte) []byte {
	payload, _ := json.Marshal(map[string]any{"body": string(body), "headers": map[string]string{"content-type": "application/json"}, "httpMethod": "POST", "path": "/", "queryString": map[string]string{}})
	return payload
}

func TestUploadStartsTranscodeOnEmulator(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, `{"subappid":0,"definitions":[100010,100020]}`)
	f.upload("5285890799999990001")

	resp, body := f.invoke(functionURL(uploadBody("5285890799999990001")))
	if resp.StatusCode != 200 || body.Decision != "transcode_started" || body.TaskID == "" {
		t.Fatalf("answer = %d %+v", resp.StatusCode, body)
	}

	calls := f.emulator.CallsTo("ProcessMedia")
	if len(calls) != 1 {
		t.Fatalf("%d ProcessMedia calls, want 1", len(calls))
	}
	var params struct {
		FileId           string
		SubAppId         *uint64
		SessionId        string
		MediaProcessTask struct{ TranscodeTaskSet []struct{ Definition uint64 } }
	}
	if err := json.Unmarshal(calls[0].Params, &params); err != nil {
		t.Fatal(err)
	}
	if params.FileId != "5285890799999990001" || params.SubAppId != nil {
		t.Errorf("FileId %q SubAppId %v; want the file and no SubAppId", params.FileId, params.SubAppId)
	}
	if got := params.MediaProcessTask.TranscodeTaskSet; len(got) != 2 || got[0].Definition != 100010 || got[1].Definition != 100020 {
		t.Errorf("TranscodeTaskSet = %+v", got)
	}
	if want := vodclient.SessionID("5285890799999990001", 0, []uint64{100010, 100020}); params.SessionId != want {
		t.Errorf("SessionId = %q, want %q", params.SessionId, want)
	}
	if calls[0].SecretId != roleCredential.SecretId {
		t.Errorf("signed with %q, want the role's key", calls[0].SecretId)
	}

	started := f.findLine("transcode started")
	if started["task_id"] != body.TaskID || started["request_id"] == "" || started["vod_request_id"] == "" {
		t.Errorf("log line = %v", started)
	}
}

func TestSubAppIDSent(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{config.EnvSubAppID: "1500000001"}, `{}`)
	if _, err := f.emulator.Upload(context.Background(), emulator.UploadRequest{FileId: "5285890799999990003", SubAppId: 1500000001}); err != nil {
		t.Fatal(err)
	}
	resp, body := f.invoke(functionURL(uploadBody("5285890799999990003")))
	if resp.StatusCode != 200 {
		t.Fatalf("answer = %d %+v", resp.StatusCode, body)
	}
	calls := f.emulator.CallsTo("ProcessMedia")
	if len(calls) != 1 || calls[0].SubAppId != 1500000001 {
		t.Errorf("calls = %+v, want one with SubAppId 1500000001", calls)
	}
}

func TestUnknownFileRejected(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, `{}`)
	resp, body := f.invoke(functionURL(uploadBody("5285890799999999999")))
	if resp.StatusCode != 500 || body.Outcome != "rejected" || body.ErrorCode != "InvalidParameterValue.FileId" {
		t.Fatalf("answer = %d %+v", resp.StatusCode, body)
	}
	line := f.findLine("notification not handled: VOD rejected the request")
	if line["error_code"] != "InvalidParameterValue.FileId" || line["level"] != "ERROR" || line["file_id"] != "5285890799999999999" || line["vod_request_id"] == "" {
		t.Errorf("log line = %v", line)
	}
}

func TestCredentialsReadPerInvocation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, `{"secret_id":"AKIDfileTEST0002","secret_key":"file-secret-key-0002"}`)
	f.upload("5285890799999990004")
	f.upload("5285890799999990005")

	f.invoke(functionURL(uploadBody("5285890799999990004")))
	f.setenv(config.EnvSecretID, "")
	f.setenv(config.EnvSecretKey, "")
	f.setenv(config.EnvSessionToken, "")
	f.invoke(functionURL(uploadBody("5285890799999990005")))

	calls := f.emulator.CallsTo("ProcessMedia")
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	if calls[0].SecretId != roleCredential.SecretId || calls[1].SecretId != "AKIDfileTEST0002" {
		t.Errorf("signed with %q then %q; want the role's key, then config.json's once the role's variables are gone", calls[0].SecretId, calls[1].SecretId)
	}
	for _, c := range calls {
		if c.ErrorCode != "" {
			t.Errorf("call failed: %+v", c)
		}
	}
}

func TestNoCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{config.EnvSecretID: "", config.EnvSecretKey: "", config.EnvSessionToken: ""}, `{}`)

	resp, body := f.invoke(functionURL(uploadBody("5285890799999990006")))
	if resp.StatusCode != 500 || body.Outcome != "misconfigured" {
		t.Fatalf("answer = %d %+v", resp.StatusCode, body)
	}
	if strings.Contains(body.Error, "TENCENTCLOUD") {
		t.Errorf("the public answer shows configuration detail: %q", body.Error)
	}
	line := f.findLine("notification not handled: invalid configuration")
	if msg, _ := line["error"].(string); !strings.Contains(msg, "execution role") {
		t.Errorf("log line does not say how to fix it: %v", line)
	}

	// Events that need no VOD call still work without credentials.
	resp, _ = f.invoke(functionURL([]byte(`{"EventType":"FileDeleted"}`)))
	if resp.StatusCode != 200 {
		t.Errorf("FileDeleted without credentials: status %d, want 200", resp.StatusCode)
	}
}

func TestInvalidConfiguration(t *testing.T) {
	t.Parallel()
	f := newFixture(t, map[string]string{config.EnvDefinitions: "100010,-5"}, `{}`)
	resp, body := f.invoke(functionURL(uploadBody("5285890799999990007")))
	if resp.StatusCode != 500 || body.Outcome != "misconfigured" {
		t.Fatalf("answer = %d %+v", resp.StatusCode, body)
	}
	line := f.findLine("notification not handled: invalid configuration")
	if msg, _ := line["error"].(string); !strings.Contains(msg, "template id -5") {
		t.Errorf("log line = %v", line)
	}
	if len(f.emulator.CallsTo("ProcessMedia")) != 0 {
		t.Error("VOD was called with an invalid configuration")
	}
}

func TestFileErrorAnswered(t *testing.T) {
	t.Parallel()
	fn := function.New(function.Options{
		FileError: config.ErrNoCredentials,
		Getenv:    func(string) string { return "" },
	})
	out, err := fn.Invoke(context.Background(), uploadBody("1"))
	if err != nil || !strings.Contains(string(out), `"statusCode":500`) {
		t.Errorf("got %s, %v; want a 500 answer", out, err)
	}
}

func TestAnswers(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, `{}`)
	read := func(path string) []byte {
		data, err := os.ReadFile(filepath.Join("..", path))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}

	tests := []struct {
		name        string
		payload     []byte
		wantStatus  int
		wantOutcome string
		wantInError string
	}{
		{"empty POST probe", functionURL(nil), 200, "probe", ""},
		{"empty GET probe", []byte(`{"httpMethod":"GET","path":"/","headers":{}}`), 200, "probe", ""},
		{"not JSON", functionURL([]byte("hello")), 400, "malformed", "not JSON"},
		{"array", functionURL([]byte("[]")), 400, "malformed", "not a JSON object"},
		{"no EventType", functionURL([]byte(`{"FileUploadEvent":{}}`)), 400, "malformed", "EventType"},
		{"no FileId", functionURL([]byte(`{"EventType":"NewFileUpload","FileUploadEvent":{}}`)), 400, "malformed", "FileId"},
		{"FileId number", functionURL([]byte(`{"EventType":"NewFileUpload","FileUploadEvent":{"FileId":1}}`)), 400, "malformed", "FileUploadEvent.FileId"},
		{"legacy v2.0", functionURL(read("notification/testdata/legacy/v2-NewFileUpload.json")), 400, "malformed", "v3.0 callback URL"},
		{"bad base64", []byte(`{"requestContext":{},"isBase64Encoded":true,"body":"***"}`), 400, "malformed", "base64"},
		{"ignored type", functionURL(read("notification/testdata/events/FileDeleted.json")), 200, "handled", ""},
		{"unknown type", functionURL([]byte(`{"EventType":"Future2030"}`)), 200, "handled", ""},
		{"processing", functionURL(read("notification/testdata/events/ProcedureStateChanged-processing.json")), 200, "handled", ""},
		{"finished", read("trigger/testdata/function-url-procedure.json"), 200, "handled", ""},
		{"apigw envelope", read("trigger/testdata/apigw.json"), 500, "rejected", "InvalidParameterValue.FileId"},
		{"apigw base64", read("trigger/testdata/apigw-base64.json"), 500, "rejected", "InvalidParameterValue.FileId"},
		{"console test", read("trigger/testdata/console-test.json"), 500, "rejected", "InvalidParameterValue.FileId"},
		{"with procedure", functionURL(read("notification/testdata/events/NewFileUpload-procedure.json")), 200, "handled", ""},
		{"timer", read("trigger/testdata/timer.json"), 200, "ignored", ""},
		{"white space only", functionURL([]byte(" \r\n ")), 200, "probe", ""},
		{"byte order mark", functionURL([]byte("\ufeff" + `{"EventType":"FileDeleted"}`)), 200, "handled", ""},
		{"null members", functionURL([]byte(`{"EventType":"FileDeleted","FileUploadEvent":null,"ProcedureStateChangeEvent":null}`)), 200, "handled", ""},
		{"unknown fields", functionURL([]byte(`{"EventType":"FileDeleted","Extra":{"a":[1,2]},"FileDeleteEvent":{"New":true}}`)), 200, "handled", ""},
		{"JSON string", functionURL([]byte(`"NewFileUpload"`)), 400, "malformed", "a string"},
		{"JSON number", functionURL([]byte(`12`)), 400, "malformed", "a number"},
		{"ErrCode string", functionURL([]byte(`{"EventType":"ProcedureStateChanged","ProcedureStateChangeEvent":{"ErrCode":"0"}}`)), 400, "malformed", "ErrCode is a JSON string"},
		{"ProcedureStateChanged without event", functionURL([]byte(`{"EventType":"ProcedureStateChanged","ProcedureStateChangeEvent":null}`)), 400, "malformed", "without ProcedureStateChangeEvent"},
		{"legacy v2.0 task flow", functionURL(read("notification/testdata/legacy/v2-ProcedureStateChanged.json")), 400, "malformed", "v2.0"},
		{"AI results", functionURL(read("notification/testdata/events/ProcedureStateChanged-ai.json")), 200, "handled", ""},
		{"large body", functionURL(emulator.LargeProcedureEvent(5 << 20)), 200, "handled", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.invoke(tt.payload)
			if resp.StatusCode != tt.wantStatus || body.Outcome != tt.wantOutcome {
				t.Errorf("answer = %d %+v, want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantOutcome)
			}
			if !strings.Contains(body.Error, tt.wantInError) {
				t.Errorf("error %q does not contain %q", body.Error, tt.wantInError)
			}
			if resp.IsBase64Encoded || resp.Headers["Content-Type"] == "" {
				t.Errorf("not a plain JSON integrated response: %+v", resp)
			}
			if body.OK != (tt.wantStatus == 200) {
				t.Errorf("ok = %v for status %d", body.OK, tt.wantStatus)
			}
		})
	}

	for _, line := range f.lines() {
		if line["request_id"] == nil || line["request_id"] == "" {
			t.Errorf("log line without request_id: %v", line)
		}
	}
}

func TestSignedCallbacks(t *testing.T) {
	t.Parallel()
	const key = "CallbackSignKey42"
	f := newFixture(t, map[string]string{config.EnvSignKey: key}, `{}`)
	f.upload("5285890799999990008")
	expiry := time.Now().Add(10 * time.Minute)
	signed, err := emulator.SignCallback(uploadBody("5285890799999990008"), key, expiry)
	if err != nil {
		t.Fatal(err)
	}
	expired, _ := emulator.SignCallback(uploadBody("5285890799999990008"), key, time.Now().Add(-time.Minute))
	forged, _ := emulator.SignCallback(uploadBody("5285890799999990008"), "guessed-key", expiry)
	expiryText := strconv.FormatInt(expiry.Unix(), 10)
	headerSigned, _ := json.Marshal(map[string]any{
		"body": string(uploadBody("5285890799999990008")), "httpMethod": "POST",
		"headers": map[string]string{"Sign": strings.ToUpper(notification.Sign(key, expiryText)), "T": expiryText},
	})

	tests := []struct {
		name       string
		payload    []byte
		wantStatus int
	}{
		{"unsigned", functionURL(uploadBody("5285890799999990008")), 401},
		{"forged", functionURL(forged), 401},
		{"expired", functionURL(expired), 401},
		{"signed", functionURL(signed), 200},
		{"signed in headers", headerSigned, 200},
	}
	for _, tt := range tests {
		resp, body := f.invoke(tt.payload)
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s: status %d %+v, want %d", tt.name, resp.StatusCode, body, tt.wantStatus)
		}
		if tt.wantStatus == 401 && body.Error != "callback authentication failed" {
			t.Errorf("%s: public error %q says more than that authentication failed", tt.name, body.Error)
		}
	}
	if strings.Contains(f.logs.String(), key) {
		t.Error("the sign key appears in the log")
	}
}
