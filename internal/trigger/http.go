// Package trigger translates SCF trigger events into the notification bytes
// vodhook handles, and outcomes into the responses SCF expects. It deals
// with the envelopes, not with the event types inside them.
package trigger

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vodhook/vodhook/internal/outcome"
)

// Envelope names the shape an invocation payload arrived in.
type Envelope string

// Envelopes vodhook accepts.
const (
	// APIGateway is the legacy API Gateway trigger event, with requestContext
	// and isBase64Encoded.
	APIGateway Envelope = "apigw"
	// FunctionURL is the Function URL event: body, headers, httpMethod, path
	// and queryString.
	FunctionURL Envelope = "function_url"
	// Bare is a notification with no envelope, as the SCF console's test
	// feature sends it.
	Bare Envelope = "bare"
	// Timer is an SCF timer trigger event.
	Timer Envelope = "timer"
)

// ErrEnvelope marks a payload whose envelope cannot be read.
var ErrEnvelope = fmt.Errorf("%w: invalid trigger event", outcome.ErrMalformed)

// Request is one HTTP request in the form the function handles, whatever
// the envelope.
type Request struct {
	Envelope Envelope
	Method   string
	Path     string
	Headers  map[string]string // names in lower case
	Body     []byte

	// TriggerName is set for timer events.
	TriggerName string
}

// httpEvent holds the fields shared by the API Gateway and Function URL
// events. Fields vodhook does not use are left out.
type httpEvent struct {
	Body            *string        `json:"body"`
	Headers         map[string]any `json:"headers"`
	Method          string         `json:"httpMethod"`
	Path            string         `json:"path"`
	IsBase64Encoded bool           `json:"isBase64Encoded"`
}

type timerEvent struct {
	Type        string `json:"Type"`
	TriggerName string `json:"TriggerName"`
}

// ParseEvent reads an invocation payload. A JSON object with requestContext
// or isBase64Encoded is an API Gateway event; one with httpMethod is a
// Function URL event; {"Type":"Timer","TriggerName":...} is a timer event
// (the documentation shows both "Timer" and "timer"); any other JSON
// object is a bare notification, and the payload itself is the body.
func ParseEvent(payload []byte) (Request, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil || top == nil {
		// Not an envelope: hand the bytes on as a bare body, so that the
		// notification decoder names the problem.
		return Request{Envelope: Bare, Method: "POST", Headers: map[string]string{}, Body: payload}, nil
	}

	_, hasContext := top["requestContext"]
	_, hasBase64 := top["isBase64Encoded"]
	_, hasMethod := top["httpMethod"]
	switch {
	case hasContext || hasBase64:
		return parseHTTP(payload, APIGateway)
	case hasMethod:
		return parseHTTP(payload, FunctionURL)
	case isTimer(top):
		var t timerEvent
		_ = json.Unmarshal(payload, &t)
		return Request{Envelope: Timer, Headers: map[string]string{}, TriggerName: t.TriggerName}, nil
	default:
		return Request{Envelope: Bare, Method: "POST", Headers: map[string]string{}, Body: payload}, nil
	}
}

func isTimer(top map[string]json.RawMessage) bool {
	var kind string
	_, hasTrigger := top["TriggerName"]
	return hasTrigger && json.Unmarshal(top["Type"], &kind) == nil && strings.EqualFold(kind, "Timer")
}

func parseHTTP(payload []byte, envelope Envelope) (Request, error) {
	var ev httpEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Request{}, fmt.Errorf("%w: %s event: %v", ErrEnvelope, envelope, err)
	}

	req := Request{
		Envelope: envelope,
		Method:   strings.ToUpper(ev.Method),
		Path:     ev.Path,
		Headers:  lowerHeaders(ev.Headers),
	}
	if ev.Body == nil {
		return req, nil
	}

	req.Body = []byte(*ev.Body)
	if ev.IsBase64Encoded {
		body, err := decodeBase64(*ev.Body)
		if err != nil {
			return Request{}, fmt.Errorf("%w: isBase64Encoded is true but the body is not base64 (%d characters): %v", ErrEnvelope, len(*ev.Body), err)
		}
		req.Body = body
	}
	return req, nil
}

// lowerHeaders returns the headers with lower-case names. Values that are
// not strings (some gateways send lists) are joined with ", ". When two
// names differ only in case, the one that sorts last wins, so the result
// does not depend on map order.
func lowerHeaders(in map[string]any) map[string]string {
	out := make(map[string]string, len(in))
	for _, name := range slices.Sorted(maps.Keys(in)) {
		out[strings.ToLower(name)] = headerValue(in[name])
	}
	return out
}

func headerValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, 0, len(v))
		for _, p := range v {
			parts = append(parts, headerValue(p))
		}
		return strings.Join(parts, ", ")
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	body, err := base64.StdEncoding.DecodeString(s)
	if err == nil {
		return body, nil
	}
	if raw, rawErr := base64.RawStdEncoding.DecodeString(s); rawErr == nil {
		return raw, nil
	}
	return nil, err
}

// IsEmpty reports whether the request carries no body, or only white space.
func (r Request) IsEmpty() bool {
	return len(bytes.TrimSpace(r.Body)) == 0
}
