package emulator

import (
	"testing"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// eventConfig is the part of DescribeEventConfig the tests compare.
type eventConfig struct {
	mode, url, upload, delete, persistence string
}

func describeEventConfig(t *testing.T, env *testEnv, subAppId uint64) eventConfig {
	t.Helper()

	req := vod.NewDescribeEventConfigRequest()
	if subAppId != 0 {
		req.SubAppId = common.Uint64Ptr(subAppId)
	}
	resp, err := env.client.DescribeEventConfig(req)
	if err != nil {
		t.Fatalf("DescribeEventConfig: %v", err)
	}

	r := resp.Response
	return eventConfig{*r.Mode, *r.NotificationUrl, *r.UploadMediaCompleteEventSwitch, *r.DeleteMediaCompleteEventSwitch, *r.PersistenceCompleteEventSwitch}
}

func TestDescribeEventConfigInitial(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{CallbackURL: "http://127.0.0.1:1/callback"})

	for _, subAppId := range []uint64{0, 1500000001} {
		got := describeEventConfig(t, env, subAppId)
		want := eventConfig{"PUSH", "http://127.0.0.1:1/callback", "ON", "ON", "OFF"}
		if got != want {
			t.Errorf("sub-app %d: config = %+v, want %+v", subAppId, got, want)
		}
	}
}

func TestModifyEventConfig(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{CallbackURL: "http://127.0.0.1:1/callback"})

	req := vod.NewModifyEventConfigRequest()
	req.Mode = common.StringPtr("PULL")
	req.PersistenceCompleteEventSwitch = common.StringPtr("ON")
	if _, err := env.client.ModifyEventConfig(req); err != nil {
		t.Fatalf("ModifyEventConfig: %v", err)
	}

	got := describeEventConfig(t, env, 0)
	want := eventConfig{"PULL", "http://127.0.0.1:1/callback", "OFF", "OFF", "ON"}
	if got != want {
		t.Errorf("after omitting the upload and delete switches: config = %+v, want %+v", got, want)
	}

	req = vod.NewModifyEventConfigRequest()
	req.Mode = common.StringPtr("PUSH")
	req.NotificationUrl = common.StringPtr("https://example.test/vod")
	req.UploadMediaCompleteEventSwitch = common.StringPtr("ON")
	req.DeleteMediaCompleteEventSwitch = common.StringPtr("OFF")
	req.PersistenceCompleteEventSwitch = common.StringPtr("OFF")
	if _, err := env.client.ModifyEventConfig(req); err != nil {
		t.Fatalf("ModifyEventConfig: %v", err)
	}

	got = describeEventConfig(t, env, 0)
	want = eventConfig{"PUSH", "https://example.test/vod", "ON", "OFF", "OFF"}
	if got != want {
		t.Errorf("after setting every field: config = %+v, want %+v", got, want)
	}

	if other := describeEventConfig(t, env, 9); other.url != "http://127.0.0.1:1/callback" {
		t.Errorf("sub-app 9 NotificationUrl = %q, want the initial URL", other.url)
	}
}

func TestModifyEventConfigClearsURL(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{CallbackURL: "http://127.0.0.1:1/callback"})

	req := vod.NewModifyEventConfigRequest()
	req.NotificationUrl = common.StringPtr("")
	req.UploadMediaCompleteEventSwitch = common.StringPtr("ON")
	if _, err := env.client.ModifyEventConfig(req); err != nil {
		t.Fatalf("ModifyEventConfig: %v", err)
	}

	if got := describeEventConfig(t, env, 0).url; got != "" {
		t.Errorf("NotificationUrl = %q, want empty", got)
	}
}

func TestModifyEventConfigErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})

	tests := []struct {
		name   string
		mutate func(*vod.ModifyEventConfigRequest)
		want   string
	}{
		{"bad mode", func(r *vod.ModifyEventConfigRequest) { r.Mode = common.StringPtr("POLL") }, "InvalidParameterValue.Mode"},
		{"relative url", func(r *vod.ModifyEventConfigRequest) { r.NotificationUrl = common.StringPtr("/callback") }, "InvalidParameterValue.NotificationUrl"},
		{"ftp url", func(r *vod.ModifyEventConfigRequest) { r.NotificationUrl = common.StringPtr("ftp://host/x") }, "InvalidParameterValue.NotificationUrl"},
		{"bad switch", func(r *vod.ModifyEventConfigRequest) { r.UploadMediaCompleteEventSwitch = common.StringPtr("on") }, "InvalidParameterValue.Switch"},
		{"sign key symbols", func(r *vod.ModifyEventConfigRequest) { r.SignKey = common.StringPtr("key-with-dash") }, "InvalidParameterValue.SignKey"},
		{"sign key too long", func(r *vod.ModifyEventConfigRequest) {
			r.SignKey = common.StringPtr("a123456789012345678901234567890123")
		}, "InvalidParameterValue.SignKey"},
		{"valid sign key", func(r *vod.ModifyEventConfigRequest) { r.SignKey = common.StringPtr("Key123") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := vod.NewModifyEventConfigRequest()
			tt.mutate(req)
			_, err := env.client.ModifyEventConfig(req)
			if got := errorCode(t, err); got != tt.want {
				t.Errorf("error code = %q, want %q (error %v)", got, tt.want, err)
			}
		})
	}
}

func TestUploadSwitchOff(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	env := newTestEnv(t, Options{CallbackURL: callback.URL})

	req := vod.NewModifyEventConfigRequest()
	req.UploadMediaCompleteEventSwitch = common.StringPtr("OFF")
	if _, err := env.client.ModifyEventConfig(req); err != nil {
		t.Fatalf("ModifyEventConfig: %v", err)
	}

	result := env.upload(t, UploadRequest{})
	if result.Delivery != nil {
		t.Errorf("Delivery = %+v, want nil with the upload switch OFF", result.Delivery)
	}

	if _, err := env.processMedia(result.FileId, 100010); err != nil {
		t.Fatalf("ProcessMedia: %v", err)
	}
	deliveries := env.waitDeliveries(t, 1)
	if deliveries[0].EventType != "ProcedureStateChanged" {
		t.Errorf("first delivery is %s, want ProcedureStateChanged", deliveries[0].EventType)
	}
}
