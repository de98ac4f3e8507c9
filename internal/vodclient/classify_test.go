package vodclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"

	"github.com/vodhook/vodhook/internal/outcome"
)

func TestClassifyEveryRule(t *testing.T) {
	t.Parallel()
	for _, rule := range errorRules {
		code := rule.Code
		if code[len(code)-1] == '.' {
			code += "Anything"
		}
		if got := Classify(code); got != rule.Class {
			t.Errorf("Classify(%q) = %q, want %q", code, got, rule.Class)
		}
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want Class
	}{
		{"InvalidParameterValue.SessionId", AlreadyStarted},
		{"FailedOperation.TaskDuplicate", AlreadyStarted},
		{"InternalError", Retryable},
		{"InternalError.DBError", Retryable},
		{"RequestLimitExceeded", Retryable},
		{"RequestLimitExceeded.UinLimitExceeded", Retryable},
		{"ClientError.NetworkError", Retryable},
		{"AuthFailure.TokenFailure", Retryable},
		{"InvalidParameterValue.FileId", Rejected},
		{"ResourceNotFound.FileNotExist", Rejected},
		{"UnauthorizedOperation", Rejected},
		{"AuthFailure.UnauthorizedOperation", Rejected},
		{"FailedOperation.InvalidVodUser", Rejected},
		{"AuthFailure.SignatureFailure", Rejected},
		{"AuthFailure.SecretIdNotFound", Rejected},
		{"InvalidParameterValue.SessionIdTooLong", Rejected},
		{"InternalErrorish", Rejected},
		{"SomethingNew", Rejected},
	}
	for _, tt := range tests {
		if got := Classify(tt.code); got != tt.want {
			t.Errorf("Classify(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestAPIErrorWrapsOutcome(t *testing.T) {
	t.Parallel()
	rejected := newAPIError("ProcessMedia", tcerr.NewTencentCloudSDKError("InvalidParameterValue.FileId", "no such file", "req-1"))
	if !errors.Is(rejected, outcome.ErrRejected) || outcome.HTTPStatus(rejected) != 500 {
		t.Errorf("%v: want ErrRejected and 500", rejected)
	}
	if rejected.RequestID != "req-1" || rejected.Code != "InvalidParameterValue.FileId" {
		t.Errorf("got %+v", rejected)
	}

	retry := newAPIError("ProcessMedia", tcerr.NewTencentCloudSDKError("InternalError", "oops", "req-2"))
	if !errors.Is(retry, outcome.ErrRetryable) || outcome.HTTPStatus(retry) != 503 {
		t.Errorf("%v: want ErrRetryable and 503", retry)
	}

	cause := &net.OpError{Op: "dial", Err: context.DeadlineExceeded}
	network := newAPIError("ProcessMedia", tcerr.NewTencentCloudSDKErrorWithCause("ClientError.NetworkError", "Fail to get response", "", cause))
	if !errors.Is(network, outcome.ErrRetryable) || !errors.Is(network, context.DeadlineExceeded) {
		t.Errorf("%v: want ErrRetryable wrapping the deadline", network)
	}

	plain := newAPIError("ProcessMedia", fmt.Errorf("boom"))
	if plain.Class != Retryable {
		t.Errorf("a non-SDK error is %q, want retryable", plain.Class)
	}
}

func TestSessionID(t *testing.T) {
	t.Parallel()
	a := SessionID("5285890799999990001", 0, []uint64{100010, 100020})
	if len(a) > MaxSessionIDLength {
		t.Errorf("len = %d, want at most %d", len(a), MaxSessionIDLength)
	}
	if b := SessionID("5285890799999990001", 0, []uint64{100020, 100010}); b != a {
		t.Errorf("template order changed the id: %s vs %s", a, b)
	}
	for name, other := range map[string]string{
		"file":      SessionID("5285890799999990002", 0, []uint64{100010, 100020}),
		"sub-app":   SessionID("5285890799999990001", 1500000001, []uint64{100010, 100020}),
		"templates": SessionID("5285890799999990001", 0, []uint64{100010}),
	} {
		if other == a {
			t.Errorf("a different %s gives the same id %s", name, a)
		}
	}
	// The separator keeps "1|23" and "12|3" apart.
	if SessionID("1", 23, []uint64{5}) == SessionID("12", 3, []uint64{5}) {
		t.Error("ambiguous concatenation")
	}
}
