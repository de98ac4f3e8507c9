package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// Event notification modes and switch values.
const (
	modePush  = "PUSH"
	modePull  = "PULL"
	switchOn  = "ON"
	switchOff = "OFF"

	maxSignKeyLength = 32
)

// appState is the event configuration and PULL queue of one sub-application.
type appState struct {
	mode              string
	notificationURL   string
	uploadSwitch      string
	deleteSwitch      string
	persistenceSwitch string
	signKey           string

	sessions map[string]time.Time // SessionId -> time of first use

	queue        []*queuedEvent
	queueChanged chan struct{} // closed and replaced when the queue gains an event
}

// app returns the state of a sub-application, creating it with the initial
// configuration from Options. The caller holds e.mu.
func (e *Emulator) app(subAppId uint64) *appState {
	app, ok := e.apps[subAppId]
	if !ok {
		app = &appState{
			mode:              modePush,
			notificationURL:   e.opts.CallbackURL,
			uploadSwitch:      switchOn,
			deleteSwitch:      switchOn,
			persistenceSwitch: switchOff,
			signKey:           e.opts.SignKey,
			sessions:          make(map[string]time.Time),
			queueChanged:      make(chan struct{}),
		}
		e.apps[subAppId] = app
	}
	return app
}

func (e *Emulator) uploadEventsOn(subAppId uint64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()

	return e.app(subAppId).uploadSwitch == switchOn
}

func (e *Emulator) describeEventConfig(_ context.Context, req *apiRequest) (any, *apiError) {
	var params vod.DescribeEventConfigRequestParams
	if apiErr := decodeParams(req.body, &params); apiErr != nil {
		return nil, apiErr
	}

	e.mu.Lock()
	defer e.mu.Unlock()

	app := e.app(deref(params.SubAppId))
	return &vod.DescribeEventConfigResponseParams{
		Mode:                           stringPtr(app.mode),
		NotificationUrl:                stringPtr(app.notificationURL),
		UploadMediaCompleteEventSwitch: stringPtr(app.uploadSwitch),
		DeleteMediaCompleteEventSwitch: stringPtr(app.deleteSwitch),
		PersistenceCompleteEventSwitch: stringPtr(app.persistenceSwitch),
		RequestId:                      stringPtr(req.requestId),
	}, nil
}

// modifyEventConfig changes the event configuration of a sub-application.
//
// Mode, NotificationUrl and SignKey keep their values when omitted. An
// omitted event switch is reset to OFF: the SDK documentation of
// ModifyEventConfigRequest (vod v1.3.112) gives "OFF" as each switch's
// default and does not promise that an omitted switch keeps its value, so
// the emulator assumes the worst. Callers should always send every switch.
func (e *Emulator) modifyEventConfig(_ context.Context, req *apiRequest) (any, *apiError) {
	var params vod.ModifyEventConfigRequestParams
	if apiErr := decodeParams(req.body, &params); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := validateEventConfig(&params); apiErr != nil {
		return nil, apiErr
	}

	e.mu.Lock()
	defer e.mu.Unlock()

	app := e.app(deref(params.SubAppId))
	if params.Mode != nil {
		app.mode = *params.Mode
	}
	if params.NotificationUrl != nil {
		app.notificationURL = *params.NotificationUrl
	}
	if params.SignKey != nil {
		app.signKey = *params.SignKey
	}
	app.uploadSwitch = switchOr(params.UploadMediaCompleteEventSwitch)
	app.deleteSwitch = switchOr(params.DeleteMediaCompleteEventSwitch)
	app.persistenceSwitch = switchOr(params.PersistenceCompleteEventSwitch)

	e.log.Info("event configuration changed", "sub_app_id", deref(params.SubAppId), "mode", app.mode,
		"notification_url", app.notificationURL, "signed", app.signKey != "", "upload_switch", app.uploadSwitch)
	return &vod.ModifyEventConfigResponseParams{RequestId: stringPtr(req.requestId)}, nil
}

func validateEventConfig(p *vod.ModifyEventConfigRequestParams) *apiError {
	if p.Mode != nil && *p.Mode != modePush && *p.Mode != modePull {
		return newAPIError("InvalidParameterValue.Mode", "The Mode `%s` is invalid; use PUSH or PULL.", *p.Mode)
	}
	if u := deref(p.NotificationUrl); u != "" {
		if err := validateCallbackURL(u); err != nil {
			return newAPIError("InvalidParameterValue.NotificationUrl", "The NotificationUrl `%s` is invalid: %v.", u, err)
		}
	}
	if p.SignKey != nil {
		if err := validateSignKey(*p.SignKey); err != nil {
			return newAPIError("InvalidParameterValue.SignKey", "The SignKey is invalid: %v.", err)
		}
	}

	switches := []struct {
		name  string
		value *string
	}{
		{"UploadMediaCompleteEventSwitch", p.UploadMediaCompleteEventSwitch},
		{"DeleteMediaCompleteEventSwitch", p.DeleteMediaCompleteEventSwitch},
		{"PersistenceCompleteEventSwitch", p.PersistenceCompleteEventSwitch},
	}
	for _, s := range switches {
		if s.value != nil && *s.value != switchOn && *s.value != switchOff {
			return newAPIError("InvalidParameterValue.Switch", "The %s `%s` is invalid; use ON or OFF.", s.name, *s.value)
		}
	}
	return nil
}

// switchOr returns the switch value, OFF when it is omitted.
func switchOr(value *string) string {
	if value == nil {
		return switchOff
	}
	return *value
}

// validateCallbackURL accepts an absolute http or https URL with a host.
func validateCallbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("the scheme must be http or https, not %q", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("the URL has no host")
	}
	return nil
}

// validateSignKey accepts the sign keys the SDK documentation of
// ModifyEventConfigRequest.SignKey describes: up to 32 ASCII letters and
// digits. An empty key means callbacks are unsigned.
func validateSignKey(key string) error {
	if len(key) > maxSignKeyLength {
		return fmt.Errorf("it has %d characters; the maximum is %d", len(key), maxSignKeyLength)
	}
	for _, r := range key {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return errors.New("it may contain only ASCII letters and digits")
		}
	}
	return nil
}
