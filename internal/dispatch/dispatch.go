// Package dispatch decides what each VOD event means for the business:
// NewFileUpload starts transcoding, ProcedureStateChanged reports the
// outputs, and every other event type is acknowledged and ignored. It does
// not deal with HTTP or timers. Callers map its error to their response
// with package outcome.
package dispatch

import (
	"context"
	"fmt"
	"log/slog"

	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/vodhook/vodhook/internal/outcome"
	"github.com/vodhook/vodhook/internal/vodclient"
)

// Event types vodhook acts on.
const (
	EventNewFileUpload         = "NewFileUpload"
	EventProcedureStateChanged = "ProcedureStateChanged"
)

// Decision is the name of what was done with an event, for logs and responses.
type Decision string

// Decisions.
const (
	TranscodeStarted   Decision = "transcode_started"
	TranscodeDuplicate Decision = "transcode_already_started"
	TranscodeSkipped   Decision = "transcode_skipped"
	OutputsReported    Decision = "outputs_reported"
	Acknowledged       Decision = "acknowledged"
	Ignored            Decision = "ignored"
)

// Transcoder starts transcoding. *vodclient.Client implements it.
type Transcoder interface {
	StartTranscode(ctx context.Context, req vodclient.TranscodeRequest) (vodclient.TranscodeResult, error)
}

// Settings are the parts of the configuration that decide what to do.
type Settings struct {
	SubAppID    uint64
	Definitions []uint64

	// TranscodeWithProcedure transcodes a NewFileUpload even when a task
	// flow already started at upload time.
	TranscodeWithProcedure bool
}

// Result describes what Handle did.
type Result struct {
	EventType string
	Decision  Decision
	FileID    string
	TaskID    string
	Outputs   int // transcoding outputs reported
	Failures  int // failed transcoding sub-tasks reported
}

// Dispatcher handles decoded events.
type Dispatcher struct {
	Settings   Settings
	Transcoder Transcoder
	Logger     *slog.Logger
}

// Handle acts on one event and logs one line per decision. The error wraps
// an outcome sentinel: outcome.ErrMalformed when a required field is
// missing, or the VOD client's error.
func (d *Dispatcher) Handle(ctx context.Context, event *vod.EventContent) (Result, error) {
	eventType := deref(event.EventType)
	switch eventType {
	case EventNewFileUpload:
		return d.handleUpload(ctx, event.FileUploadEvent)
	case EventProcedureStateChanged:
		return d.handleProcedure(ctx, event.ProcedureStateChangeEvent)
	default:
		d.Logger.InfoContext(ctx, "event ignored: vodhook acts only on NewFileUpload and ProcedureStateChanged",
			"event_type", eventType)
		return Result{EventType: eventType, Decision: Ignored}, nil
	}
}

func (d *Dispatcher) handleUpload(ctx context.Context, upload *vod.FileUploadTask) (Result, error) {
	result := Result{EventType: EventNewFileUpload}
	if upload == nil {
		return result, fmt.Errorf("%w: NewFileUpload without FileUploadEvent", outcome.ErrMalformed)
	}
	result.FileID = deref(upload.FileId)
	if result.FileID == "" {
		return result, fmt.Errorf("%w: NewFileUpload without FileUploadEvent.FileId", outcome.ErrMalformed)
	}

	log := d.Logger.With("event_type", EventNewFileUpload, "file_id", result.FileID)
	if procedure := deref(upload.ProcedureTaskId); procedure != "" && !d.Settings.TranscodeWithProcedure {
		log.InfoContext(ctx, "transcode skipped: a task flow already started at upload time; set transcode_with_procedure to transcode anyway",
			"procedure_task_id", procedure)
		result.Decision = TranscodeSkipped
		return result, nil
	}

	sessionID := vodclient.SessionID(result.FileID, d.Settings.SubAppID, d.Settings.Definitions)
	started, err := d.Transcoder.StartTranscode(ctx, vodclient.TranscodeRequest{
		FileID:      result.FileID,
		Definitions: d.Settings.Definitions,
		SessionID:   sessionID,
	})
	if err != nil {
		return result, fmt.Errorf("start transcode for file %s: %w", result.FileID, err)
	}

	if started.AlreadyStarted {
		log.InfoContext(ctx, "transcode already started by an earlier delivery of this event",
			"session_id", sessionID, "vod_request_id", started.RequestID, "error_code", started.DuplicateCode)
		result.Decision = TranscodeDuplicate
		return result, nil
	}

	log.InfoContext(ctx, "transcode started",
		"task_id", started.TaskID, "vod_request_id", started.RequestID,
		"definitions", d.Settings.Definitions, "session_id", sessionID)
	result.Decision = TranscodeStarted
	result.TaskID = started.TaskID
	return result, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
