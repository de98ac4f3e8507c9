package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

func TestAuthFailures(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})
	skewed := newTestEnv(t, Options{Now: func() time.Time { return time.Now().Add(6 * time.Minute) }})

	tests := []struct {
		name       string
		env        *testEnv
		credential common.CredentialIface
		want       string
	}{
		{"permanent key", env, common.NewCredential(testCredential.SecretId, testCredential.SecretKey), ""},
		{"temporary key", env, common.NewTokenCredential(tokenCredential.SecretId, tokenCredential.SecretKey, tokenCredential.Token), ""},
		{"wrong key", env, common.NewCredential(testCredential.SecretId, "not-the-key"), "AuthFailure.SignatureFailure"},
		{"unknown id", env, common.NewCredential("AKIDunknown", testCredential.SecretKey), "AuthFailure.SecretIdNotFound"},
		{"expired timestamp", skewed, common.NewCredential(testCredential.SecretId, testCredential.SecretKey), "AuthFailure.SignatureExpire"},
		{"token missing", env, common.NewCredential(tokenCredential.SecretId, tokenCredential.SecretKey), "AuthFailure.TokenFailure"},
		{"token wrong", env, common.NewTokenCredential(tokenCredential.SecretId, tokenCredential.SecretKey, "other-token"), "AuthFailure.TokenFailure"},
		{"token unexpected", env, common.NewTokenCredential(testCredential.SecretId, testCredential.SecretKey, "some-token"), "AuthFailure.TokenFailure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := tt.env.newClient(t, tt.credential)
			_, err := client.DescribeEventConfig(vod.NewDescribeEventConfigRequest())
			if got := errorCode(t, err); got != tt.want {
				t.Errorf("error code = %q, want %q (error %v)", got, tt.want, err)
			}
			if err != nil && strings.Contains(err.Error(), testCredential.SecretKey) {
				t.Errorf("error message %q contains the secret key", err)
			}
		})
	}
}

func TestAuthFailureRecorded(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})
	client := env.newClient(t, common.NewCredential(testCredential.SecretId, "not-the-key"))

	_, _ = client.DescribeEventConfig(vod.NewDescribeEventConfigRequest())

	calls := env.emulator.Calls()
	if len(calls) != 1 {
		t.Fatalf("got %d calls, want 1", len(calls))
	}
	got := calls[0]
	if got.Action != "DescribeEventConfig" || got.SecretId != testCredential.SecretId || got.ErrorCode != "AuthFailure.SignatureFailure" {
		t.Errorf("call = %+v, want DescribeEventConfig by %s with AuthFailure.SignatureFailure", got, testCredential.SecretId)
	}
	if got.RequestId == "" || got.Time.IsZero() {
		t.Errorf("call has RequestId %q and Time %v, want both set", got.RequestId, got.Time)
	}
}

func TestUnknownAction(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})

	err := env.callRaw(t, "DescribeNothing", `{}`)

	if got := errorCode(t, err); got != "InvalidAction" {
		t.Errorf("error code = %q, want InvalidAction", got)
	}
	calls := env.emulator.Calls()
	if len(calls) != 1 || calls[0].ErrorCode != "InvalidAction" {
		t.Errorf("calls = %+v, want one with InvalidAction", calls)
	}
}

