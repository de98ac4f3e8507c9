package dispatch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	vod "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/vod/v20180717"

	"github.com/vodhook/vodhook/internal/outcome"
	"github.com/vodhook/vodhook/internal/vodclient"
)

// recordingTranscoder records requests and returns result and err.
type recordingTranscoder struct {
	mu       sync.Mutex
	requests []vodclient.TranscodeRequest
	result   vodclient.TranscodeResult
	err      error
}

func (r *recordingTranscoder) StartTranscode(_ context.Context, req vodclient.TranscodeRequest) (vodclient.TranscodeResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = append(r.requests, req)
	return r.result, r.err
}

// logLines decodes the JSON log lines in buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var entry map[string]any
		if err := json.Unmarshal(line, &entry); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		lines = append(lines, entry)
	}
	return lines
}

func withMessage(lines []map[string]any, msg string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

func newDispatcher(tr Transcoder, settings Settings) (*Dispatcher, *bytes.Buffer) {
	var buf bytes.Buffer
	if settings.Definitions == nil {
		settings.Definitions = []uint64{100010, 100020}
	}
	return &Dispatcher{Settings: settings, Transcoder: tr, Logger: slog.New(slog.NewJSONHandler(&buf, nil))}, &buf
}

func fixture(t *testing.T, name string) *vod.EventContent {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "notification", "testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	var event vod.EventContent
	if err := json.Unmarshal(data, &event); err != nil {
		t.Fatal(err)
	}
	return &event
}

func TestUploadStartsTranscode(t *testing.T) {
	t.Parallel()
	tr := &recordingTranscoder{result: vodclient.TranscodeResult{TaskID: "1250000000-Procedure-abc", RequestID: "req-1"}}
	d, logs := newDispatcher(tr, Settings{SubAppID: 1500000001})

	result, err := d.Handle(context.Background(), fixture(t, "NewFileUpload.json"))
	if err != nil {
		t.Fatal(err)
	}
	if result.Decision != TranscodeStarted || result.TaskID != "1250000000-Procedure-abc" || result.FileID != "5285890799999990001" {
		t.Errorf("result = %+v", result)
	}

	if len(tr.requests) != 1 {
		t.Fatalf("StartTranscode called %d times, want 1", len(tr.requests))
	}
	req := tr.requests[0]
	if req.FileID != "5285890799999990001" || !slices.Equal(req.Definitions, []uint64{100010, 100020}) {
		t.Errorf("request = %+v", req)
	}
	if want := vodclient.SessionID("5285890799999990001", 1500000001, []uint64{100010, 100020}); req.SessionID != want {
		t.Errorf("SessionID = %q, want %q", req.SessionID, want)
	}

	started := withMessage(logLines(t, logs), "transcode started")
	if len(started) != 1 || started[0]["task_id"] != "1250000000-Procedure-abc" || started[0]["vod_request_id"] != "req-1" || started[0]["file_id"] != "5285890799999990001" {
		t.Errorf("log = %v", started)
	}
}

func TestUploadMalformed(t *testing.T) {
	t.Parallel()
	for name, event := range map[string]*vod.EventContent{
		"no FileUploadEvent": {EventType: ptr(EventNewFileUpload)},
		"no FileId":          {EventType: ptr(EventNewFileUpload), FileUploadEvent: &vod.FileUploadTask{}},
		"empty FileId":       {EventType: ptr(EventNewFileUpload), FileUploadEvent: &vod.FileUploadTask{FileId: ptr("")}},
	} {
		tr := &recordingTranscoder{}
		d, _ := newDispatcher(tr, Settings{})
		_, err := d.Handle(context.Background(), event)
		if !errors.Is(err, outcome.ErrMalformed) {
			t.Errorf("%s: error = %v, want ErrMalformed", name, err)
		}
		if len(tr.requests) != 0 {
			t.Errorf("%s: VOD was called", name)
		}
	}
}

func TestUploadWithProcedure(t *testing.T) {
	t.Parallel()
	event := fixture(t, "NewFileUpload-procedure.json")

	tr := &recordingTranscoder{}
	d, logs := newDispatcher(tr, Settings{})
	result, err := d.Handle(context.Background(), event)
	if err != nil || result.Decision != TranscodeSkipped {
		t.Fatalf("got %+v, %v; want skipped", result, err)
	}
	if len(tr.requests) != 0 {
		t.Error("VOD was called for an upload that started a task flow")
	}
	skipped := withMessage(logLines(t, logs), "transcode skipped: a task flow already started at upload time; set transcode_with_procedure to transcode anyway")
	if len(skipped) != 1 || skipped[0]["procedure_task_id"] == "" {
		t.Errorf("log = %v", logLines(t, logs))
	}

	tr = &recordingTranscoder{result: vodclient.TranscodeResult{TaskID: "t"}}
	d, _ = newDispatcher(tr, Settings{TranscodeWithProcedure: true})
	result, err = d.Handle(context.Background(), event)
	if err != nil || result.Decision != TranscodeStarted || len(tr.requests) != 1 {
		t.Errorf("with TranscodeWithProcedure: got %+v, %v, %d calls", result, err, len(tr.requests))
	}
}

func TestUploadDuplicate(t *testing.T) {
	t.Parallel()
	tr := &recordingTranscoder{result: vodclient.TranscodeResult{AlreadyStarted: true, RequestID: "req-dup", DuplicateCode: "InvalidParameterValue.SessionId"}}
	d, logs := newDispatcher(tr, Settings{})
	result, err := d.Handle(context.Background(), fixture(t, "NewFileUpload.json"))
	if err != nil || result.Decision != TranscodeDuplicate {
		t.Fatalf("got %+v, %v", result, err)
	}
	dup := withMessage(logLines(t, logs), "transcode already started by an earlier delivery of this event")
	if len(dup) != 1 || dup[0]["error_code"] != "InvalidParameterValue.SessionId" {
		t.Errorf("log = %v", logLines(t, logs))
	}
}

func TestUploadVODError(t *testing.T) {
	t.Parallel()
	vodErr := &vodclient.APIError{Action: "ProcessMedia", Code: "InvalidParameterValue.FileId", Class: vodclient.Rejected}
	d, _ := newDispatcher(&recordingTranscoder{err: vodErr}, Settings{})
	_, err := d.Handle(context.Background(), fixture(t, "NewFileUpload.json"))
	if !errors.Is(err, outcome.ErrRejected) || !strings.Contains(err.Error(), "5285890799999990001") {
		t.Errorf("error = %v, want ErrRejected naming the file", err)
	}
}

func TestProcedureFinished(t *testing.T) {
	t.Parallel()
	d, logs := newDispatcher(nil, Settings{})
	result, err := d.Handle(context.Background(), fixture(t, "ProcedureStateChanged.json"))
	if err != nil {
		t.Fatal(err)
	}
	if result.Decision != OutputsReported || result.Outputs != 2 || result.Failures != 0 {
		t.Errorf("result = %+v", result)
	}

	lines := logLines(t, logs)
	outputs := withMessage(lines, "transcode output")
	if len(outputs) != 2 {
		t.Fatalf("%d output lines, want 2: %v", len(outputs), lines)
	}
	for i, def := range []float64{100010, 100020} {
		out := outputs[i]
		if out["definition"] != def {
			t.Errorf("output %d definition = %v, want %v (from Input.Definition)", i, out["definition"], def)
		}
		url, _ := out["url"].(string)
		if want := fmt.Sprintf("v.f%d.mp4", int(def)); !strings.HasSuffix(url, want) {
			t.Errorf("output %d url = %q", i, url)
		}
		for _, key := range []string{"file_id", "task_id", "size", "duration", "width", "height", "bitrate"} {
			if v, ok := out[key]; !ok || v == "" || v == float64(0) {
				t.Errorf("output %d: %s = %v, want a value", i, key, v)
			}
		}
	}
	finished := withMessage(lines, "task flow finished")
	if len(finished) != 1 || finished[0]["outputs"] != float64(2) || finished[0]["other_results"] != float64(1) {
		t.Errorf("summary = %v", finished)
	}
}

func TestProcedureFailedSubTask(t *testing.T) {
	t.Parallel()
	d, logs := newDispatcher(nil, Settings{})
	result, err := d.Handle(context.Background(), fixture(t, "ProcedureStateChanged-failed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if result.Outputs != 1 || result.Failures != 1 {
		t.Errorf("result = %+v, want 1 output and 1 failure", result)
	}

	lines := logLines(t, logs)
	failed := withMessage(lines, "transcode failed")
	if len(failed) != 1 {
		t.Fatalf("log = %v", lines)
	}
	if failed[0]["level"] != "ERROR" || failed[0]["error_code"] == "" || failed[0]["message"] == "" || failed[0]["definition"] != float64(100020) {
		t.Errorf("failure line = %v", failed[0])
	}
}

func TestProcedureErrCodeOnly(t *testing.T) {
	t.Parallel()
	event := &vod.EventContent{
		EventType: ptr(EventProcedureStateChanged),
		ProcedureStateChangeEvent: &vod.ProcedureTask{
			TaskId: ptr("t"), Status: ptr("FINISH"), FileId: ptr("f"),
			MediaProcessResultSet: []*vod.MediaProcessTaskResult{
				{Type: ptr("Transcode"), TranscodeTask: &vod.MediaProcessTaskTranscodeResult{
					Status: ptr("SUCCESS"), ErrCodeExt: ptr("InternalError"), ErrCode: ptr(int64(70000)), Input: &vod.TranscodeTaskInput{Definition: ptr(uint64(100010))},
				}},
				{Type: ptr("Transcode"), TranscodeTask: &vod.MediaProcessTaskTranscodeResult{
					Status: ptr("FAIL"), ErrCode: ptr(int64(40000)), Input: &vod.TranscodeTaskInput{Definition: ptr(uint64(100020))},
				}},
				{Type: ptr("Transcode")},
				nil,
			},
		},
	}
	d, logs := newDispatcher(nil, Settings{})
	result, err := d.Handle(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	if result.Outputs != 0 || result.Failures != 3 {
		t.Errorf("result = %+v, want 0 outputs and 3 failures", result)
	}
	failed := withMessage(logLines(t, logs), "transcode failed")
	if len(failed) != 2 || failed[0]["error_code"] != "InternalError" || failed[1]["error_code"] != "40000" {
		t.Errorf("failure lines = %v", failed)
	}
}

func TestProcedureProcessing(t *testing.T) {
	t.Parallel()
	d, logs := newDispatcher(nil, Settings{})
	result, err := d.Handle(context.Background(), fixture(t, "ProcedureStateChanged-processing.json"))
	if err != nil || result.Decision != Acknowledged {
		t.Fatalf("got %+v, %v; want acknowledged", result, err)
	}
	if got := withMessage(logLines(t, logs), "transcode output"); len(got) != 0 {
		t.Errorf("outputs reported for a PROCESSING event: %v", got)
	}
}

func TestProcedureMalformed(t *testing.T) {
	t.Parallel()
	d, _ := newDispatcher(nil, Settings{})
	_, err := d.Handle(context.Background(), &vod.EventContent{EventType: ptr(EventProcedureStateChanged)})
	if !errors.Is(err, outcome.ErrMalformed) {
		t.Errorf("error = %v, want ErrMalformed", err)
	}
}

func TestOtherEventsIgnored(t *testing.T) {
	t.Parallel()
	paths, _ := filepath.Glob(filepath.Join("..", "notification", "testdata", "events", "*.json"))
	for _, path := range paths {
		name := filepath.Base(path)
		if strings.HasPrefix(name, EventNewFileUpload) || strings.HasPrefix(name, EventProcedureStateChanged) {
			continue
		}
		tr := &recordingTranscoder{}
		d, logs := newDispatcher(tr, Settings{})
		event := fixture(t, name)
		result, err := d.Handle(context.Background(), event)
		if err != nil || result.Decision != Ignored {
			t.Errorf("%s: got %+v, %v; want ignored", name, result, err)
		}
		ignored := withMessage(logLines(t, logs), "event ignored: vodhook acts only on NewFileUpload and ProcedureStateChanged")
		if len(ignored) != 1 || ignored[0]["event_type"] != *event.EventType {
			t.Errorf("%s: log = %v", name, logLines(t, logs))
		}
		if len(tr.requests) != 0 {
			t.Errorf("%s: VOD was called", name)
		}
	}
}

func ptr[T any](v T) *T { return &v }
