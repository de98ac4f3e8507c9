package emulator

import (
	"context"
	"time"

	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// maxEventsPerPull is the PullEvents and ConfirmEvents limit documented in
// the SDK (vod v1.3.112).
const maxEventsPerPull = 16

// queuedEvent is an event waiting in a PULL-mode queue.
type queuedEvent struct {
	event      *vod.EventContent // without EventHandle
	handle     string            // handle of the latest pull; "" before the first
	leaseUntil time.Time         // the event is hidden until then
}

// enqueue adds an event and wakes waiting PullEvents requests. The caller
// holds e.mu.
func (a *appState) enqueue(event *vod.EventContent) {
	a.queue = append(a.queue, &queuedEvent{event: event})
	close(a.queueChanged)
	a.queueChanged = make(chan struct{})
}

// lease returns up to maxEventsPerPull ready events, each with a new
// handle and hidden until now+leaseTime, and the earliest time a leased
// event becomes ready again (zero when none is leased). The caller holds
// e.mu.
func (a *appState) lease(now time.Time, leaseTime time.Duration) ([]*vod.EventContent, time.Time) {
	var events []*vod.EventContent
	var next time.Time
	for _, q := range a.queue {
		if now.Before(q.leaseUntil) {
			if next.IsZero() || q.leaseUntil.Before(next) {
				next = q.leaseUntil
			}
			continue
		}
		if len(events) == maxEventsPerPull {
			continue
		}

		q.handle = randomHex(32)
		q.leaseUntil = now.Add(leaseTime)
		event := *q.event
		event.EventHandle = stringPtr(q.handle)
		events = append(events, &event)
	}
	return events, next
}

// pullEventsResponse is PullEventsResponseParams with EventSet always
// encoded, as [] when no event is ready.
type pullEventsResponse struct {
	EventSet  []*vod.EventContent `json:"EventSet"`
	RequestId string              `json:"RequestId"`
}

// pullEvents returns ready events of a PULL-mode queue. When none is ready
// it holds for up to PullWait, returning early when an event arrives, a
// lease ends, the client goes away or the emulator closes.
//
// NOTE: the SDK lists ResourceNotFound among the error codes of PullEvents,
// so the real service may return that error instead of an empty EventSet
// when the hold ends without events. The emulator returns an empty EventSet.
func (e *Emulator) pullEvents(ctx context.Context, req *apiRequest) (any, *apiError) {
	var params vod.PullEventsRequestParams
	if apiErr := decodeParams(req.body, &params); apiErr != nil {
		return nil, apiErr
	}

	subAppId := deref(params.SubAppId)
	deadline := time.Now().Add(e.opts.PullWait)
	for {
		events, changed, wakeIn := e.leaseEvents(subAppId)
		if len(events) > 0 {
			e.log.Info("events pulled", "sub_app_id", subAppId, "count", len(events))
			return &pullEventsResponse{EventSet: events, RequestId: req.requestId}, nil
		}

		hold := time.Until(deadline)
		if hold <= 0 {
			break
		}
		if wakeIn > 0 {
			hold = min(hold, wakeIn)
		}

		select {
		case <-changed:
		case <-time.After(hold):
		case <-ctx.Done():
			return &pullEventsResponse{EventSet: []*vod.EventContent{}, RequestId: req.requestId}, nil
		case <-e.ctx.Done():
			return &pullEventsResponse{EventSet: []*vod.EventContent{}, RequestId: req.requestId}, nil
		}
	}
	return &pullEventsResponse{EventSet: []*vod.EventContent{}, RequestId: req.requestId}, nil
}

// leaseEvents leases ready events of a sub-application. When there are
// none it returns the channel that signals a new event and how long until
// the next lease ends (0 when no event is leased).
func (e *Emulator) leaseEvents(subAppId uint64) ([]*vod.EventContent, <-chan struct{}, time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()

	app := e.app(subAppId)
	now := e.now()
	events, next := app.lease(now, e.opts.LeaseTime)

	var wakeIn time.Duration
	if !next.IsZero() {
		wakeIn = next.Sub(now)
	}
	return events, app.queueChanged, wakeIn
}

// confirmEvents removes pulled events by handle. A handle that is unknown,
// was replaced by a later pull, or whose lease ended fails the whole
// request, and then no event is removed.
//
// NOTE: the SDK (vod v1.3.112) documents only a parameter error,
// InvalidParameterValue, for a confirmation later than 30 seconds. The
// emulator returns InvalidParameterValue.EventHandles for every bad handle.
func (e *Emulator) confirmEvents(_ context.Context, req *apiRequest) (any, *apiError) {
	var params vod.ConfirmEventsRequestParams
	if apiErr := decodeParams(req.body, &params); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := checkHandleCount(len(params.EventHandles)); apiErr != nil {
		return nil, apiErr
	}

	e.mu.Lock()
	defer e.mu.Unlock()

	app := e.app(deref(params.SubAppId))
	now := e.now()
	confirmed := make(map[*queuedEvent]bool)
	for i, handle := range params.EventHandles {
		q := app.findLeased(deref(handle), now)
		if q == nil {
			return nil, newAPIError("InvalidParameterValue.EventHandles",
				"The EventHandles.%d `%s` is unknown or its lease of %s has ended; pull the event again.", i, deref(handle), e.opts.LeaseTime)
		}
		confirmed[q] = true
	}

	remaining := app.queue[:0]
	for _, q := range app.queue {
		if !confirmed[q] {
			remaining = append(remaining, q)
		}
	}
	clear(app.queue[len(remaining):])
	app.queue = remaining

	e.log.Info("events confirmed", "sub_app_id", deref(params.SubAppId), "count", len(confirmed))
	return &vod.ConfirmEventsResponseParams{RequestId: stringPtr(req.requestId)}, nil
}

func checkHandleCount(n int) *apiError {
	switch {
	case n == 0:
		return newAPIError("MissingParameter", "The request is missing a required parameter `EventHandles`.")
	case n > maxEventsPerPull:
		return newAPIError("InvalidParameterValue.EventHandles", "The EventHandles has %d entries; the maximum is %d.", n, maxEventsPerPull)
	}
	return nil
}

// findLeased returns the queued event whose current lease has the given
// handle, or nil. The caller holds e.mu.
func (a *appState) findLeased(handle string, now time.Time) *queuedEvent {
	if handle == "" {
		return nil
	}
	for _, q := range a.queue {
		if q.handle == handle && now.Before(q.leaseUntil) {
			return q
		}
	}
	return nil
}
