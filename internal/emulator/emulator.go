// Package emulator is a local stand-in for the Tencent Cloud VOD API.
//
// An Emulator is an http.Handler that speaks the TencentCloud API 3.0
// protocol (TC3-HMAC-SHA256 signatures, JSON bodies, the Response envelope)
// for the VOD actions vodhook calls: ProcessMedia, DescribeEventConfig,
// ModifyEventConfig, PullEvents and ConfirmEvents. The real SDK can talk to
// it over loopback by setting HttpProfile.Endpoint to the emulator's
// host:port and HttpProfile.Scheme to "HTTP".
//
// The emulator also sends the v3.0 event notifications NewFileUpload and
// ProcedureStateChanged, either as HTTP POSTs to the configured callback URL
// (PUSH mode) or through the PullEvents queue (PULL mode).
//
// Paths under /emulator/ serve test helpers with JSON bodies and no
// authentication:
//
//	POST   /emulator/upload      UploadRequest in, UploadResult out
//	GET    /emulator/calls       []Call
//	GET    /emulator/deliveries  []Delivery
//	GET    /emulator/health      {"ok":true}
//	POST   /emulator/faults      a Fault, with Delay as a Go duration such as "3s"
//	DELETE /emulator/faults      removes every fault
//
// A bad request gets a 4xx status and {"error":"..."} naming the problem.
//
// The emulator is for demos and tests. Production code should not import it.
package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Sentinel errors returned by New, Upload and WaitDeliveries.
var (
	ErrInvalidOptions = errors.New("invalid emulator options")
	ErrInvalidUpload  = errors.New("invalid upload request")
	ErrFileExists     = errors.New("file already exists")
	ErrClosed         = errors.New("emulator is closed")
)

// Credential is a key pair the emulated API accepts.
type Credential struct {
	SecretId  string
	SecretKey string
	Token     string // session token of a temporary key; empty for a permanent key
}

// Call is one API request as the emulator received it.
type Call struct {
	Time      time.Time
	Action    string
	RequestId string
	SecretId  string // from the Authorization header, "" if absent; never the key
	SubAppId  uint64
	// Params is the request body as received. A body that is not valid JSON
	// is stored as a JSON string.
	Params json.RawMessage
	// ErrorCode is the API error code of the response, "" on success, or
	// CodeDropped / CodeClientGone when no response was sent.
	ErrorCode string
}

// Error codes recorded in Call.ErrorCode when the emulator sent no response.
// They are not Tencent Cloud codes.
const (
	// CodeDropped marks a call whose connection a Drop fault closed.
	CodeDropped = "Emulator.ConnectionDropped"
	// CodeClientGone marks a call whose client went away during a fault's Delay.
	CodeClientGone = "Emulator.ClientGone"
)

// Emulator is the emulated VOD service. Create it with New.
type Emulator struct {
	opts          Options
	log           *slog.Logger
	client        *http.Client
	credentials   map[string]Credential
	retryInterval time.Duration // pause between PUSH attempts; tests shorten it
	storagePrefix string        // "<8 hex>vodtransgzp<AppId>", the first path segment of media URLs

	ctx       context.Context // cancelled by Close
	cancel    context.CancelFunc
	wg        sync.WaitGroup // task goroutines
	closeOnce sync.Once

	mu            sync.Mutex
	closed        bool
	apps          map[uint64]*appState
	files         map[fileKey]*mediaFile
	calls         []Call
	deliveries    []Delivery
	deliveryAdded chan struct{} // closed and replaced whenever a delivery is recorded
	faults        []*activeFault
	taskCount     int
}

