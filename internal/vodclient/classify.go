package vodclient

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"

	"github.com/vodhook/vodhook/internal/outcome"
)

// Class is the meaning of a VOD API error for the notification that caused the call.
type Class string

// Error classes.
const (
	// AlreadyStarted: an earlier delivery of the same event already started
	// the task, so this one has nothing left to do.
	AlreadyStarted Class = "already_started"
	// Retryable: a later delivery can succeed.
	Retryable Class = "retryable"
	// Rejected: VOD refused the request for good.
	Rejected Class = "rejected"
)

// Rule maps one error code, or every code under a prefix ending in ".", to
// a class.
type Rule struct {
	Code  string
	Class Class
}

// errorRules is the single table that classifies VOD API errors. The first
// matching rule wins; a code no rule matches is Rejected, because API
// errors other than these are about the request itself.
var errorRules = []Rule{
	// Duplicates of a ProcessMedia call with the same SessionId.
	{"InvalidParameterValue.SessionId", AlreadyStarted},
	{"FailedOperation.TaskDuplicate", AlreadyStarted},

	// Failures of the moment.
	{"InternalError", Retryable},
	{"InternalError.", Retryable},
	{"RequestLimitExceeded", Retryable},
	{"RequestLimitExceeded.", Retryable},
	{"ResourceUnavailable", Retryable},
	{"ClientError.NetworkError", Retryable},
	{"ClientError.HttpStatusCodeError", Retryable},
	{"ClientError.IOError", Retryable},
	{"ClientError.ParseJsonError", Retryable},
	// A temporary key expired between reading it and the call; SCF hands
	// the next invocation a fresh one.
	{"AuthFailure.TokenFailure", Retryable},
	// The request was signed with a time VOD does not accept; the next
	// delivery signs anew.
	{"AuthFailure.SignatureExpire", Retryable},

	// Refusals that no retry changes.
	{"InvalidParameterValue.FileId", Rejected},
	{"ResourceNotFound", Rejected},
	{"ResourceNotFound.", Rejected},
	{"UnauthorizedOperation", Rejected},
	{"UnauthorizedOperation.", Rejected},
	{"AuthFailure.UnauthorizedOperation", Rejected},
	{"FailedOperation.InvalidVodUser", Rejected},
}

// Classify returns the class of a VOD API error code.
func Classify(code string) Class {
	for _, rule := range errorRules {
		if rule.Code == code || (strings.HasSuffix(rule.Code, ".") && strings.HasPrefix(code, rule.Code)) {
			return rule.Class
		}
	}
	return Rejected
}

// Rules returns a copy of the classification table, in order.
func Rules() []Rule {
	return slices.Clone(errorRules)
}

// APIError is a failed VOD API call. It wraps outcome.ErrRetryable or
// outcome.ErrRejected according to its class.
type APIError struct {
	Action    string
	Code      string
	Message   string
	RequestID string
	Class     Class
	cause     error
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s failed: %s", e.Action, e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += " (RequestId " + e.RequestID + ")"
	}
	return msg
}

// Unwrap returns the outcome sentinel for the error's class and the
// underlying cause, such as a network error.
func (e *APIError) Unwrap() []error {
	kind := outcome.ErrRejected
	if e.Class == Retryable {
		kind = outcome.ErrRetryable
	}
	if e.cause == nil {
		return []error{kind}
	}
	return []error{kind, e.cause}
}

// newAPIError converts an SDK error from action into an *APIError.
func newAPIError(action string, err error) *APIError {
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) {
		return &APIError{Action: action, Code: "ClientError.NetworkError", Message: err.Error(), Class: Retryable, cause: err}
	}

	apiErr := &APIError{
		Action:    action,
		Code:      sdkErr.Code,
		Message:   sdkErr.Message,
		RequestID: sdkErr.RequestId,
		Class:     Classify(sdkErr.Code),
		cause:     errors.Unwrap(sdkErr),
	}
	if apiErr.cause != nil {
		apiErr.Message = describeCause(apiErr.cause)
	}
	return apiErr
}

// describeCause words a transport failure for a log line.
func describeCause(err error) string {
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return "timed out: " + err.Error()
	}
	return err.Error()
}