func TestParamsDecoding(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})

	tests := []struct {
		name   string
		action string
		body   string
		want   string
	}{
		{"wrong type", "ProcessMedia", `{"FileId": 123}`, "InvalidParameter"},
		{"nested wrong type", "ProcessMedia", `{"FileId": "1", "MediaProcessTask": {"TranscodeTaskSet": [{"Definition": "x"}]}}`, "InvalidParameter"},
		{"unknown parameter", "DescribeEventConfig", `{"Color": "red"}`, "UnknownParameter"},
		{"negative sub-app", "DescribeEventConfig", `{"SubAppId": -1}`, "InvalidParameter"},
		{"valid", "DescribeEventConfig", `{"SubAppId": 1}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := env.callRaw(t, tt.action, tt.body)
			if got := errorCode(t, err); got != tt.want {
				t.Errorf("error code = %q, want %q (error %v)", got, tt.want, err)
			}
		})
	}
}

// signedRequest is a hand-built API request for the verifier table.
type signedRequest struct {
	host        string
	contentType string
	body        string
	timestamp   int64
	scopeDate   string
	service     string
	secretId    string
	secretKey   string
}

// build signs the request as TC3-HMAC-SHA256 describes, independently of
// the emulator's code, and returns it.
func (s signedRequest) build() *http.Request {
	canonical := fmt.Sprintf("POST\n/\n\ncontent-type:%s\nhost:%s\n\ncontent-type;host\n%s",
		s.contentType, s.host, hexSHA256(s.body))
	scope := s.scopeDate + "/" + s.service + "/tc3_request"
	stringToSign := fmt.Sprintf("TC3-HMAC-SHA256\n%d\n%s\n%s", s.timestamp, scope, hexSHA256(canonical))

	key := mac([]byte("TC3"+s.secretKey), s.scopeDate)
	key = mac(key, s.service)
	key = mac(key, "tc3_request")
	signature := hex.EncodeToString(mac(key, stringToSign))

	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(s.body))
	r.Host = s.host
	r.Header.Set("Content-Type", s.contentType)
	r.Header.Set("X-TC-Action", "DescribeEventConfig")
	r.Header.Set("X-TC-Version", apiVersion)
	r.Header.Set("X-TC-Timestamp", strconv.FormatInt(s.timestamp, 10))
	r.Header.Set("Authorization", fmt.Sprintf("TC3-HMAC-SHA256 Credential=%s/%s, SignedHeaders=content-type;host, Signature=%s",
		s.secretId, scope, signature))
	return r
}

func hexSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func mac(key []byte, message string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(message))
	return h.Sum(nil)
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	e, err := New(Options{Credentials: []Credential{testCredential}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(e.Close)

	now := time.Now().Unix()
	valid := signedRequest{
		host:        "127.0.0.1:9000",
		contentType: "application/json",
		body:        `{"SubAppId":1}`,
		timestamp:   now,
		scopeDate:   time.Unix(now, 0).UTC().Format(time.DateOnly),
		service:     "vod",
		secretId:    testCredential.SecretId,
		secretKey:   testCredential.SecretKey,
	}
	yesterday := time.Unix(now, 0).UTC().AddDate(0, 0, -1).Format(time.DateOnly)

	tests := []struct {
		name  string
		build func() *http.Request
		want  string
	}{
		{"valid", valid.build, ""},
		{"tampered body", func() *http.Request {
			r := valid.build()
			r.Body = io.NopCloser(strings.NewReader(`{"SubAppId":2}`))
			return r
		}, "AuthFailure.SignatureFailure"},
		{"tampered host", func() *http.Request {
			r := valid.build()
			r.Host = "127.0.0.1:9001"
			return r
		}, "AuthFailure.SignatureFailure"},
		{"tampered content type", func() *http.Request {
			r := valid.build()
			r.Header.Set("Content-Type", "application/json; charset=utf-8")
			return r
		}, "AuthFailure.SignatureFailure"},
		{"wrong scope date", func() *http.Request {
			s := valid
			s.scopeDate = yesterday
			return s.build()
		}, "AuthFailure.InvalidAuthorization"},
		{"wrong service", func() *http.Request {
			s := valid
			s.service = "cvm"
			return s.build()
		}, "AuthFailure.InvalidAuthorization"},
		{"wrong key", func() *http.Request {
			s := valid
			s.secretKey = "guess"
			return s.build()
		}, "AuthFailure.SignatureFailure"},
		{"unsigned payload header", func() *http.Request {
			r := valid.build()
			r.Header.Set("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD")
			return r
		}, "AuthFailure.SignatureFailure"},
		{"old timestamp", func() *http.Request {
			s := valid
			s.timestamp = now - 301
			s.scopeDate = time.Unix(s.timestamp, 0).UTC().Format(time.DateOnly)
			return s.build()
		}, "AuthFailure.SignatureExpire"},
		{"missing authorization", func() *http.Request {
			r := valid.build()
			r.Header.Del("Authorization")
			return r
		}, "AuthFailure.InvalidAuthorization"},
		{"host not signed", func() *http.Request {
			r := valid.build()
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "content-type;host", "content-type", 1))
			return r
		}, "AuthFailure.InvalidAuthorization"},
		{"other algorithm", func() *http.Request {
			r := valid.build()
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "TC3-HMAC-SHA256", "HMAC-SHA1", 1))
			return r
		}, "AuthFailure.InvalidAuthorization"},
		{"short signature", func() *http.Request {
			r := valid.build()
			auth := r.Header.Get("Authorization")
			r.Header.Set("Authorization", auth[:len(auth)-2])
			return r
		}, "AuthFailure.InvalidAuthorization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.build()
			body := readAll(t, r)

			apiErr := e.authenticate(r, body)
			got := ""
			if apiErr != nil {
				got = apiErr.Code
			}
			if got != tt.want {
				t.Errorf("authenticate() = %q, want %q (%v)", got, tt.want, apiErr)
			}
			if apiErr != nil && strings.Contains(apiErr.Message, testCredential.SecretKey) {
				t.Errorf("message %q contains the secret key", apiErr.Message)
			}
		})
	}
}

func TestVerifyUnsignedPayload(t *testing.T) {
	t.Parallel()
	e, err := New(Options{Credentials: []Credential{testCredential}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(e.Close)

	now := time.Now().Unix()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"any":"body"}`))
	r.Host = "localhost:1"
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD")
	r.Header.Set("X-TC-Timestamp", strconv.FormatInt(now, 10))
	signature := computeSignature(testCredential.SecretKey, r, []string{"content-type", "host"}, []byte("ignored"), now)
	r.Header.Set("Authorization", fmt.Sprintf("TC3-HMAC-SHA256 Credential=%s/%s/vod/tc3_request, SignedHeaders=content-type;host, Signature=%s",
		testCredential.SecretId, time.Unix(now, 0).UTC().Format(time.DateOnly), signature))

	if apiErr := e.authenticate(r, readAll(t, r)); apiErr != nil {
		t.Errorf("authenticate() = %v, want success for an unsigned payload", apiErr)
	}
}

func readAll(t *testing.T, r *http.Request) []byte {
	t.Helper()

	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("reading the request body: %v", err)
	}
	return body
}
