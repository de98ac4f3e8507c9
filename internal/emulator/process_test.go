package emulator

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

func TestProcessMediaDeliversEvent(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	env := newTestEnv(t, Options{CallbackURL: callback.URL})
	file := env.upload(t, UploadRequest{Name: "movie.mp4", Duration: 12})

	resp, err := env.processMedia(file.FileId, 100010, 100020)
	if err != nil {
		t.Fatalf("ProcessMedia: %v", err)
	}

	taskId := *resp.Response.TaskId
	if !regexp.MustCompile(`^1250000000-Procedure-[0-9a-f]{32}t0$`).MatchString(taskId) {
		t.Errorf("TaskId = %q, want <AppId>-Procedure-<32 hex>t0", taskId)
	}
	if got := env.emulator.TaskCount(); got != 1 {
		t.Errorf("TaskCount() = %d, want 1", got)
	}

	deliveries := env.waitDeliveries(t, 2)
	d := findDelivery(t, deliveries, "ProcedureStateChanged")
	if d.Status != 200 || d.Error != "" || d.URL != callback.URL {
		t.Errorf("delivery = status %d, error %q, url %s; want 200 to %s", d.Status, d.Error, d.URL, callback.URL)
	}

	task := decodeEvent(t, d.Body).ProcedureStateChangeEvent
	if task == nil {
		t.Fatalf("event has no ProcedureStateChangeEvent: %s", d.Body)
	}
	checks := []struct {
		name string
		got  string
		want string
	}{
		{"TaskId", *task.TaskId, taskId},
		{"Status", *task.Status, "FINISH"},
		{"FileId", *task.FileId, file.FileId},
		{"FileName", *task.FileName, "movie.mp4"},
		{"FileUrl", *task.FileUrl, file.MediaUrl},
		{"TasksNotifyMode", *task.TasksNotifyMode, "Finish"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if *task.ErrCode != 0 || *task.Message != "" {
		t.Errorf("ErrCode, Message = %d, %q; want 0, \"\"", *task.ErrCode, *task.Message)
	}
	if *task.MetaData.Width != 1920 || *task.MetaData.Height != 1080 {
		t.Errorf("MetaData = %dx%d, want 1920x1080", *task.MetaData.Width, *task.MetaData.Height)
	}

	results := task.MediaProcessResultSet
	if len(results) != 2 {
		t.Fatalf("MediaProcessResultSet has %d entries, want 2", len(results))
	}
	wants := []struct {
		definition    uint64
		suffix        string
		width, height int64
	}{
		{100010, "/v.f100010.mp4", 640, 360},
		{100020, "/v.f100020.mp4", 960, 540},
	}
	for i, want := range wants {
		checkTranscodeSuccess(t, results[i], want.definition, want.suffix, want.width, want.height)
	}
}

func checkTranscodeSuccess(t *testing.T, result *vod.MediaProcessTaskResult, definition uint64, suffix string, width, height int64) {
	t.Helper()

	if *result.Type != "Transcode" {
		t.Errorf("Type = %q, want Transcode", *result.Type)
	}
	tr := result.TranscodeTask
	if *tr.Status != "SUCCESS" || *tr.ErrCode != 0 || *tr.ErrCodeExt != "" || *tr.Progress != 100 {
		t.Errorf("template %d: Status %q ErrCode %d ErrCodeExt %q Progress %d; want SUCCESS 0 \"\" 100",
			definition, *tr.Status, *tr.ErrCode, *tr.ErrCodeExt, *tr.Progress)
	}
	if got := *tr.Input.Definition; got != definition {
		t.Errorf("Input.Definition = %d, want %d", got, definition)
	}

	out := tr.Output
	if out == nil {
		t.Fatalf("template %d: Output is missing", definition)
	}
	if !strings.HasSuffix(*out.Url, suffix) {
		t.Errorf("Output.Url = %q, want suffix %q", *out.Url, suffix)
	}
	if *out.Definition != 0 {
		t.Errorf("Output.Definition = %d, want 0", *out.Definition)
	}
	if *out.Width != width || *out.Height != height {
		t.Errorf("template %d: Output = %dx%d, want %dx%d", definition, *out.Width, *out.Height, width, height)
	}
	if want := *out.Bitrate * 12 / 8; *out.Size != want {
		t.Errorf("Output.Size = %d, want bitrate*duration/8 = %d", *out.Size, want)
	}
	if len(*out.Md5) != 32 || *out.Container != mp4Container {
		t.Errorf("Output.Md5 = %q, Container = %q", *out.Md5, *out.Container)
	}
	if len(out.VideoStreamSet) != 1 || len(out.AudioStreamSet) != 1 {
		t.Errorf("Output has %d video and %d audio streams, want 1 and 1", len(out.VideoStreamSet), len(out.AudioStreamSet))
	}
}

func TestProcessMediaUnknownTemplate(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	env := newTestEnv(t, Options{CallbackURL: callback.URL})
	file := env.upload(t, UploadRequest{})

	if _, err := env.processMedia(file.FileId, 999999, 100210); err != nil {
		t.Fatalf("ProcessMedia: %v", err)
	}

	d := findDelivery(t, env.waitDeliveries(t, 2), "ProcedureStateChanged")
	results := decodeEvent(t, d.Body).ProcedureStateChangeEvent.MediaProcessResultSet
	if len(results) != 2 {
		t.Fatalf("MediaProcessResultSet has %d entries, want 2", len(results))
	}

	failed := results[0].TranscodeTask
	if *failed.Status != "FAIL" {
		t.Errorf("Status = %q, want FAIL", *failed.Status)
	}
	if *failed.ErrCodeExt != unknownTemplateCodeExt || *failed.ErrCode == 0 {
		t.Errorf("ErrCodeExt, ErrCode = %q, %d; want %q and non-zero", *failed.ErrCodeExt, *failed.ErrCode, unknownTemplateCodeExt)
	}
	if !strings.Contains(*failed.Message, "999999") || !strings.Contains(*failed.Message, "does not exist") {
		t.Errorf("Message = %q, want it to name the missing template", *failed.Message)
	}
	if failed.Output != nil {
		t.Errorf("Output = %+v, want none", failed.Output)
	}
	if *failed.Input.Definition != 999999 {
		t.Errorf("Input.Definition = %d, want 999999", *failed.Input.Definition)
	}

	hls := results[1].TranscodeTask
	if *hls.Status != "SUCCESS" || !strings.HasSuffix(*hls.Output.Url, "/v.f100210.m3u8") {
		t.Errorf("HLS sub-task: Status %q, Url %q; want SUCCESS and suffix /v.f100210.m3u8", *hls.Status, *hls.Output.Url)
	}
}

func TestProcessMediaErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{})
	file := env.upload(t, UploadRequest{})
	other := env.upload(t, UploadRequest{SubAppId: 7})

	withTemplate := func(mutate func(*vod.ProcessMediaRequest)) *vod.ProcessMediaRequest {
		req := vod.NewProcessMediaRequest()
		req.FileId = common.StringPtr(file.FileId)
		req.MediaProcessTask = &vod.MediaProcessTaskInput{
			TranscodeTaskSet: []*vod.TranscodeTaskInput{{Definition: common.Uint64Ptr(100010)}},
		}
		mutate(req)
		return req
	}

	tests := []struct {
		name string
		req  *vod.ProcessMediaRequest
		want string
	}{
		{"unknown file", withTemplate(func(r *vod.ProcessMediaRequest) { r.FileId = common.StringPtr("5285890784273533167") }), "InvalidParameterValue.FileId"},
		{"file of other sub-app", withTemplate(func(r *vod.ProcessMediaRequest) { r.FileId = common.StringPtr(other.FileId) }), "InvalidParameterValue.FileId"},
		{"missing file id", withTemplate(func(r *vod.ProcessMediaRequest) { r.FileId = nil }), "MissingParameter"},
		{"no task", withTemplate(func(r *vod.ProcessMediaRequest) { r.MediaProcessTask = nil }), "InvalidParameterValue"},
		{"empty task set", withTemplate(func(r *vod.ProcessMediaRequest) { r.MediaProcessTask.TranscodeTaskSet = nil }), "InvalidParameterValue"},
		{"missing definition", withTemplate(func(r *vod.ProcessMediaRequest) { r.MediaProcessTask.TranscodeTaskSet[0].Definition = nil }), "MissingParameter"},
		{"session id too long", withTemplate(func(r *vod.ProcessMediaRequest) { r.SessionId = common.StringPtr(strings.Repeat("s", 51)) }), "InvalidParameterValue.SessionIdTooLong"},
		{"session context too long", withTemplate(func(r *vod.ProcessMediaRequest) { r.SessionContext = common.StringPtr(strings.Repeat("c", 1001)) }), "InvalidParameterValue.SessionContextTooLong"},
		{"bad notify mode", withTemplate(func(r *vod.ProcessMediaRequest) { r.TasksNotifyMode = common.StringPtr("Always") }), "InvalidParameterValue.TasksNotifyMode"},
		{"priority out of range", withTemplate(func(r *vod.ProcessMediaRequest) { r.TasksPriority = common.Int64Ptr(11) }), "InvalidParameterValue.TasksPriority"},
		{"unsupported task", withTemplate(func(r *vod.ProcessMediaRequest) {
			r.AiAnalysisTask = &vod.AiAnalysisTaskInput{Definition: common.Uint64Ptr(10)}
		}), "UnsupportedOperation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.client.ProcessMedia(tt.req)
			if got := errorCode(t, err); got != tt.want {
				t.Errorf("error code = %q, want %q (error %v)", got, tt.want, err)
			}
		})
	}

	if got := env.emulator.TaskCount(); got != 0 {
		t.Errorf("TaskCount() = %d, want 0 after rejected calls", got)
	}
}

