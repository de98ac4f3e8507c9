package emulator

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// newPullEnv starts an emulator whose primary application is in PULL mode.
func newPullEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()

	env := newTestEnv(t, opts)
	req := vod.NewModifyEventConfigRequest()
	req.Mode = common.StringPtr("PULL")
	req.UploadMediaCompleteEventSwitch = common.StringPtr("ON")
	if _, err := env.client.ModifyEventConfig(req); err != nil {
		t.Fatalf("ModifyEventConfig: %v", err)
	}
	return env
}

func (env *testEnv) pull(t *testing.T) []*vod.EventContent {
	t.Helper()

	resp, err := env.client.PullEvents(vod.NewPullEventsRequest())
	if err != nil {
		t.Fatalf("PullEvents: %v", err)
	}
	return resp.Response.EventSet
}

func (env *testEnv) confirm(handles ...string) error {
	req := vod.NewConfirmEventsRequest()
	req.EventHandles = common.StringPtrs(handles)
	_, err := env.client.ConfirmEvents(req)
	return err
}

func TestPullAndConfirm(t *testing.T) {
	t.Parallel()
	env := newPullEnv(t, Options{})

	result := env.upload(t, UploadRequest{})
	if result.Delivery != nil {
		t.Errorf("Delivery = %+v, want nil in PULL mode", result.Delivery)
	}
	if _, err := env.processMedia(result.FileId, 100040); err != nil {
		t.Fatalf("ProcessMedia: %v", err)
	}

	var events []*vod.EventContent
	for attempt := 0; attempt < 10 && len(events) < 2; attempt++ {
		events = append(events, env.pull(t)...)
	}
	if len(events) != 2 {
		t.Fatalf("pulled %d events, want 2", len(events))
	}
	if *events[0].EventType != "NewFileUpload" || *events[1].EventType != "ProcedureStateChanged" {
		t.Errorf("event types = %s, %s; want NewFileUpload, ProcedureStateChanged", *events[0].EventType, *events[1].EventType)
	}
	if *events[0].FileUploadEvent.FileId != result.FileId {
		t.Errorf("FileId = %s, want %s", *events[0].FileUploadEvent.FileId, result.FileId)
	}

	if err := env.confirm(*events[0].EventHandle, *events[1].EventHandle); err != nil {
		t.Fatalf("ConfirmEvents: %v", err)
	}
	if got := env.pull(t); len(got) != 0 {
		t.Errorf("pulled %d events after confirming, want 0", len(got))
	}
	if got := len(env.emulator.Deliveries()); got != 0 {
		t.Errorf("got %d PUSH deliveries in PULL mode, want 0", got)
	}
}

func TestPullEmptyAfterWait(t *testing.T) {
	t.Parallel()
	env := newPullEnv(t, Options{PullWait: 150 * time.Millisecond})

	start := time.Now()
	events := env.pull(t)
	elapsed := time.Since(start)

	if events == nil || len(events) != 0 {
		t.Errorf("EventSet = %v, want an empty, non-null set", events)
	}
	if elapsed < 150*time.Millisecond {
		t.Errorf("PullEvents returned after %s, want it to hold for PullWait", elapsed)
	}
}

func TestPullWakesOnEvent(t *testing.T) {
	t.Parallel()
	env := newPullEnv(t, Options{PullWait: 5 * time.Second})

	go func() {
		time.Sleep(50 * time.Millisecond)
		_, _ = env.emulator.Upload(context.Background(), UploadRequest{})
	}()

	start := time.Now()
	events := env.pull(t)

	if len(events) != 1 {
		t.Fatalf("pulled %d events, want 1", len(events))
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("PullEvents returned after %s, want it to wake when the event arrives", elapsed)
	}
}

func TestPullRedeliversAfterLease(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	env := newPullEnv(t, Options{Now: clock.Now, LeaseTime: 30 * time.Second, PullWait: 50 * time.Millisecond})
	env.upload(t, UploadRequest{})

	first := env.pull(t)
	if len(first) != 1 {
		t.Fatalf("first pull got %d events, want 1", len(first))
	}
	if got := env.pull(t); len(got) != 0 {
		t.Errorf("pull during the lease got %d events, want 0", len(got))
	}

	clock.Advance(31 * time.Second)
	second := env.pull(t)
	if len(second) != 1 {
		t.Fatalf("pull after the lease got %d events, want 1", len(second))
	}
	if *second[0].EventHandle == *first[0].EventHandle {
		t.Errorf("redelivered event kept handle %s, want a new one", *first[0].EventHandle)
	}

	err := env.confirm(*first[0].EventHandle)
	if got := errorCode(t, err); got != "InvalidParameterValue.EventHandles" {
		t.Errorf("confirming the old handle: code %q, want InvalidParameterValue.EventHandles", got)
	}
	if err := env.confirm(*second[0].EventHandle); err != nil {
		t.Errorf("confirming the new handle: %v", err)
	}
}

func TestConfirmAfterLease(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	env := newPullEnv(t, Options{Now: clock.Now, LeaseTime: 30 * time.Second})
	env.upload(t, UploadRequest{})

	events := env.pull(t)
	if len(events) != 1 {
		t.Fatalf("pulled %d events, want 1", len(events))
	}
	clock.Advance(30 * time.Second)

	err := env.confirm(*events[0].EventHandle)
	if got := errorCode(t, err); got != "InvalidParameterValue.EventHandles" {
		t.Errorf("late confirmation: code %q, want InvalidParameterValue.EventHandles", got)
	}
}

func TestPullLimit(t *testing.T) {
	t.Parallel()
	env := newPullEnv(t, Options{})
	for range 20 {
		env.upload(t, UploadRequest{})
	}

	first := env.pull(t)
	second := env.pull(t)

	if len(first) != 16 || len(second) != 4 {
		t.Errorf("pulled %d then %d events, want 16 then 4", len(first), len(second))
	}
}

func TestConfirmEventsErrors(t *testing.T) {
	t.Parallel()
	env := newPullEnv(t, Options{})
	env.upload(t, UploadRequest{})
	events := env.pull(t)
	if len(events) != 1 {
		t.Fatalf("pulled %d events, want 1", len(events))
	}

	tooMany := make([]string, 17)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("handle-%d", i)
	}

	tests := []struct {
		name    string
		handles []string
		want    string
	}{
		{"too many", tooMany, "InvalidParameterValue.EventHandles"},
		{"none", nil, "MissingParameter"},
		{"unknown", []string{"no-such-handle"}, "InvalidParameterValue.EventHandles"},
		{"valid with unknown", []string{*events[0].EventHandle, "no-such-handle"}, "InvalidParameterValue.EventHandles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := env.confirm(tt.handles...)
			if got := errorCode(t, err); got != tt.want {
				t.Errorf("error code = %q, want %q (error %v)", got, tt.want, err)
			}
		})
	}

	if err := env.confirm(*events[0].EventHandle); err != nil {
		t.Errorf("the valid handle no longer confirms after a rejected batch: %v", err)
	}
}
