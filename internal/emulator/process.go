package emulator

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"
)

// Limits from the SDK documentation of ProcessMediaRequest (vod v1.3.112).
const (
	maxSessionIdLength      = 50
	maxSessionContextLength = 1000
	minTasksPriority        = -10
	maxTasksPriority        = 10
)

// TasksNotifyMode values.
const (
	notifyFinish = "Finish"
	notifyChange = "Change"
	notifyNone   = "None"
)

// task is an accepted ProcessMedia request.
type task struct {
	id             string
	subAppId       uint64
	file           *mediaFile
	transcodes     []*vod.TranscodeTaskInput
	notifyMode     string
	priority       int64
	sessionId      string
	sessionContext string
	accepted       time.Time
}

// processMedia starts a transcoding task and schedules its
// ProcedureStateChanged events.
func (e *Emulator) processMedia(_ context.Context, req *apiRequest) (any, *apiError) {
	var params vod.ProcessMediaRequestParams
	if apiErr := decodeParams(req.body, &params); apiErr != nil {
		return nil, apiErr
	}

	t, apiErr := newTask(&params)
	if apiErr != nil {
		return nil, apiErr
	}
	t.id = fmt.Sprintf("%d-Procedure-%st0", e.opts.AppId, randomHex(32))

	if apiErr := e.startTask(t, deref(params.FileId)); apiErr != nil {
		return nil, apiErr
	}
	e.log.Info("task started", "task_id", t.id, "file_id", t.file.fileId, "sub_app_id", t.subAppId,
		"templates", len(t.transcodes), "notify_mode", t.notifyMode)

	return &vod.ProcessMediaResponseParams{TaskId: stringPtr(t.id), RequestId: stringPtr(req.requestId)}, nil
}

// newTask validates the parameters that do not depend on stored state.
func newTask(p *vod.ProcessMediaRequestParams) (*task, *apiError) {
	if deref(p.FileId) == "" {
		// NOTE: the real API also accepts MediaStoragePath or Url in place of
		// FileId. The emulator supports only FileId.
		return nil, newAPIError("MissingParameter", "The request is missing a required parameter `FileId`.")
	}

	t := &task{
		subAppId:       deref(p.SubAppId),
		notifyMode:     deref(p.TasksNotifyMode),
		priority:       deref(p.TasksPriority),
		sessionId:      deref(p.SessionId),
		sessionContext: deref(p.SessionContext),
	}
	if t.notifyMode == "" {
		t.notifyMode = notifyFinish
	}

	if apiErr := t.validate(); apiErr != nil {
		return nil, apiErr
	}

	transcodes, apiErr := transcodeTasks(p)
	if apiErr != nil {
		return nil, apiErr
	}
	t.transcodes = transcodes
	return t, nil
}

func (t *task) validate() *apiError {
	switch {
	case utf8.RuneCountInString(t.sessionId) > maxSessionIdLength:
		return newAPIError("InvalidParameterValue.SessionIdTooLong", "The SessionId has %d characters; the maximum is %d.", utf8.RuneCountInString(t.sessionId), maxSessionIdLength)
	case utf8.RuneCountInString(t.sessionContext) > maxSessionContextLength:
		return newAPIError("InvalidParameterValue.SessionContextTooLong", "The SessionContext has %d characters; the maximum is %d.", utf8.RuneCountInString(t.sessionContext), maxSessionContextLength)
	case t.notifyMode != notifyFinish && t.notifyMode != notifyChange && t.notifyMode != notifyNone:
		return newAPIError("InvalidParameterValue.TasksNotifyMode", "The TasksNotifyMode `%s` is invalid; use Finish, Change or None.", t.notifyMode)
	case t.priority < minTasksPriority || t.priority > maxTasksPriority:
		return newAPIError("InvalidParameterValue.TasksPriority", "The TasksPriority %d is out of range; use a value from %d to %d.", t.priority, minTasksPriority, maxTasksPriority)
	}
	return nil
}

// transcodeTasks returns the transcoding sub-tasks of a request.
func transcodeTasks(p *vod.ProcessMediaRequestParams) ([]*vod.TranscodeTaskInput, *apiError) {
	if name := unsupportedTask(p); name != "" {
		return nil, newAPIError("UnsupportedOperation", "The emulator implements only MediaProcessTask.TranscodeTaskSet; remove %s.", name)
	}

	var set []*vod.TranscodeTaskInput
	if p.MediaProcessTask != nil {
		set = p.MediaProcessTask.TranscodeTaskSet
	}
	if len(set) == 0 {
		return nil, newAPIError("InvalidParameterValue", "No processing task is given; set at least one entry in MediaProcessTask.TranscodeTaskSet.")
	}

	for i, input := range set {
		if input == nil {
			return nil, newAPIError("InvalidParameter", "The parameter `MediaProcessTask.TranscodeTaskSet.%d` is null.", i)
		}
		if input.Definition == nil {
			return nil, newAPIError("MissingParameter", "The request is missing a required parameter `MediaProcessTask.TranscodeTaskSet.%d.Definition`.", i)
		}
	}
	return set, nil
}

