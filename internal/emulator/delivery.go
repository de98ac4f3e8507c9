package emulator

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// Event types the emulator emits.
const (
	eventNewFileUpload         = "NewFileUpload"
	eventProcedureStateChanged = "ProcedureStateChanged"
)

const (
	// signValidity is how far in the future the T of a signed callback lies:
	// 10 minutes, the default in the SDK documentation of
	// ModifyEventConfigRequest.SignKey (vod v1.3.112).
	signValidity = 10 * time.Minute
	// maxResponseRecorded is how much of a callback response a Delivery keeps.
	maxResponseRecorded = 64 << 10
)

// ErrNotJSONObject is returned by SignCallback for a body that is not a
// JSON object.
var ErrNotJSONObject = errors.New("callback body is not a JSON object")

// Delivery is one PUSH attempt of an event notification.
//
// In JSON, Body and Response are strings rather than base64, so bytes that
// are not valid UTF-8 are replaced by U+FFFD.
type Delivery struct {
	Time      time.Time
	URL       string
	EventType string
	Attempt   int    // 1-based
	Status    int    // HTTP status; 0 when no response arrived
	Error     string // "" when the callback responded with 2xx
	Body      []byte // the body sent, with Sign and T when a sign key is set
	Response  []byte // the response body, at most 64 KiB
}

// deliveryJSON is the JSON form of Delivery.
type deliveryJSON struct {
	Time      time.Time
	URL       string
	EventType string
	Attempt   int
	Status    int
	Error     string
	Body      string
	Response  string
}

// MarshalJSON encodes d with Body and Response as strings.
func (d Delivery) MarshalJSON() ([]byte, error) {
	return json.Marshal(deliveryJSON{
		Time: d.Time, URL: d.URL, EventType: d.EventType, Attempt: d.Attempt,
		Status: d.Status, Error: d.Error, Body: string(d.Body), Response: string(d.Response),
	})
}

// UnmarshalJSON decodes the form MarshalJSON writes.
func (d *Delivery) UnmarshalJSON(data []byte) error {
	var j deliveryJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}

	*d = Delivery{
		Time: j.Time, URL: j.URL, EventType: j.EventType, Attempt: j.Attempt,
		Status: j.Status, Error: j.Error, Body: []byte(j.Body), Response: []byte(j.Response),
	}
	return nil
}

func (d *Delivery) succeeded() bool {
	return d.Error == "" && d.Status >= 200 && d.Status < 300
}

// SignCallback adds the top-level fields "Sign" and "T" to a JSON object
// body, as VOD does when a callback sign key is set. T is expiry in decimal
// Unix seconds, as a JSON string, and Sign is the lower-case hex MD5 of key
// followed by T. Existing Sign and T fields are replaced. Otherwise the
// fields are appended, and the rest of the body is kept byte for byte.
//
// NOTE: the SDK documentation of ModifyEventConfigRequest.SignKey (vod
// v1.3.112) calls T an int64, while the emulator sends it as a string.
// Receivers should accept both forms.
func SignCallback(body []byte, key string, expiry time.Time) ([]byte, error) {
	trimmed := bytes.TrimSpace(body)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil || fields == nil {
		return nil, ErrNotJSONObject
	}

	t := strconv.FormatInt(expiry.Unix(), 10)
	sum := md5.Sum([]byte(key + t))
	sign := hex.EncodeToString(sum[:])

	_, hasSign := fields["Sign"]
	_, hasT := fields["T"]
	if hasSign || hasT {
		fields["Sign"], _ = json.Marshal(sign)
		fields["T"], _ = json.Marshal(t)
		return json.Marshal(fields)
	}

	signed := bytes.Clone(trimmed[:len(trimmed)-1])
	if len(fields) > 0 {
		signed = append(signed, ',')
	}
	signed = fmt.Appendf(signed, `"Sign":%q,"T":%q}`, sign, t)
	return signed, nil
}

// emit sends an event by the sub-application's configured mode: it queues
// the event in PULL mode and returns nil, and in PUSH mode it delivers the
// event, with retries, and returns the last attempt.
func (e *Emulator) emit(ctx context.Context, subAppId uint64, event *vod.EventContent) *Delivery {
	eventType := deref(event.EventType)

	e.mu.Lock()
	app := e.app(subAppId)
	if app.mode == modePull {
		app.enqueue(event)
		e.mu.Unlock()
		e.log.Info("event queued for PullEvents", "event_type", eventType, "sub_app_id", subAppId)
		return nil
	}
	e.mu.Unlock()

	body, err := json.Marshal(event)
	if err != nil {
		e.log.Error("encoding the event failed", "event_type", eventType, "error", err)
		return nil
	}
	return e.push(ctx, subAppId, eventType, body)
}

// push delivers body to the sub-application's callback URL, retrying up to
// PushRetries times, and returns the last attempt. The URL and sign key are
// read again for each attempt.
func (e *Emulator) push(ctx context.Context, subAppId uint64, eventType string, body []byte) *Delivery {
	attempts := 1 + e.opts.PushRetries
	var last Delivery
	for attempt := 1; attempt <= attempts; attempt++ {
		target, signKey := e.pushTarget(subAppId)
		last = e.deliver(ctx, target, signKey, eventType, body, attempt)
		e.recordDelivery(last)

		if last.succeeded() {
			e.log.Info("event delivered", "event_type", eventType, "url", target, "attempt", attempt, "status", last.Status)
			return &last
		}
		e.log.Warn("event delivery failed", "event_type", eventType, "url", target, "attempt", attempt,
			"attempts", attempts, "status", last.Status, "error", last.Error)
		if target == "" || attempt == attempts || !wait(e.retryInterval, ctx.Done(), nil) {
			break
		}
	}
	return &last
}

func (e *Emulator) pushTarget(subAppId uint64) (string, string) {
	e.mu.Lock()
	defer e.mu.Unlock()

	app := e.app(subAppId)
	return app.notificationURL, app.signKey
}

// deliver makes one POST attempt and describes it.
func (e *Emulator) deliver(ctx context.Context, target, signKey, eventType string, body []byte, attempt int) Delivery {
	d := Delivery{Time: e.now(), URL: target, EventType: eventType, Attempt: attempt, Body: body}
	if target == "" {
		d.Error = "no callback URL is configured; set NotificationUrl with ModifyEventConfig or switch to PULL mode"
		return d
	}

	if signKey != "" {
		signed, err := SignCallback(body, signKey, d.Time.Add(signValidity))
		if err != nil {
			d.Error = "signing the body failed: " + err.Error()
			return d
		}
		d.Body = signed
	}

	ctx, cancel := context.WithTimeout(ctx, e.opts.DeliveryTimeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(d.Body))
	if err != nil {
		d.Error = "building the request failed: " + err.Error()
		return d
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := e.client.Do(req)
	if err != nil {
		d.Error = err.Error()
		return d
	}
	defer resp.Body.Close()

	d.Status = resp.StatusCode
	d.Response, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseRecorded))
	switch {
	case err != nil:
		d.Error = "reading the response failed: " + err.Error()
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		d.Error = fmt.Sprintf("the callback responded with HTTP %d, not 2xx", resp.StatusCode)
	}
	return d
}
