package emulator

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

func TestFaultCodeThenSuccess(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})
	file := env.upload(t, UploadRequest{})
	env.emulator.InjectFault(Fault{Action: "ProcessMedia", Code: "RequestLimitExceeded", Times: 2})

	var codes []string
	for range 3 {
		_, err := env.processMedia(file.FileId, 100010)
		codes = append(codes, errorCode(t, err))
	}

	if got, want := strings.Join(codes, ","), "RequestLimitExceeded,RequestLimitExceeded,"; got != want {
		t.Errorf("error codes = %q, want %q", got, want)
	}
	if got := env.emulator.TaskCount(); got != 1 {
		t.Errorf("TaskCount() = %d, want 1", got)
	}

	var recorded []string
	for _, c := range env.emulator.Calls() {
		recorded = append(recorded, c.ErrorCode)
	}
	if got, want := strings.Join(recorded, ","), "RequestLimitExceeded,RequestLimitExceeded,"; got != want {
		t.Errorf("recorded codes = %q, want %q", got, want)
	}
}

func TestFaultMatching(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})
	env.emulator.InjectFault(Fault{Action: "ProcessMedia", Code: "InternalError"})
	env.emulator.InjectFault(Fault{Code: "FailedOperation", Message: "custom message", Times: -1})

	_, err := env.client.DescribeEventConfig(vod.NewDescribeEventConfigRequest())
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) || sdkErr.Code != "FailedOperation" || sdkErr.Message != "custom message" {
		t.Errorf("DescribeEventConfig error = %v, want FailedOperation with the custom message", err)
	}

	_, err = env.processMedia("1", 100010)
	if got := errorCode(t, err); got != "InternalError" {
		t.Errorf("ProcessMedia error code = %q, want InternalError from the first matching fault", got)
	}

	_, err = env.processMedia("1", 100010)
	if got := errorCode(t, err); got != "FailedOperation" {
		t.Errorf("second ProcessMedia error code = %q, want FailedOperation from the unlimited fault", got)
	}

	env.emulator.ClearFaults()
	if _, err := env.client.DescribeEventConfig(vod.NewDescribeEventConfigRequest()); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
}

func TestFaultAfterAuthentication(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})
	env.emulator.InjectFault(Fault{Code: "InternalError"})
	badKey := env.newClient(t, common.NewCredential(testCredential.SecretId, "not-the-key"))

	_, err := badKey.DescribeEventConfig(vod.NewDescribeEventConfigRequest())
	if got := errorCode(t, err); got != "AuthFailure.SignatureFailure" {
		t.Errorf("wrong key: code %q, want AuthFailure.SignatureFailure before any fault", got)
	}

	err = env.callRaw(t, "NoSuchAction", `{}`)
	if got := errorCode(t, err); got != "InvalidAction" {
		t.Errorf("unknown action: code %q, want InvalidAction before any fault", got)
	}

	_, err = env.client.DescribeEventConfig(vod.NewDescribeEventConfigRequest())
	if got := errorCode(t, err); got != "InternalError" {
		t.Errorf("code = %q, want the fault still pending for an authenticated call", got)
	}
}

func TestFaultDelayClientTimeout(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})
	env.emulator.InjectFault(Fault{Action: "DescribeEventConfig", Delay: 5 * time.Second})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := env.client.DescribeEventConfigWithContext(ctx, vod.NewDescribeEventConfigRequest())

	if err == nil {
		t.Fatal("DescribeEventConfig succeeded, want a client timeout")
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("the call took %s, want it to end at the client timeout", elapsed)
	}

	waitForCallCode(t, env.emulator, CodeClientGone)
}

func TestFaultDelayThenError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})
	env.emulator.InjectFault(Fault{Delay: 50 * time.Millisecond, Code: "InternalError"})

	start := time.Now()
	_, err := env.client.DescribeEventConfig(vod.NewDescribeEventConfigRequest())

	if got := errorCode(t, err); got != "InternalError" {
		t.Errorf("code = %q, want InternalError", got)
	}
	if elapsed := time.Since(start); elapsed < 50*time.Millisecond {
		t.Errorf("responded after %s, want at least the 50ms delay", elapsed)
	}
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})
	env.emulator.InjectFault(Fault{Action: "DescribeEventConfig", Drop: true})

	_, err := env.client.DescribeEventConfig(vod.NewDescribeEventConfigRequest())

	if got := errorCode(t, err); got != "ClientError.NetworkError" {
		t.Errorf("code = %q, want ClientError.NetworkError (error %v)", got, err)
	}
	waitForCallCode(t, env.emulator, CodeDropped)

	if _, err := env.client.DescribeEventConfig(vod.NewDescribeEventConfigRequest()); err != nil {
		t.Errorf("the call after the dropped one failed: %v", err)
	}
}

// waitForCallCode waits until the first call records code.
func waitForCallCode(t *testing.T, e *Emulator, code string) {
	t.Helper()

	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if calls := e.Calls(); len(calls) > 0 && calls[0].ErrorCode == code {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Errorf("calls = %+v, want the first with ErrorCode %s", e.Calls(), code)
}