func TestProcessMediaSessionId(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	env := newTestEnv(t, Options{Now: clock.Now, SessionWindow: time.Minute, TaskDelay: time.Hour})
	file := env.upload(t, UploadRequest{})
	otherApp := env.upload(t, UploadRequest{SubAppId: 3})

	send := func(fileId string, subAppId uint64, sessionId string) error {
		req := vod.NewProcessMediaRequest()
		req.FileId = common.StringPtr(fileId)
		req.SessionId = common.StringPtr(sessionId)
		if subAppId != 0 {
			req.SubAppId = common.Uint64Ptr(subAppId)
		}
		req.MediaProcessTask = &vod.MediaProcessTaskInput{
			TranscodeTaskSet: []*vod.TranscodeTaskInput{{Definition: common.Uint64Ptr(100010)}},
		}
		_, err := env.client.ProcessMedia(req)
		return err
	}

	if err := send(file.FileId, 0, "job-1"); err != nil {
		t.Fatalf("first ProcessMedia: %v", err)
	}

	err := send(file.FileId, 0, "job-1")
	if got := errorCode(t, err); got != "InvalidParameterValue.SessionId" {
		t.Errorf("repeat: error code = %q, want InvalidParameterValue.SessionId", got)
	}
	if err != nil && !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("repeat: message %q does not say duplicate", err)
	}

	if err := send(otherApp.FileId, 3, "job-1"); err != nil {
		t.Errorf("same SessionId in another sub-app: %v", err)
	}
	if err := send(file.FileId, 0, ""); err != nil {
		t.Errorf("empty SessionId: %v", err)
	}
	if err := send(file.FileId, 0, ""); err != nil {
		t.Errorf("second empty SessionId: %v", err)
	}

	clock.Advance(2 * time.Minute)
	if err := send(file.FileId, 0, "job-1"); err != nil {
		t.Errorf("after the window: %v", err)
	}

	if got, want := env.emulator.TaskCount(), 5; got != want {
		t.Errorf("TaskCount() = %d, want %d", got, want)
	}
}

