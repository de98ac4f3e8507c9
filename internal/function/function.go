// Package function is vodhook's SCF function: it takes one invocation
// payload, runs it through the trigger adapter, the notification decoder and
// the dispatcher, and returns the trigger's response. cmd/scf only wires it up.
package function

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/vodhook/vodhook/internal/config"
	"github.com/vodhook/vodhook/internal/dispatch"
	"github.com/vodhook/vodhook/internal/logging"
	"github.com/vodhook/vodhook/internal/notification"
	"github.com/vodhook/vodhook/internal/outcome"
	"github.com/vodhook/vodhook/internal/trigger"
	"github.com/vodhook/vodhook/internal/vodclient"
)

// Options configure a Function.
type Options struct {
	// File is config.json as read at cold start. FileError is the error
	// reading it, which every invocation reports as a configuration error.
	File      config.File
	FileError error

	// Getenv reads the environment on every invocation; os.Getenv in SCF.
	Getenv func(string) string

	Logger *slog.Logger
	VOD    vodclient.Options
	Now    func() time.Time
}

// Function handles invocations. It is safe for concurrent use.
type Function struct {
	opts         Options
	warnUnsigned sync.Once
}

// New returns a Function.
func New(opts Options) *Function {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Function{opts: opts}
}

// Invoke handles one invocation payload and returns the integrated response
// as JSON. It implements scf-go-lib's cloudfunction.Handler and never
// returns an error: every failure, a panic included, becomes a response.
func (f *Function) Invoke(ctx context.Context, payload []byte) (answer []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			f.opts.Logger.ErrorContext(ctx, "internal error: handling the invocation panicked; responded 500",
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			answer = trigger.JSONResponse(http.StatusInternalServerError, reply{
				Outcome: "internal_error", Error: "internal error; see the function log", RequestID: logging.RequestID(ctx),
			}).Marshal()
		}
	}()

	req, err := trigger.ParseEvent(payload)
	if err != nil {
		return f.fail(ctx, err, failure{bodySize: len(payload)}).Marshal(), nil
	}
	return f.Handle(ctx, req).Marshal(), nil
}

// Handle handles one request, whatever envelope it came in.
func (f *Function) Handle(ctx context.Context, req trigger.Request) trigger.Response {
	log := f.opts.Logger
	switch {
	case req.Envelope == trigger.Timer:
		log.WarnContext(ctx, "timer trigger ignored: this build handles HTTP callbacks only", "trigger_name", req.TriggerName)
		return trigger.JSONResponse(http.StatusOK, reply{OK: true, Outcome: string(dispatch.Ignored), RequestID: logging.RequestID(ctx)})
	case req.IsEmpty():
		log.InfoContext(ctx, "probe: the request has no body; responded 200 without calling VOD", "method", req.Method, "envelope", string(req.Envelope))
		return trigger.JSONResponse(http.StatusOK, reply{
			OK: true, Outcome: "probe", Message: ProbeMessage, RequestID: logging.RequestID(ctx),
		})
	}

	cfg, err := f.config()
	if err != nil {
		return f.fail(ctx, err, failure{bodySize: len(req.Body)})
	}

	n, err := notification.Decode(req.Body)
	if err != nil {
		return f.fail(ctx, err, failure{bodySize: len(req.Body)})
	}
	if err := f.authenticate(ctx, cfg, n, req.Headers); err != nil {
		return f.fail(ctx, err, failure{bodySize: len(req.Body), eventType: n.EventType()})
	}

	dispatcher := dispatch.Dispatcher{
		Settings: dispatch.Settings{
			SubAppID:               cfg.SubAppID,
			Definitions:            cfg.Definitions,
			TranscodeWithProcedure: cfg.TranscodeWithProcedure,
		},
		Transcoder: lazyTranscoder{cfg: cfg, getenv: f.opts.Getenv, options: f.opts.VOD},
		Logger:     log,
	}
	result, err := dispatcher.Handle(ctx, n.Event)
	if err != nil {
		return f.fail(ctx, err, failure{bodySize: len(req.Body), eventType: result.EventType, fileID: result.FileID})
	}

	return trigger.JSONResponse(http.StatusOK, reply{
		OK:        true,
		Outcome:   string(outcome.Handled),
		Decision:  string(result.Decision),
		EventType: result.EventType,
		FileID:    result.FileID,
		TaskID:    result.TaskID,
		RequestID: logging.RequestID(ctx),
	})
}

