// Package vodclient makes the VOD API calls vodhook needs through the
// official SDK, bounds each call by the invocation's deadline, and
// classifies API errors.
package vodclient

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/vodhook/vodhook/internal/config"
	"github.com/vodhook/vodhook/internal/outcome"
)

// Defaults for Options.
const (
	DefaultCallTimeout      = 3 * time.Second
	DefaultSafetyMargin     = 500 * time.Millisecond
	DefaultRateLimitRetries = 3
	firstRetryDelay         = 200 * time.Millisecond
)

// ErrNoTimeLeft means the invocation's deadline leaves no time for a call.
var ErrNoTimeLeft = fmt.Errorf("%w: not enough time left before the invocation deadline to call VOD", outcome.ErrRetryable)

// Options tune a Client. Zero values take the defaults.
type Options struct {
	// Transport is shared by the clients of successive invocations, so
	// connections to VOD are reused.
	Transport http.RoundTripper

	// CallTimeout bounds each API call, retries included.
	CallTimeout time.Duration

	// SafetyMargin is kept back from the invocation's deadline, so the
	// function can still log and respond after a call times out.
	SafetyMargin time.Duration

	// RateLimitRetries is how often the SDK retries RequestLimitExceeded
	// within one call, with exponential backoff that never sleeps past the
	// call's deadline. Negative disables retries.
	RateLimitRetries int
}

func (o Options) withDefaults() Options {
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.SafetyMargin <= 0 {
		o.SafetyMargin = DefaultSafetyMargin
	}
	if o.RateLimitRetries == 0 {
		o.RateLimitRetries = DefaultRateLimitRetries
	}
	if o.RateLimitRetries < 0 {
		o.RateLimitRetries = 0
	}
	return o
}

// Client calls the VOD API for one configuration and credential.
type Client struct {
	sdk      *vod.Client
	subAppID uint64
	opts     Options

	mu       sync.Mutex
	deadline time.Time // of the call in progress, for the retry backoff
}

// New returns a client for cfg that signs with cred. Build one per
// invocation, because the credential may change between invocations.
func New(cfg config.Config, cred config.Credential, opts Options) (*Client, error) {
	opts = opts.withDefaults()
	c := &Client{subAppID: cfg.SubAppID, opts: opts}

	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = cfg.Endpoint.Host
	cpf.HttpProfile.Scheme = cfg.Endpoint.Scheme
	cpf.HttpProfile.ReqTimeout = int(math.Ceil(opts.CallTimeout.Seconds()))
	cpf.RateLimitExceededMaxRetries = opts.RateLimitRetries
	cpf.RateLimitExceededRetryDuration = c.retryDelay

	credential := common.NewTokenCredential(cred.SecretID, cred.SecretKey, cred.Token)
	sdk, err := vod.NewClient(credential, cfg.Region, cpf)
	if err != nil {
		return nil, fmt.Errorf("%w: create VOD client: %v", outcome.ErrConfig, err)
	}
	if opts.Transport != nil {
		sdk.WithHttpTransport(opts.Transport)
	}
	c.sdk = sdk
	return c, nil
}

// retryDelay is the SDK's backoff between RequestLimitExceeded retries:
// 200 ms, 400 ms, 800 ms..., cut short so that no sleep passes the call's
// deadline. After a cut-short sleep the retry fails at once on the expired
// context, and the call reports a retryable error.
func (c *Client) retryDelay(attempt int) time.Duration {
	delay := firstRetryDelay << min(attempt, 10)

	c.mu.Lock()
	remaining := time.Until(c.deadline)
	c.mu.Unlock()
	return max(min(delay, remaining), 0)
}

// callContext bounds one call by CallTimeout and by the deadline of ctx
// less SafetyMargin.
func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc, error) {
	deadline := time.Now().Add(c.opts.CallTimeout)
	if d, ok := ctx.Deadline(); ok && d.Add(-c.opts.SafetyMargin).Before(deadline) {
		deadline = d.Add(-c.opts.SafetyMargin)
	}
	if time.Until(deadline) <= 0 {
		return nil, nil, ErrNoTimeLeft
	}

	c.mu.Lock()
	c.deadline = deadline
	c.mu.Unlock()
	callCtx, cancel := context.WithDeadline(ctx, deadline)
	return callCtx, cancel, nil
}

func (c *Client) subApp() *uint64 {
	if c.subAppID == 0 {
		return nil
	}
	return &c.subAppID
}

// TranscodeRequest is a request to transcode one file.
type TranscodeRequest struct {
	FileID      string
	Definitions []uint64
	SessionID   string // deduplication key; see SessionID
}

// TranscodeResult is the result of a TranscodeRequest.
type TranscodeResult struct {
	TaskID    string
	RequestID string

	// AlreadyStarted is set when VOD reported that a request with the same
	// SessionId was already accepted. TaskID is then empty.
	AlreadyStarted bool
	// DuplicateCode is the error code VOD returned in that case.
	DuplicateCode string
}

// StartTranscode calls ProcessMedia with one TranscodeTaskSet entry per
// template. A duplicate SessionId is not an error: the result has
// AlreadyStarted set.
func (c *Client) StartTranscode(ctx context.Context, req TranscodeRequest) (TranscodeResult, error) {
	callCtx, cancel, err := c.callContext(ctx)
	if err != nil {
		return TranscodeResult{}, err
	}
	defer cancel()

	request := vod.NewProcessMediaRequest()
	request.FileId = common.StringPtr(req.FileID)
	request.SubAppId = c.subApp()
	request.MediaProcessTask = &vod.MediaProcessTaskInput{}
	for _, d := range req.Definitions {
		request.MediaProcessTask.TranscodeTaskSet = append(request.MediaProcessTask.TranscodeTaskSet,
			&vod.TranscodeTaskInput{Definition: common.Uint64Ptr(d)})
	}
	if req.SessionID != "" {
		request.SessionId = common.StringPtr(req.SessionID)
	}

	response, err := c.sdk.ProcessMediaWithContext(callCtx, request)
	if err != nil {
		apiErr := newAPIError("ProcessMedia", err)
		if apiErr.Class == AlreadyStarted {
			return TranscodeResult{AlreadyStarted: true, RequestID: apiErr.RequestID, DuplicateCode: apiErr.Code}, nil
		}
		return TranscodeResult{}, apiErr
	}

	return TranscodeResult{
		TaskID:    deref(response.Response.TaskId),
		RequestID: deref(response.Response.RequestId),
	}, nil
}

// AsAPIError returns the *APIError in err's chain, if any.
func AsAPIError(err error) (*APIError, bool) {
	var apiErr *APIError
	ok := errors.As(err, &apiErr)
	return apiErr, ok
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