func TestProcessMediaChangeMode(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	env := newTestEnv(t, Options{CallbackURL: callback.URL})
	file := env.upload(t, UploadRequest{})

	req := vod.NewProcessMediaRequest()
	req.FileId = common.StringPtr(file.FileId)
	req.TasksNotifyMode = common.StringPtr("Change")
	req.SessionContext = common.StringPtr("ctx-42")
	req.MediaProcessTask = &vod.MediaProcessTaskInput{
		TranscodeTaskSet: []*vod.TranscodeTaskInput{{Definition: common.Uint64Ptr(100030)}},
	}
	if _, err := env.client.ProcessMedia(req); err != nil {
		t.Fatalf("ProcessMedia: %v", err)
	}

	deliveries := env.waitDeliveries(t, 3)
	var statuses, subStatuses []string
	for _, d := range deliveries[1:] {
		task := decodeEvent(t, d.Body).ProcedureStateChangeEvent
		statuses = append(statuses, *task.Status)
		subStatuses = append(subStatuses, *task.MediaProcessResultSet[0].TranscodeTask.Status)
		if *task.SessionContext != "ctx-42" || *task.TasksNotifyMode != "Change" {
			t.Errorf("SessionContext, TasksNotifyMode = %q, %q; want ctx-42, Change", *task.SessionContext, *task.TasksNotifyMode)
		}
	}

	if got, want := strings.Join(statuses, ","), "PROCESSING,FINISH"; got != want {
		t.Errorf("task statuses = %s, want %s", got, want)
	}
	if got, want := strings.Join(subStatuses, ","), "PROCESSING,SUCCESS"; got != want {
		t.Errorf("sub-task statuses = %s, want %s", got, want)
	}
}

func TestProcessMediaNoneMode(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	env := newTestEnv(t, Options{CallbackURL: callback.URL})
	file := env.upload(t, UploadRequest{})

	req := vod.NewProcessMediaRequest()
	req.FileId = common.StringPtr(file.FileId)
	req.TasksNotifyMode = common.StringPtr("None")
	req.MediaProcessTask = &vod.MediaProcessTaskInput{
		TranscodeTaskSet: []*vod.TranscodeTaskInput{{Definition: common.Uint64Ptr(100030)}},
	}
	if _, err := env.client.ProcessMedia(req); err != nil {
		t.Fatalf("ProcessMedia: %v", err)
	}

	time.Sleep(100 * time.Millisecond)
	if got := len(env.emulator.Deliveries()); got != 1 {
		t.Errorf("got %d deliveries, want only the NewFileUpload one", got)
	}
}

func TestScaleToShortSide(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		width, height, target int64
		wantWidth, wantHeight int64
	}{
		{"landscape 16:9", 1920, 1080, 360, 640, 360},
		{"portrait 9:16", 1080, 1920, 540, 540, 960},
		{"square", 1000, 1000, 720, 720, 720},
		{"odd result rounded even", 1918, 1080, 360, 640, 360},
		{"upscale 4:3", 640, 480, 1080, 1440, 1080},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			gotWidth, gotHeight := scaleToShortSide(tt.width, tt.height, tt.target)
			if gotWidth != tt.wantWidth || gotHeight != tt.wantHeight {
				t.Errorf("scaleToShortSide(%d, %d, %d) = %dx%d, want %dx%d",
					tt.width, tt.height, tt.target, gotWidth, gotHeight, tt.wantWidth, tt.wantHeight)
			}
		})
	}
}
