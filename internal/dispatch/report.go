package dispatch

import (
	"context"
	"fmt"
	"log/slog"

	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/vodhook/vodhook/internal/outcome"
)

// Task flow and sub-task statuses as VOD reports them.
const (
	statusFinish  = "FINISH"
	statusFail    = "FAIL"
	typeTranscode = "Transcode"
)

func (d *Dispatcher) handleProcedure(ctx context.Context, task *vod.ProcedureTask) (Result, error) {
	result := Result{EventType: EventProcedureStateChanged}
	if task == nil {
		return result, fmt.Errorf("%w: ProcedureStateChanged without ProcedureStateChangeEvent", outcome.ErrMalformed)
	}
	result.FileID = deref(task.FileId)
	result.TaskID = deref(task.TaskId)

	log := d.Logger.With("event_type", EventProcedureStateChanged, "file_id", result.FileID, "task_id", result.TaskID)
	status := deref(task.Status)
	if status != statusFinish {
		log.InfoContext(ctx, "task flow not finished yet; acknowledged", "status", status)
		result.Decision = Acknowledged
		return result, nil
	}

	if code := deref(task.ErrCode); code != 0 {
		log.ErrorContext(ctx, "task flow failed", "error_code", code, "message", deref(task.Message))
	}

	others := 0
	for _, item := range task.MediaProcessResultSet {
		if item == nil || deref(item.Type) != typeTranscode {
			others++
			continue
		}
		if reportTranscode(ctx, log, item.TranscodeTask) {
			result.Outputs++
		} else {
			result.Failures++
		}
	}

	log.InfoContext(ctx, "task flow finished", "outputs", result.Outputs, "failed", result.Failures, "other_results", others)
	result.Decision = OutputsReported
	return result, nil
}

// reportTranscode logs one transcoding sub-task and reports whether it
// produced an output. A sub-task with Status FAIL or a non-empty ErrCodeExt
// is logged as an error.
func reportTranscode(ctx context.Context, log *slog.Logger, task *vod.MediaProcessTaskTranscodeResult) bool {
	if task == nil {
		log.WarnContext(ctx, "transcode result without TranscodeTask")
		return false
	}

	definition := transcodeDefinition(task)
	status := deref(task.Status)
	if status == statusFail || deref(task.ErrCodeExt) != "" {
		code := deref(task.ErrCodeExt)
		if code == "" {
			code = fmt.Sprint(deref(task.ErrCode))
		}
		log.ErrorContext(ctx, "transcode failed",
			"definition", definition, "status", status, "error_code", code, "message", deref(task.Message))
		return false
	}

	out := task.Output
	if out == nil || deref(out.Url) == "" {
		log.WarnContext(ctx, "transcode result has no output URL", "definition", definition, "status", status)
		return false
	}

	log.InfoContext(ctx, "transcode output",
		"definition", definition,
		"url", deref(out.Url),
		"size", deref(out.Size),
		"duration", deref(out.Duration),
		"width", deref(out.Width),
		"height", deref(out.Height),
		"bitrate", deref(out.Bitrate),
	)
	return true
}

// transcodeDefinition returns the template of a sub-task. Input.Definition
// is the one requested; Output.Definition is often 0, so it is only a
// fallback.
func transcodeDefinition(task *vod.MediaProcessTaskTranscodeResult) uint64 {
	if task.Input != nil && deref(task.Input.Definition) != 0 {
		return deref(task.Input.Definition)
	}
	if task.Output != nil && deref(task.Output.Definition) > 0 {
		return uint64(deref(task.Output.Definition))
	}
	return 0
}
