// Package notification decodes VOD v3.0 event notifications into the SDK's
// vod.EventContent and verifies their Sign and T fields. It takes bytes as
// they arrived and does not deal with triggers or with what an event means.
package notification

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/vodhook/vodhook/internal/outcome"
)

// Sentinel errors of Decode. Each wraps outcome.ErrMalformed.
var (
	ErrEmpty        = fmt.Errorf("%w: empty body", outcome.ErrMalformed)
	ErrNotJSON      = fmt.Errorf("%w: body is not JSON", outcome.ErrMalformed)
	ErrNotObject    = fmt.Errorf("%w: body is not a JSON object", outcome.ErrMalformed)
	ErrNoEventType  = fmt.Errorf("%w: no EventType", outcome.ErrMalformed)
	ErrFieldType    = fmt.Errorf("%w: field has the wrong type", outcome.ErrMalformed)
	ErrLegacyFormat = fmt.Errorf("%w: v2.0 notification format", outcome.ErrMalformed)
)

// LegacyFormatFix is the fix for an operator who receives v2.0 notifications.
const LegacyFormatFix = "this URL receives VOD's legacy v2.0 notifications (lower-case version, eventType, data); " +
	"in the VOD console's callback settings, enter it as the v3.0 callback URL instead of the v2.0 one"

var utf8BOM = []byte("\xef\xbb\xbf")

// Notification is a decoded v3.0 notification.
type Notification struct {
	Event *vod.EventContent

	// Sign and T are the callback signature fields from the top level of the
	// body, as text ("" when absent). T may arrive as a JSON string or number.
	Sign string
	T    string
}

// EventType returns the notification's event type.
func (n *Notification) EventType() string {
	return deref(n.Event.EventType)
}

// Decode parses a v3.0 notification body. A UTF-8 byte order mark is
// skipped. Unknown fields are ignored, so new fields VOD adds do not break
// decoding. A known field of the wrong type is an error naming the field.
// Every error wraps outcome.ErrMalformed.
func Decode(body []byte) (*Notification, error) {
	body = bytes.TrimPrefix(body, utf8BOM)
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, ErrEmpty
	}

	top, err := decodeTop(body)
	if err != nil {
		return nil, err
	}
	if _, ok := top["EventType"]; !ok && isLegacy(top) {
		return nil, fmt.Errorf("%w: %s", ErrLegacyFormat, LegacyFormatFix)
	}

	var event vod.EventContent
	if err := json.Unmarshal(body, &event); err != nil {
		return nil, describeJSONError(err)
	}
	if deref(event.EventType) == "" {
		return nil, fmt.Errorf("%w: the body is a JSON object without a non-empty EventType, so it is not a VOD v3.0 notification", ErrNoEventType)
	}

	n := &Notification{Event: &event}
	n.Sign, err = topText(top, "Sign", false)
	if err != nil {
		return nil, err
	}
	n.T, err = topText(top, "T", true)
	if err != nil {
		return nil, err
	}
	return n, nil
}

func decodeTop(body []byte) (map[string]json.RawMessage, error) {
	var top map[string]json.RawMessage
	err := json.Unmarshal(body, &top)
	if err == nil && top != nil {
		return top, nil
	}

	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) || (err == nil && top == nil) {
		return nil, fmt.Errorf("%w: got %s", ErrNotObject, jsonKind(body))
	}
	return nil, fmt.Errorf("%w (%d bytes): %v", ErrNotJSON, len(body), err)
}

// isLegacy reports whether the top-level keys are those of VOD's v2.0
// format, which names its fields in lower camel case.
func isLegacy(top map[string]json.RawMessage) bool {
	_, hasType := top["eventType"]
	_, hasData := top["data"]
	_, hasVersion := top["version"]
	return hasType || (hasData && hasVersion)
}

// topText returns a top-level string member as text. When numberOK is set,
// a JSON number is accepted too and returned as written.
func topText(top map[string]json.RawMessage, key string, numberOK bool) (string, error) {
	raw, ok := top[key]
	if !ok || string(raw) == "null" {
		return "", nil
	}

	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if numberOK && json.Unmarshal(raw, &n) == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("%w: %s is %s, want a string", ErrFieldType, key, jsonKind(raw))
}

func describeJSONError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("%w: %s is a JSON %s, want %s", ErrFieldType, field, typeErr.Value, typeErr.Type)
	}
	return fmt.Errorf("%w: %v", ErrNotJSON, err)
}

// jsonKind names the kind of the JSON value in data, for messages.
func jsonKind(data []byte) string {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
