package emulator

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

const (
	defaultAppId           = 1250000000
	defaultTaskDelay       = 500 * time.Millisecond
	defaultDeliveryTimeout = 5 * time.Second
	// defaultSessionWindow follows the SDK documentation of
	// ProcessMediaRequest.SessionId (vod v1.3.112): a SessionId used in the
	// last three days makes the request fail.
	defaultSessionWindow = 72 * time.Hour
	// defaultPullWait and defaultLeaseTime follow the PullEvents documentation
	// (vod v1.3.112): a request holds for at most 5 seconds, and an event that
	// is not confirmed within 30 seconds can be pulled again.
	defaultPullWait      = 5 * time.Second
	defaultLeaseTime     = 30 * time.Second
	defaultRetryInterval = time.Second
)

// Options configures an Emulator. Zero values select the documented defaults.
type Options struct {
	// Credentials lists the keys the API accepts. At least one is required.
	Credentials []Credential
	// AppId is the account APPID used in task IDs and media URLs. Default 1250000000.
	AppId uint64
	// CallbackURL is the initial NotificationUrl (PUSH mode) of every sub-application.
	CallbackURL string
	// SignKey is the initial callback sign key of every sub-application. Empty
	// means callbacks are unsigned.
	SignKey string
	// TaskDelay is the time between a ProcessMedia call and its
	// ProcedureStateChanged event. Default 500ms.
	TaskDelay time.Duration
	// DeliveryTimeout limits each callback POST. Default 5s.
	DeliveryTimeout time.Duration
	// PushRetries is the number of extra attempts after a failed PUSH
	// delivery (transport error or non-2xx status). Default 0.
	PushRetries int
	// SessionWindow is how long a ProcessMedia SessionId blocks a repeat.
	// Default 72h.
	SessionWindow time.Duration
	// PullWait is how long PullEvents holds when no event is ready. Default 5s.
	PullWait time.Duration
	// LeaseTime is how long a pulled, unconfirmed event stays hidden, and so
	// how long its handle can be confirmed. Default 30s.
	LeaseTime time.Duration
	// Now is the clock for timestamps, signature expiry, SessionId windows
	// and leases. Default time.Now. Waiting (TaskDelay, PullWait) always uses
	// real time.
	Now func() time.Time
	// HTTPClient sends PUSH deliveries. Default: a client with
	// DeliveryTimeout that does not follow redirects.
	HTTPClient *http.Client
	// Logger receives the emulator's logs. Default: logs are discarded.
	Logger *slog.Logger
}

// withDefaults validates o and returns a copy with defaults filled in.
func (o Options) withDefaults() (Options, error) {
	if err := o.validate(); err != nil {
		return Options{}, err
	}

	if o.AppId == 0 {
		o.AppId = defaultAppId
	}
	o.TaskDelay = durationOr(o.TaskDelay, defaultTaskDelay)
	o.DeliveryTimeout = durationOr(o.DeliveryTimeout, defaultDeliveryTimeout)
	o.SessionWindow = durationOr(o.SessionWindow, defaultSessionWindow)
	o.PullWait = durationOr(o.PullWait, defaultPullWait)
	o.LeaseTime = durationOr(o.LeaseTime, defaultLeaseTime)

	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{
			Timeout: o.DeliveryTimeout,
			// NOTE: whether VOD follows redirects of a callback URL is not
			// documented. The emulator counts a 3xx response as a failure.
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

func (o Options) validate() error {
	var errs []error
	if len(o.Credentials) == 0 {
		errs = append(errs, errors.New("no credentials: set at least one SecretId and SecretKey"))
	}

	seen := make(map[string]bool)
	for i, c := range o.Credentials {
		switch {
		case c.SecretId == "":
			errs = append(errs, fmt.Errorf("credential %d: SecretId is empty", i))
		case c.SecretKey == "":
			errs = append(errs, fmt.Errorf("credential %d (%s): SecretKey is empty", i, c.SecretId))
		case seen[c.SecretId]:
			errs = append(errs, fmt.Errorf("credential %d: SecretId %s is listed twice", i, c.SecretId))
		}
		seen[c.SecretId] = true
	}

	durations := []struct {
		name  string
		value time.Duration
	}{
		{"TaskDelay", o.TaskDelay},
		{"DeliveryTimeout", o.DeliveryTimeout},
		{"SessionWindow", o.SessionWindow},
		{"PullWait", o.PullWait},
		{"LeaseTime", o.LeaseTime},
	}
	for _, d := range durations {
		if d.value < 0 {
			errs = append(errs, fmt.Errorf("%s is negative (%s)", d.name, d.value))
		}
	}

	if o.PushRetries < 0 {
		errs = append(errs, fmt.Errorf("PushRetries is negative (%d)", o.PushRetries))
	}
	if o.CallbackURL != "" {
		if err := validateCallbackURL(o.CallbackURL); err != nil {
			errs = append(errs, fmt.Errorf("CallbackURL: %w", err))
		}
	}
	if err := validateSignKey(o.SignKey); err != nil {
		errs = append(errs, fmt.Errorf("SignKey: %w", err))
	}

	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidOptions, errors.Join(errs...))
	}
	return nil
}

func durationOr(d, fallback time.Duration) time.Duration {
	if d == 0 {
		return fallback
	}
	return d
}