// unsupportedTask names the first task kind of p the emulator does not
// implement, or returns "".
func unsupportedTask(p *vod.ProcessMediaRequestParams) string {
	switch {
	case p.AiContentReviewTask != nil:
		return "AiContentReviewTask"
	case p.AiAnalysisTask != nil:
		return "AiAnalysisTask"
	case p.AiRecognitionTask != nil:
		return "AiRecognitionTask"
	case deref(p.OutputAsIndependentMedia) == "ON":
		return "OutputAsIndependentMedia"
	}

	m := p.MediaProcessTask
	switch {
	case m == nil:
		return ""
	case len(m.AnimatedGraphicTaskSet) > 0:
		return "MediaProcessTask.AnimatedGraphicTaskSet"
	case len(m.SnapshotByTimeOffsetTaskSet) > 0:
		return "MediaProcessTask.SnapshotByTimeOffsetTaskSet"
	case len(m.SampleSnapshotTaskSet) > 0:
		return "MediaProcessTask.SampleSnapshotTaskSet"
	case len(m.ImageSpriteTaskSet) > 0:
		return "MediaProcessTask.ImageSpriteTaskSet"
	case len(m.CoverBySnapshotTaskSet) > 0:
		return "MediaProcessTask.CoverBySnapshotTaskSet"
	case len(m.AdaptiveDynamicStreamingTaskSet) > 0:
		return "MediaProcessTask.AdaptiveDynamicStreamingTaskSet"
	}
	return ""
}

// startTask checks the file and the SessionId against stored state, counts
// the task and starts its goroutine.
func (e *Emulator) startTask(t *task, fileId string) *apiError {
	e.mu.Lock()
	defer e.mu.Unlock()

	if e.closed {
		return newAPIError("InternalError", "The emulator is shutting down and accepts no new tasks.")
	}

	file, ok := e.files[fileKey{t.subAppId, fileId}]
	if !ok {
		return newAPIError("InvalidParameterValue.FileId", "The FileId `%s` does not exist in %s.", fileId, appName(t.subAppId))
	}
	t.file = file
	t.accepted = e.now()

	if apiErr := e.useSessionId(t); apiErr != nil {
		return apiErr
	}

	e.taskCount++
	e.wg.Add(1)
	go e.runTask(t)
	return nil
}

// useSessionId rejects a SessionId used in the sub-application within
// SessionWindow and otherwise records it. The caller holds e.mu.
func (e *Emulator) useSessionId(t *task) *apiError {
	if t.sessionId == "" {
		return nil
	}

	app := e.app(t.subAppId)
	window := e.opts.SessionWindow
	for id, used := range app.sessions {
		if t.accepted.Sub(used) >= window {
			delete(app.sessions, id)
		}
	}

	if used, ok := app.sessions[t.sessionId]; ok {
		return newAPIError("InvalidParameterValue.SessionId",
			"The SessionId `%s` is a duplicate: it was used at %s, within the deduplication window of %s, so no task was created.",
			t.sessionId, used.UTC().Format(time.RFC3339), window)
	}
	app.sessions[t.sessionId] = t.accepted
	return nil
}

// runTask waits TaskDelay and emits the task's ProcedureStateChanged
// events: with TasksNotifyMode Change a PROCESSING event halfway, then the
// FINISH event, and nothing with None.
func (e *Emulator) runTask(t *task) {
	defer e.wg.Done()

	delay := e.opts.TaskDelay
	if t.notifyMode == notifyChange {
		if !wait(delay/2, e.ctx.Done(), nil) {
			return
		}
		e.emit(e.ctx, t.subAppId, e.procedureEvent(t, false))
		delay -= delay / 2
	}

	if !wait(delay, e.ctx.Done(), nil) {
		return
	}
	if t.notifyMode == notifyNone {
		e.log.Info("task finished without notification", "task_id", t.id)
		return
	}
	e.emit(e.ctx, t.subAppId, e.procedureEvent(t, true))
}

// procedureEvent builds the ProcedureStateChanged event of t, PROCESSING or
// FINISH.
func (e *Emulator) procedureEvent(t *task, final bool) *vod.EventContent {
	now := e.now()
	results := make([]*vod.MediaProcessTaskResult, 0, len(t.transcodes))
	for _, input := range t.transcodes {
		results = append(results, transcodeResult(t.file, input, final, t.accepted, now))
	}

	status := "PROCESSING"
	if final {
		status = "FINISH"
	}

	return &vod.EventContent{
		EventType: stringPtr(eventProcedureStateChanged),
		ProcedureStateChangeEvent: &vod.ProcedureTask{
			TaskId:                stringPtr(t.id),
			Status:                stringPtr(status),
			ErrCode:               int64Ptr(0),
			Message:               stringPtr(""),
			FileId:                stringPtr(t.file.fileId),
			FileName:              stringPtr(t.file.name),
			FileUrl:               stringPtr(t.file.mediaURL()),
			MetaData:              t.file.metaData(),
			MediaProcessResultSet: results,
			TasksPriority:         int64Ptr(t.priority),
			TasksNotifyMode:       stringPtr(t.notifyMode),
			SessionContext:        stringPtr(t.sessionContext),
			SessionId:             stringPtr(t.sessionId),
		},
	}
}

func appName(subAppId uint64) string {
	if subAppId == 0 {
		return "the primary application"
	}
	return fmt.Sprintf("sub-application %d", subAppId)
}
