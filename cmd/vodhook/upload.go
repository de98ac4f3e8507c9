package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vodhook/vodhook/internal/emulator"
)

func runUpload(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("upload", "[flags]", stderr)
	base := fs.String("emulator", "http://127.0.0.1:9000", "base URL of a running emulator")
	name := fs.String("name", "sample.mp4", "name of the made-up file to register; no file is read or sent")
	subAppID := fs.Uint64("subappid", 0, "sub-application to upload to; 0 for the primary application")
	fileID := fs.String("file-id", "", "use this FileId instead of a generated one (digits only)")
	procedure := fs.String("procedure-task-id", "", "report that a task flow already started at upload time")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "vodhook upload: unexpected argument %q: the emulator registers a made-up file; name it with -name\n", fs.Arg(0))
		return errUsage
	}

	body, err := json.Marshal(emulator.UploadRequest{Name: *name, SubAppId: *subAppID, FileId: *fileID, ProcedureTaskId: *procedure})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(*base, "/")+"/emulator/upload", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("emulator URL %q: %w", *base, err)
	}
	req.Header.Set("Content-Type", "application/json")

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("upload to the emulator at %s: %w (is 'vodhook emulator' or 'vodhook serve' running?)", *base, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("emulator responded %s: %s", resp.Status, bytes.TrimSpace(answer))
	}

	var pretty bytes.Buffer
	if json.Indent(&pretty, answer, "", "  ") != nil {
		pretty.Write(answer)
	}
	fmt.Fprintln(stdout, pretty.String())
	return checkDelivery(answer)
}

// checkDelivery fails when the emulator registered the file but could not
// deliver its NewFileUpload.
func checkDelivery(answer []byte) error {
	var result struct {
		FileId   string
		Delivery *struct {
			Status int
			Error  string
		}
	}
	if err := json.Unmarshal(answer, &result); err != nil {
		return nil
	}
	if result.Delivery == nil {
		return fmt.Errorf("file %s was registered, but no NewFileUpload was sent: the emulator is in PULL mode or its upload event switch is off (vodhook callback show)", result.FileId)
	}
	d := result.Delivery
	if d.Status >= 200 && d.Status <= 299 {
		return nil
	}
	reason := d.Error
	if reason == "" {
		reason = fmt.Sprintf("the callback URL responded %d", d.Status)
	}
	return fmt.Errorf("file %s was registered, but its NewFileUpload was not delivered: %s; give the emulator a callback URL (vodhook emulator -callback-url URL) or use vodhook serve", result.FileId, reason)
}
