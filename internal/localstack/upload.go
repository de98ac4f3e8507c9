package localstack

import (
	"context"
	"fmt"
	"slices"

	"github.com/vodhook/vodhook/internal/emulator"
)

// Log messages of the function that the stack waits for.
const (
	msgOutput   = "transcode output"
	msgFailed   = "transcode failed"
	msgFinished = "task flow finished"
)

// Report is the function's log lines about one uploaded file.
type Report struct {
	FileID   string
	Outputs  []Entry // "transcode output" lines, in log order
	Failures []Entry // "transcode failed" lines
}

// Definitions returns the templates of the outputs, sorted.
func (r Report) Definitions() []uint64 {
	var defs []uint64
	for _, e := range r.Outputs {
		defs = append(defs, uint64(e.Number("definition")))
	}
	slices.Sort(defs)
	return defs
}

// UploadAndWait uploads a file to the emulator and waits until the function
// has logged that the file's task flow finished.
func (s *Stack) UploadAndWait(ctx context.Context, req emulator.UploadRequest) (Report, error) {
	uploaded, err := s.Emulator.Upload(ctx, req)
	if err != nil {
		return Report{}, fmt.Errorf("upload to the emulator: %w", err)
	}
	if d := uploaded.Delivery; d != nil && (d.Status < 200 || d.Status > 299) {
		return Report{FileID: uploaded.FileId}, fmt.Errorf("NewFileUpload for file %s was not accepted: status %d %s: %s",
			uploaded.FileId, d.Status, d.Error, d.Response)
	}

	return s.WaitReport(ctx, uploaded.FileId)
}

// WaitReport waits until the function has logged that the task flow of
// fileID finished, and returns what it logged about the file.
func (s *Stack) WaitReport(ctx context.Context, fileID string) (Report, error) {
	finished := func(entries []Entry) bool {
		return slices.ContainsFunc(entries, func(e Entry) bool {
			return e.Message() == msgFinished && e.String("file_id") == fileID
		})
	}
	if err := s.logs.Wait(ctx, finished); err != nil {
		return Report{FileID: fileID}, fmt.Errorf("wait for the transcoding report of file %s: %w", fileID, err)
	}

	report := Report{FileID: fileID}
	for _, e := range s.logs.Entries() {
		if e.String("file_id") != fileID {
			continue
		}
		switch e.Message() {
		case msgOutput:
			report.Outputs = append(report.Outputs, e)
		case msgFailed:
			report.Failures = append(report.Failures, e)
		}
	}
	return report, nil
}
