package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tencentyun/scf-go-lib/cloudfunction/messages"

	"github.com/vodhook/vodhook/internal/scfharness"
	"github.com/vodhook/vodhook/internal/trigger"
)

// invokerFunc lets a function stand in for the runtime harness.
type invokerFunc func(scfharness.Invocation) (scfharness.Result, error)

func (f invokerFunc) Invoke(_ context.Context, inv scfharness.Invocation) (scfharness.Result, error) {
	return f(inv)
}

func TestGatewayResponses(t *testing.T) {
	t.Parallel()
	integrated := trigger.JSONResponse(http.StatusAccepted, map[string]string{"outcome": "handled"}).Marshal()
	tests := []struct {
		name       string
		body       string
		invoke     invokerFunc
		wantStatus int
		wantBody   string
		wantLog    bool
	}{
		{"integrated response", `{}`, func(scfharness.Invocation) (scfharness.Result, error) {
			return scfharness.Result{Payload: integrated}, nil
		}, http.StatusAccepted, `"outcome":"handled"`, false},
		{"base64 response", `{}`, func(scfharness.Invocation) (scfharness.Result, error) {
			return scfharness.Result{Payload: []byte(`{"isBase64Encoded":true,"statusCode":200,"headers":{},"body":"aGk="}`)}, nil
		}, http.StatusOK, "hi", false},
		{"not integrated", `{}`, func(scfharness.Invocation) (scfharness.Result, error) {
			return scfharness.Result{Payload: []byte(`"hello"`)}, nil
		}, http.StatusBadGateway, "no integrated response", true},
		{"function error", `{}`, func(scfharness.Invocation) (scfharness.Result, error) {
			return scfharness.Result{Error: &messages.InvokeResponse_Error{Message: "boom"}}, nil
		}, http.StatusBadGateway, "function error: boom", true},
		{"timeout", `{}`, func(scfharness.Invocation) (scfharness.Result, error) {
			return scfharness.Result{}, fmt.Errorf("%w: slow", scfharness.ErrTimeout)
		}, http.StatusGatewayTimeout, "function timed out", true},
		{"too large", strings.Repeat("x", MaxBodySize+1), nil, http.StatusRequestEntityTooLarge, "6291456 bytes", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			g := &Gateway{Invoker: tt.invoke, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body)))

			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("body %q lacks %q", rec.Body.String(), tt.wantBody)
			}
			if logged := strings.Contains(logs.String(), "gateway responded in place of the function"); logged != tt.wantLog {
				t.Errorf("logged %v, want %v: %s", logged, tt.wantLog, logs.String())
			}
		})
	}
}

func TestEventFunctionURL(t *testing.T) {
	t.Parallel()
	payload, err := Event(trigger.FunctionURL, HTTPRequest{Method: "POST", Path: "/", Body: []byte(`{"EventType":"X"}`), RemoteIP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	req, err := trigger.ParseEvent(payload)
	if err != nil || req.Envelope != trigger.FunctionURL || string(req.Body) != `{"EventType":"X"}` || req.Headers["x-scf-remote-addr"] != "127.0.0.1" {
		t.Errorf("round trip through ParseEvent: %+v, %v", req, err)
	}

	binary := []byte{0xff, 0xfe, 0x00}
	payload, err = Event(trigger.APIGateway, HTTPRequest{Method: "POST", Path: "/", Body: binary})
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	_ = json.Unmarshal(payload, &ev)
	req, err = trigger.ParseEvent(payload)
	if err != nil || ev["isBase64Encoded"] != true || !bytes.Equal(req.Body, binary) {
		t.Errorf("a body that is not UTF-8 did not round-trip as base64: %s, %+v, %v", payload, req, err)
	}
}
