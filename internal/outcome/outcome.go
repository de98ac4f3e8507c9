// Package outcome classifies the result of handling one VOD notification and
// maps it to each trigger's response: an HTTP status for PUSH callbacks, and a
// confirm-or-leave decision for PULL mode.
//
// Handling code returns nil or an error that wraps one of the sentinels below;
// HTTPStatus and Confirm are the only places that turn those into responses.
package outcome

import (
	"errors"
	"net/http"
)

// Sentinel errors, one per kind of outcome. Wrap them with context:
// fmt.Errorf("start transcode for file %s: %w", id, outcome.ErrRejected).
var (
	// ErrMalformed marks input that can never be handled: not JSON, no
	// EventType, a required field missing or of the wrong type.
	ErrMalformed = errors.New("malformed notification")

	// ErrUnauthorized marks a callback whose Sign or T is missing, wrong or expired.
	ErrUnauthorized = errors.New("callback authentication failed")

	// ErrRejected marks a VOD API error that a retry cannot fix, such as an
	// unknown FileId, an unknown template or a missing permission.
	ErrRejected = errors.New("VOD rejected the request")

	// ErrRetryable marks a failure that a later delivery can fix: a network
	// error, a timeout, InternalError or RequestLimitExceeded.
	ErrRetryable = errors.New("VOD request failed; a retry may succeed")

	// ErrConfig marks invalid or missing configuration, such as no credentials
	// when a VOD call is needed.
	ErrConfig = errors.New("invalid configuration")
)

// Kind is the name of an outcome in logs and in the JSON response body.
type Kind string

// Outcome kinds.
const (
	Handled       Kind = "handled"
	Malformed     Kind = "malformed"
	Unauthorized  Kind = "unauthorized"
	Rejected      Kind = "rejected"
	Retryable     Kind = "retryable"
	Misconfigured Kind = "misconfigured"
)

// Classify returns the kind of outcome err stands for. A nil error is Handled;
// an error that wraps none of the sentinels counts as Retryable, because
// leaving the event for redelivery loses nothing.
func Classify(err error) Kind {
	switch {
	case err == nil:
		return Handled
	case errors.Is(err, ErrMalformed):
		return Malformed
	case errors.Is(err, ErrUnauthorized):
		return Unauthorized
	case errors.Is(err, ErrConfig):
		return Misconfigured
	case errors.Is(err, ErrRejected):
		return Rejected
	default:
		return Retryable
	}
}

// HTTPStatus returns the status code of the HTTP response for err.
// VOD treats any status other than 200 as a failed delivery.
func HTTPStatus(err error) int {
	switch Classify(err) {
	case Handled:
		return http.StatusOK
	case Malformed:
		return http.StatusBadRequest
	case Unauthorized:
		return http.StatusUnauthorized
	case Rejected, Misconfigured:
		return http.StatusInternalServerError
	default:
		return http.StatusServiceUnavailable
	}
}

// Confirm reports whether a pulled event should be confirmed with
// ConfirmEvents. Events that can never succeed are confirmed so they do not
// come back forever. Events that a retry or a configuration fix can still
// handle are left for VOD to redeliver.
func Confirm(err error) bool {
	switch Classify(err) {
	case Handled, Malformed, Unauthorized, Rejected:
		return true
	default:
		return false
	}
}