// New validates opts, fills in defaults and returns a ready emulator.
func New(opts Options) (*Emulator, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}

	credentials := make(map[string]Credential, len(opts.Credentials))
	for _, c := range opts.Credentials {
		credentials[c.SecretId] = c
	}

	ctx, cancel := context.WithCancel(context.Background())
	e := &Emulator{
		opts:          opts,
		log:           opts.Logger,
		client:        opts.HTTPClient,
		credentials:   credentials,
		retryInterval: defaultRetryInterval,
		storagePrefix: storagePrefix(opts.AppId),
		ctx:           ctx,
		cancel:        cancel,
		apps:          make(map[uint64]*appState),
		files:         make(map[fileKey]*mediaFile),
		deliveryAdded: make(chan struct{}),
	}
	return e, nil
}

// Close stops pending task timers and deliveries and waits for the
// emulator's goroutines to finish. A PullEvents request that is holding
// returns at once. Close is safe to call more than once.
func (e *Emulator) Close() {
	e.closeOnce.Do(func() {
		e.mu.Lock()
		e.closed = true
		e.mu.Unlock()

		e.cancel()
		e.wg.Wait()
		e.log.Info("emulator closed")
	})
}

// Calls returns every API call received so far, in order of arrival,
// including rejected ones.
func (e *Emulator) Calls() []Call {
	e.mu.Lock()
	defer e.mu.Unlock()

	return slices.Clone(e.calls)
}

// CallsTo returns the calls of one action so far, in order.
func (e *Emulator) CallsTo(action string) []Call {
	var calls []Call
	for _, call := range e.Calls() {
		if call.Action == action {
			calls = append(calls, call)
		}
	}
	return calls
}

// Deliveries returns every PUSH delivery attempt so far, in order.
func (e *Emulator) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()

	return slices.Clone(e.deliveries)
}

// WaitDeliveries blocks until at least n delivery attempts are recorded and
// returns all of them. When ctx ends first, or the emulator is closed with
// fewer attempts, it returns the attempts so far with an error.
func (e *Emulator) WaitDeliveries(ctx context.Context, n int) ([]Delivery, error) {
	for {
		e.mu.Lock()
		got := slices.Clone(e.deliveries)
		added := e.deliveryAdded
		closed := e.closed
		e.mu.Unlock()

		if len(got) >= n {
			return got, nil
		}
		if closed {
			return got, fmt.Errorf("waiting for %d deliveries, got %d: %w", n, len(got), ErrClosed)
		}

		select {
		case <-added:
		case <-e.ctx.Done():
		case <-ctx.Done():
			return got, fmt.Errorf("waiting for %d deliveries, got %d: %w", n, len(got), ctx.Err())
		}
	}
}

// TaskCount returns how many ProcessMedia calls created a task. Rejected
// calls, including SessionId duplicates, are not counted.
func (e *Emulator) TaskCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()

	return e.taskCount
}

// SetCallbackURL sets the NotificationUrl of a sub-application, as
// ModifyEventConfig would, without changing its other settings. An empty
// url removes the callback URL. The URL is not validated.
func (e *Emulator) SetCallbackURL(subAppId uint64, url string) {
	e.mu.Lock()
	defer e.mu.Unlock()

	e.app(subAppId).notificationURL = url
}

// wait waits for d and reports false when a or b is closed first. A nil
// channel never closes.
func wait(d time.Duration, a, b <-chan struct{}) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()

	select {
	case <-timer.C:
		return true
	case <-a:
		return false
	case <-b:
		return false
	}
}

func (e *Emulator) now() time.Time {
	return e.opts.Now()
}

// recordCall appends call to the log and returns its index for finishCall.
func (e *Emulator) recordCall(call Call) int {
	e.mu.Lock()
	defer e.mu.Unlock()

	e.calls = append(e.calls, call)
	return len(e.calls) - 1
}

func (e *Emulator) finishCall(index int, errorCode string) {
	e.mu.Lock()
	defer e.mu.Unlock()

	e.calls[index].ErrorCode = errorCode
}

func (e *Emulator) recordDelivery(d Delivery) {
	e.mu.Lock()
	defer e.mu.Unlock()

	e.deliveries = append(e.deliveries, d)
	close(e.deliveryAdded)
	e.deliveryAdded = make(chan struct{})
}