// ProbeMessage is the response to a request with no body, such as a deployment smoke
// test, without calling VOD.
const ProbeMessage = "vodhook is running; POST a VOD v3.0 event notification to this URL"

func (f *Function) config() (config.Config, error) {
	if f.opts.FileError != nil {
		return config.Config{}, f.opts.FileError
	}
	return config.Resolve(f.opts.File, f.opts.Getenv)
}

func (f *Function) authenticate(ctx context.Context, cfg config.Config, n *notification.Notification, headers map[string]string) error {
	if cfg.SignKey == "" {
		f.warnUnsigned.Do(func() {
			f.opts.Logger.WarnContext(ctx, "callbacks are not authenticated: set VOD_SIGN_KEY (or sign_key in config.json) to the sign key configured in VOD, so forged notifications are rejected")
		})
		return nil
	}
	return notification.Verify(notification.SignatureOf(n, headers), cfg.SignKey, f.opts.Now())
}

// failure holds the details of an unhandled request for the error log
// line and the response.
type failure struct {
	bodySize  int
	eventType string
	fileID    string
}

// fail logs err once, with its outcome, and returns the response for it.
func (f *Function) fail(ctx context.Context, err error, info failure) trigger.Response {
	kind := outcome.Classify(err)
	status := outcome.HTTPStatus(err)
	attrs := []any{"outcome", string(kind), "status", status, "error", err.Error(), "body_size", info.bodySize}
	if info.eventType != "" {
		attrs = append(attrs, "event_type", info.eventType)
	}
	if info.fileID != "" {
		attrs = append(attrs, "file_id", info.fileID)
	}

	answer := reply{Outcome: string(kind), EventType: info.eventType, FileID: info.fileID, RequestID: logging.RequestID(ctx)}
	if apiErr, ok := vodclient.AsAPIError(err); ok {
		attrs = append(attrs, "error_code", apiErr.Code, "vod_request_id", apiErr.RequestID)
		answer.ErrorCode = apiErr.Code
	}
	answer.Error = publicError(kind, err)

	f.opts.Logger.ErrorContext(ctx, failureMessage(kind, err), attrs...)
	return trigger.JSONResponse(status, answer)
}

// failureMessage is the log message for an unhandled notification.
func failureMessage(kind outcome.Kind, err error) string {
	switch kind {
	case outcome.Malformed:
		if errors.Is(err, notification.ErrLegacyFormat) {
			return "notification rejected: " + notification.LegacyFormatFix
		}
		return "notification rejected: malformed"
	case outcome.Unauthorized:
		return "notification rejected: callback authentication failed"
	case outcome.Misconfigured:
		return "notification not handled: invalid configuration; fix it and VOD's redelivery will succeed"
	case outcome.Rejected:
		return "notification not handled: VOD rejected the request"
	default:
		return "notification not handled: VOD call failed; a redelivery may succeed"
	}
}

// publicError is the error text of the response. The caller may be anyone on
// the internet, so authentication and configuration failures stay vague
// there; the log has the detail.
func publicError(kind outcome.Kind, err error) string {
	switch kind {
	case outcome.Unauthorized:
		return "callback authentication failed"
	case outcome.Misconfigured:
		return "the function's configuration is invalid; see the function log"
	default:
		return err.Error()
	}
}

// reply is the JSON body of every response.
type reply struct {
	OK        bool   `json:"ok"`
	Outcome   string `json:"outcome"`
	Decision  string `json:"decision,omitempty"`
	EventType string `json:"event_type,omitempty"`
	FileID    string `json:"file_id,omitempty"`
	TaskID    string `json:"task_id,omitempty"`
	Error     string `json:"error,omitempty"`
	ErrorCode string `json:"error_code,omitempty"`
	Message   string `json:"message,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// lazyTranscoder resolves the credential and builds the VOD client only when
// a call is needed, so events that need no call work without credentials.
type lazyTranscoder struct {
	cfg     config.Config
	getenv  func(string) string
	options vodclient.Options
}

func (t lazyTranscoder) StartTranscode(ctx context.Context, req vodclient.TranscodeRequest) (vodclient.TranscodeResult, error) {
	cred, err := t.cfg.Credential(t.getenv)
	if err != nil {
		return vodclient.TranscodeResult{}, err
	}
	client, err := vodclient.New(t.cfg, cred, t.options)
	if err != nil {
		return vodclient.TranscodeResult{}, err
	}
	return client.StartTranscode(ctx, req)
}
