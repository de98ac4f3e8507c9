package trigger

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/vodhook/vodhook/internal/outcome"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("not JSON: %v: %s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}

func TestParseEventFixtures(t *testing.T) {
	t.Parallel()
	notification := readFixture(t, "console-test.json")
	tests := []struct {
		file         string
		wantEnvelope Envelope
		wantMethod   string
		wantHeader   string // a header that must be present, lower case
	}{
		{"apigw.json", APIGateway, "POST", "content-type"},
		{"apigw-base64.json", APIGateway, "POST", "content-type"},
		{"apigw-mixedcase-headers.json", APIGateway, "POST", "x-forwarded-for"},
		{"function-url.json", FunctionURL, "POST", "x-scf-remote-addr"},
		{"console-test.json", Bare, "POST", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			req, err := ParseEvent(readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if req.Envelope != tt.wantEnvelope {
				t.Errorf("Envelope = %q, want %q", req.Envelope, tt.wantEnvelope)
			}
			if req.Method != tt.wantMethod {
				t.Errorf("Method = %q, want %q", req.Method, tt.wantMethod)
			}
			if tt.wantHeader != "" && req.Headers[tt.wantHeader] == "" {
				t.Errorf("header %q missing from %v", tt.wantHeader, req.Headers)
			}
			for name := range req.Headers {
				if name != strings.ToLower(name) {
					t.Errorf("header name %q is not lower case", name)
				}
			}
			if !sameJSON(t, req.Body, notification) {
				t.Errorf("body = %s, want the NewFileUpload notification", req.Body)
			}
		})
	}
}

func TestParseEventProcedureBody(t *testing.T) {
	t.Parallel()
	req, err := ParseEvent(readFixture(t, "function-url-procedure.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(req.Body), `"ProcedureStateChanged"`) {
		t.Errorf("body %s is not the ProcedureStateChanged notification", req.Body)
	}
}

func TestParseEventTimer(t *testing.T) {
	t.Parallel()
	for _, payload := range []string{string(readFixture(t, "timer.json")), `{"Type":"timer","TriggerName":"pull","Time":"2024-05-20T08:15:00Z"}`} {
		req, err := ParseEvent([]byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		if req.Envelope != Timer || req.TriggerName == "" {
			t.Errorf("%s: got envelope %q trigger %q, want a timer", payload, req.Envelope, req.TriggerName)
		}
	}
}

func TestParseEventEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		payload      string
		wantEnvelope Envelope
		wantBody     string
		wantErr      bool
	}{
		{"function url without body", `{"httpMethod":"POST","headers":{},"path":"/"}`, FunctionURL, "", false},
		{"function url null body", `{"httpMethod":"GET","body":null}`, FunctionURL, "", false},
		{"apigw base64", `{"requestContext":{},"isBase64Encoded":true,"body":"eyJhIjoxfQ=="}`, APIGateway, `{"a":1}`, false},
		{"apigw base64 without padding", `{"requestContext":{},"isBase64Encoded":true,"body":"eyJhIjoxfQ"}`, APIGateway, `{"a":1}`, false},
		{"apigw bad base64", `{"requestContext":{},"isBase64Encoded":true,"body":"%%%"}`, "", "", true},
		{"apigw body not string", `{"requestContext":{},"body":{"EventType":"x"}}`, "", "", true},
		{"apigw headers not object", `{"requestContext":{},"headers":"x"}`, "", "", true},
		{"not JSON", `EventType=x`, Bare, `EventType=x`, false},
		{"array", `[1,2]`, Bare, `[1,2]`, false},
		{"empty", ``, Bare, ``, false},
		{"bare notification", `{"EventType":"FileDeleted"}`, Bare, `{"EventType":"FileDeleted"}`, false},
		{"header list", `{"httpMethod":"POST","headers":{"X-A":["1","2"],"X-N":3,"X-Null":null}}`, FunctionURL, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := ParseEvent([]byte(tt.payload))
			if tt.wantErr {
				if !errors.Is(err, ErrEnvelope) || !errors.Is(err, outcome.ErrMalformed) {
					t.Fatalf("error = %v, want ErrEnvelope", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if req.Envelope != tt.wantEnvelope || string(req.Body) != tt.wantBody {
				t.Errorf("got %q %q, want %q %q", req.Envelope, req.Body, tt.wantEnvelope, tt.wantBody)
			}
		})
	}
}

func TestHeaderValues(t *testing.T) {
	t.Parallel()
	req, err := ParseEvent([]byte(`{"httpMethod":"POST","headers":{"X-A":["1","2"],"X-N":3,"X-Null":null,"Sign":"abc","T":"1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"x-a": "1, 2", "x-n": "3", "x-null": "", "sign": "abc", "t": "1"}
	for name, value := range want {
		if req.Headers[name] != value {
			t.Errorf("header %q = %q, want %q", name, req.Headers[name], value)
		}
	}
}

func TestJSONResponse(t *testing.T) {
	t.Parallel()
	payload := JSONResponse(400, map[string]any{"ok": false, "error": "bad"}).Marshal()
	var got map[string]any
	if err := json.Unmarshal(payload, &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"isBase64Encoded", "statusCode", "headers", "body"} {
		if _, ok := got[key]; !ok {
			t.Errorf("integrated response lacks %q: %s", key, payload)
		}
	}
	if got["statusCode"] != float64(400) || got["isBase64Encoded"] != false {
		t.Errorf("got %s", payload)
	}
	if body, _ := got["body"].(string); !strings.Contains(body, `"error":"bad"`) {
		t.Errorf("body = %q", got["body"])
	}
}
