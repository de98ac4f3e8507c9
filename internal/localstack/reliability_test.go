package localstack_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vodhook/vodhook/internal/emulator"
	"github.com/vodhook/vodhook/internal/localstack"
	"github.com/vodhook/vodhook/internal/notification"
)

// post sends body to the gateway with headers and returns the status and
// the JSON body of the response.
func post(t *testing.T, url string, body []byte, headers map[string]string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for name, value := range headers {
		req.Header.Set(name, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var answer map[string]any
	_ = json.Unmarshal(data, &answer)
	return resp.StatusCode, answer
}

func newFileUpload(fileID string) []byte {
	return []byte(`{"EventType":"NewFileUpload","FileUploadEvent":{"FileId":"` + fileID + `","ProcedureTaskId":"","ReviewAudioVideoTaskId":""}}`)
}

// uploadSilently creates files in the emulator without delivering their
// NewFileUpload, so the test can deliver it as it likes.
func uploadSilently(t *testing.T, stack *localstack.Stack, n int) []string {
	t.Helper()
	stack.Emulator.SetCallbackURL(0, "")
	defer stack.Emulator.SetCallbackURL(0, stack.GatewayURL+"/")

	ids := make([]string, n)
	for i := range ids {
		result, err := stack.Emulator.Upload(context.Background(), emulator.UploadRequest{Name: fmt.Sprintf("dup-%d.mp4", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = result.FileId
	}
	return ids
}

// TestDuplicateDeliveries delivers every NewFileUpload three times at once
// and checks that each file gets exactly one transcoding task and one set
// of outputs.
func TestDuplicateDeliveries(t *testing.T) {
	t.Parallel()
	const files, copies = 20, 3
	stack := startStack(t, localstack.Options{})
	ids := uploadSilently(t, stack, files)

	decisions := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, id := range ids {
		body, err := emulator.SignCallback(newFileUpload(id), stack.SignKey, time.Now().Add(10*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		for range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, answer := post(t, stack.GatewayURL+"/", body, nil)
				mu.Lock()
				defer mu.Unlock()
				decisions[fmt.Sprintf("%d %v", status, answer["decision"])]++
			}()
		}
	}
	wg.Wait()

	wantDecisions := map[string]int{"200 transcode_started": files, "200 transcode_already_started": files * (copies - 1)}
	if fmt.Sprint(decisions) != fmt.Sprint(wantDecisions) {
		t.Errorf("answers %v, want %v", decisions, wantDecisions)
	}
	if got := stack.Emulator.TaskCount(); got != files {
		t.Errorf("%d tasks started for %d files, want one each", got, files)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, id := range ids {
		report, err := stack.WaitReport(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(report.Outputs) != 2 {
			t.Errorf("file %s: %d outputs reported, want 2", id, len(report.Outputs))
		}
	}
	t.Logf("duplicates | %d files | %d NewFileUpload deliveries, %d at a time per file | %d tasks started", files, files*copies, copies, stack.Emulator.TaskCount())
}

// TestRedeliveryAfterFailure lets the first ProcessMedia call fail with
// InternalError. The function responds 503, the emulator delivers the
// callback again, and the second delivery starts the task.
func TestRedeliveryAfterFailure(t *testing.T) {
	t.Parallel()
	stack := startStack(t, localstack.Options{PushRetries: 2})
	stack.Emulator.InjectFault(emulator.Fault{Action: "ProcessMedia", Code: "InternalError"})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	report, err := stack.UploadAndWait(ctx, emulator.UploadRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Outputs) != 2 {
		t.Errorf("%d outputs, want 2", len(report.Outputs))
	}

	var statuses []int
	for _, d := range stack.Emulator.Deliveries() {
		if d.EventType == "NewFileUpload" {
			statuses = append(statuses, d.Status)
		}
	}
	if fmt.Sprint(statuses) != "[503 200]" {
		t.Errorf("NewFileUpload delivery statuses %v, want [503 200]", statuses)
	}
	if got := stack.Emulator.TaskCount(); got != 1 {
		t.Errorf("%d tasks, want 1", got)
	}
}

// TestSignatureAttempts sends forged, expired and replayed signatures and
// counts how many the function accepts, which must be none.
func TestSignatureAttempts(t *testing.T) {
	t.Parallel()
	stack := startStack(t, localstack.Options{})
	ids := uploadSilently(t, stack, 1)
	body := newFileUpload(ids[0])
	now := time.Now()
	future := strconv.FormatInt(now.Add(10*time.Minute).Unix(), 10)

	type attempt struct {
		kind    string
		body    []byte
		headers map[string]string
	}
	var attempts []attempt
	add := func(kind string, b []byte, headers map[string]string) {
		attempts = append(attempts, attempt{kind, b, headers})
	}
	withFields := func(sign, expiry any) []byte {
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		m["Sign"], m["T"] = sign, expiry
		out, _ := json.Marshal(m)
		return out
	}

	// Forged: no key, a guessed key, random signatures, a signature moved
	// to another T.
	add("forged", body, nil)
	add("forged", withFields(nil, future), nil)
	add("forged", withFields(notification.Sign(stack.SignKey, future), nil), nil)
	add("forged", withFields(notification.Sign("guessed-key", future), future), nil)
	add("forged", withFields(notification.Sign("", future), future), nil)
	add("forged", withFields(notification.Sign(stack.SignKey, future), strconv.FormatInt(now.Add(time.Hour).Unix(), 10)), nil)
	add("forged", withFields(strings.ToUpper(notification.Sign(stack.SignKey+"x", future)), future), nil)
	add("forged", body, map[string]string{"Sign": notification.Sign("guessed-key", future), "T": future})
	add("forged", withFields(notification.Sign(stack.SignKey, future)[:31], future), nil)
	add("forged", withFields(notification.Sign(stack.SignKey, future), "in ten minutes"), nil)
	for range 200 {
		random := make([]byte, 16)
		_, _ = rand.Read(random)
		add("forged", withFields(hex.EncodeToString(random), future), nil)
	}

	// Expired: correctly signed, but T has passed by more than the skew.
	for _, ago := range []time.Duration{31 * time.Second, 10 * time.Minute, 24 * time.Hour, 365 * 24 * time.Hour} {
		expiry := strconv.FormatInt(now.Add(-ago).Unix(), 10)
		add("expired", withFields(notification.Sign(stack.SignKey, expiry), expiry), nil)
		add("expired", body, map[string]string{"Sign": notification.Sign(stack.SignKey, expiry), "T": expiry})
	}
	add("expired", withFields(notification.Sign(stack.SignKey, "0"), "0"), nil)

	// Replayed: callbacks signed exactly as the emulator signs them when
	// they were sent, captured and sent again after their T passed.
	for _, sentAgo := range []time.Duration{11 * time.Minute, time.Hour, 30 * 24 * time.Hour} {
		captured, err := emulator.SignCallback(body, stack.SignKey, now.Add(-sentAgo).Add(10*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			add("replayed", captured, nil)
		}
	}

	tried, accepted := map[string]int{}, map[string]int{}
	for _, a := range attempts {
		status, answer := post(t, stack.GatewayURL+"/", a.body, a.headers)
		tried[a.kind]++
		if status != http.StatusUnauthorized {
			accepted[a.kind]++
			t.Errorf("%s attempt answered %d %v: %s", a.kind, status, answer, a.body)
		}
	}
	if calls := len(stack.Emulator.Calls()); calls != 0 {
		t.Errorf("%d VOD calls made for rejected callbacks, want 0", calls)
	}

	// A genuine callback is accepted, and replaying it while T is still
	// valid starts no second task.
	valid, err := emulator.SignCallback(body, stack.SignKey, now.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	const replays = 5
	for i := range replays {
		status, answer := post(t, stack.GatewayURL+"/", valid, nil)
		if status != http.StatusOK {
			t.Errorf("genuine callback, delivery %d: %d %v", i+1, status, answer)
		}
	}
	if got := stack.Emulator.TaskCount(); got != 1 {
		t.Errorf("%d tasks after %d deliveries of a genuine callback, want 1", got, replays)
	}

	for _, kind := range []string{"forged", "expired", "replayed"} {
		t.Logf("signatures | %s | tried %d | accepted %d", kind, tried[kind], accepted[kind])
	}
	t.Logf("signatures | genuine, delivered %d times within T | accepted %d | tasks started %d", replays, replays, stack.Emulator.TaskCount())
}

// TestSlowVODBeforeTimeout makes VOD slower than the function's timeout.
// The built binary must still respond 503 before SCF's deadline, rather
// than be cut off.
func TestSlowVODBeforeTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 2 * time.Second
	stack := startStack(t, localstack.Options{Timeout: timeout})
	ids := uploadSilently(t, stack, 1)
	stack.Emulator.InjectFault(emulator.Fault{Action: "ProcessMedia", Delay: 10 * time.Second})

	body, err := emulator.SignCallback(newFileUpload(ids[0]), stack.SignKey, time.Now().Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	status, answer := post(t, stack.GatewayURL+"/", body, nil)
	elapsed := time.Since(start)

	if status != http.StatusServiceUnavailable || answer["outcome"] != "retryable" {
		t.Errorf("answer %d %v, want 503 from the function", status, answer)
	}
	if elapsed >= timeout {
		t.Errorf("answered after %s, not before the %s timeout", elapsed.Round(time.Millisecond), timeout)
	}
	t.Logf("fault-table | ProcessMedia slower than the function timeout (built binary, timeout %s) | %d | answered in %s", timeout, status, elapsed.Round(10*time.Millisecond))
}

// TestLargeNotification sends a ProcedureStateChanged just under SCF's
// 6 MB limit through the gateway and the built binary.
func TestLargeNotification(t *testing.T) {
	t.Parallel()
	stack := startStack(t, localstack.Options{})
	body, err := emulator.SignCallback(emulator.LargeProcedureEvent(6<<20-2000), stack.SignKey, time.Now().Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > 6<<20 {
		t.Fatalf("test body is %d bytes, over the limit", len(body))
	}

	status, answer := post(t, stack.GatewayURL+"/", body, nil)
	if status != http.StatusOK || answer["decision"] != "outputs_reported" {
		t.Errorf("answer %d %v for a %d-byte notification", status, answer, len(body))
	}
}
