package vodclient

import (
	"context"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// EventConfig is VOD's event notification configuration of one
// (sub-)application.
type EventConfig struct {
	Mode            string `json:"Mode"` // "PUSH" (HTTP callbacks) or "PULL" (reliable callbacks)
	NotificationURL string `json:"NotificationUrl"`

	// Event switches, "ON" or "OFF".
	UploadMediaComplete string `json:"UploadMediaCompleteEventSwitch"`
	DeleteMediaComplete string `json:"DeleteMediaCompleteEventSwitch"`
	PersistenceComplete string `json:"PersistenceCompleteEventSwitch"`
}

// DescribeEventConfig returns the current event notification configuration
// and the request id of the call.
func (c *Client) DescribeEventConfig(ctx context.Context) (EventConfig, string, error) {
	callCtx, cancel, err := c.callContext(ctx)
	if err != nil {
		return EventConfig{}, "", err
	}
	defer cancel()

	request := vod.NewDescribeEventConfigRequest()
	request.SubAppId = c.subApp()
	response, err := c.sdk.DescribeEventConfigWithContext(callCtx, request)
	if err != nil {
		return EventConfig{}, "", newAPIError("DescribeEventConfig", err)
	}

	r := response.Response
	return EventConfig{
		Mode:                deref(r.Mode),
		NotificationURL:     deref(r.NotificationUrl),
		UploadMediaComplete: deref(r.UploadMediaCompleteEventSwitch),
		DeleteMediaComplete: deref(r.DeleteMediaCompleteEventSwitch),
		PersistenceComplete: deref(r.PersistenceCompleteEventSwitch),
	}, deref(r.RequestId), nil
}

// ModifyEventConfig sets every field of cfg explicitly, so that no switch
// falls back to a default because it was left out. signKey is sent only
// when it is not empty, because DescribeEventConfig does not return the
// current key and it cannot be sent back unchanged.
//
// NOTE: that VOD keeps its sign key when SignKey is left out is assumed
// from the API reference (vod v1.3.112), not observed against the service.
func (c *Client) ModifyEventConfig(ctx context.Context, cfg EventConfig, signKey string) (string, error) {
	callCtx, cancel, err := c.callContext(ctx)
	if err != nil {
		return "", err
	}
	defer cancel()

	request := ModifyEventConfigRequest(cfg, signKey)
	request.SubAppId = c.subApp()
	response, err := c.sdk.ModifyEventConfigWithContext(callCtx, request)
	if err != nil {
		return "", newAPIError("ModifyEventConfig", err)
	}
	return deref(response.Response.RequestId), nil
}

// ModifyEventConfigRequest builds the request ModifyEventConfig sends, for
// callers that print it before sending.
func ModifyEventConfigRequest(cfg EventConfig, signKey string) *vod.ModifyEventConfigRequest {
	request := vod.NewModifyEventConfigRequest()
	request.Mode = common.StringPtr(cfg.Mode)
	request.NotificationUrl = common.StringPtr(cfg.NotificationURL)
	request.UploadMediaCompleteEventSwitch = common.StringPtr(cfg.UploadMediaComplete)
	request.DeleteMediaCompleteEventSwitch = common.StringPtr(cfg.DeleteMediaComplete)
	request.PersistenceCompleteEventSwitch = common.StringPtr(cfg.PersistenceComplete)
	if signKey != "" {
		request.SignKey = common.StringPtr(signKey)
	}
	return request
}
