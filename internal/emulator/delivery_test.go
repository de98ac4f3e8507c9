package emulator

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestUploadDeliversNewFileUpload(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	env := newTestEnv(t, Options{CallbackURL: callback.URL, AppId: 1400000001})

	result := env.upload(t, UploadRequest{Name: "clip.mov", FileId: "18446744073709551617", ProcedureTaskId: "task-1", Width: 720, Height: 1280, Duration: 8.5})

	if result.FileId != "18446744073709551617" {
		t.Errorf("FileId = %q, want the explicit ID", result.FileId)
	}
	urlPattern := `^https://1400000001\.vod2\.myqcloud\.com/[0-9a-f]{8}vodtransgzp1400000001/[0-9a-f]{10}/clip\.mov$`
	if !regexp.MustCompile(urlPattern).MatchString(result.MediaUrl) {
		t.Errorf("MediaUrl = %q, want a match for %s", result.MediaUrl, urlPattern)
	}
	if result.Delivery == nil || result.Delivery.Status != 200 || result.Delivery.EventType != "NewFileUpload" {
		t.Fatalf("Delivery = %+v, want a 200 NewFileUpload attempt", result.Delivery)
	}

	event := decodeEvent(t, result.Delivery.Body)
	upload := event.FileUploadEvent
	if *event.EventType != "NewFileUpload" || upload == nil {
		t.Fatalf("event = %s, want a NewFileUpload event", result.Delivery.Body)
	}
	info := upload.MediaBasicInfo
	checks := []struct {
		name, got, want string
	}{
		{"FileId", *upload.FileId, result.FileId},
		{"ProcedureTaskId", *upload.ProcedureTaskId, "task-1"},
		{"ReviewAudioVideoTaskId", *upload.ReviewAudioVideoTaskId, ""},
		{"Name", *info.Name, "clip.mov"},
		{"Type", *info.Type, "mov"},
		{"MediaUrl", *info.MediaUrl, result.MediaUrl},
		{"ExpireTime", *info.ExpireTime, "9999-12-31T23:59:59Z"},
		{"ClassName", *info.ClassName, "Other"},
		{"StorageRegion", *info.StorageRegion, "ap-guangzhou"},
		{"SourceType", *info.SourceInfo.SourceType, "Upload"},
		{"Vid", *info.Vid, result.FileId},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}

	meta := upload.MetaData
	if *meta.Width != 720 || *meta.Height != 1280 || *meta.Duration != 8.5 || *meta.Container != mp4Container {
		t.Errorf("MetaData = %dx%d %vs %q, want 720x1280 8.5s %q", *meta.Width, *meta.Height, *meta.Duration, *meta.Container, mp4Container)
	}
	if *meta.Size != *meta.Bitrate*85/80 {
		t.Errorf("MetaData.Size = %d, want bitrate*duration/8 = %d", *meta.Size, *meta.Bitrate*85/80)
	}
}

func TestSignedCallback(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	clock := newFakeClock()
	env := newTestEnv(t, Options{CallbackURL: callback.URL, SignKey: "SecretKey42", Now: clock.Now})

	result := env.upload(t, UploadRequest{})

	var signed struct {
		EventType string
		Sign      string
		T         string
	}
	if err := json.Unmarshal(result.Delivery.Body, &signed); err != nil {
		t.Fatalf("decoding the signed body: %v", err)
	}
	if signed.EventType != "NewFileUpload" {
		t.Errorf("EventType = %q, want NewFileUpload", signed.EventType)
	}

	sum := md5.Sum([]byte("SecretKey42" + signed.T))
	if want := hex.EncodeToString(sum[:]); signed.Sign != want {
		t.Errorf("Sign = %q, want md5(key+T) = %q", signed.Sign, want)
	}
	expiry, err := strconv.ParseInt(signed.T, 10, 64)
	if err != nil {
		t.Fatalf("T %q is not decimal: %v", signed.T, err)
	}
	if want := clock.Now().Add(10 * time.Minute).Unix(); expiry != want {
		t.Errorf("T = %d, want now+10min = %d", expiry, want)
	}

	callback.mu.Lock()
	received := string(callback.bodies[0])
	callback.mu.Unlock()
	if received != string(result.Delivery.Body) {
		t.Errorf("callback received %s, but the delivery records %s", received, result.Delivery.Body)
	}
}

func TestSignCallback(t *testing.T) {
	t.Parallel()
	expiry := time.Unix(1700000600, 0)
	sum := md5.Sum([]byte("key1700000600"))
	sign := hex.EncodeToString(sum[:])

	tests := []struct {
		name    string
		body    string
		want    string
		wantErr error
	}{
		{"event", `{"EventType":"X"}`, `{"EventType":"X","Sign":"` + sign + `","T":"1700000600"}`, nil},
		{"empty object", `{}`, `{"Sign":"` + sign + `","T":"1700000600"}`, nil},
		{"surrounding space", " {\"A\":1}\n", `{"A":1,"Sign":"` + sign + `","T":"1700000600"}`, nil},
		{"replaces fields", `{"T":"1","Sign":"old"}`, `{"Sign":"` + sign + `","T":"1700000600"}`, nil},
		{"array", `[1]`, "", ErrNotJSONObject},
		{"null", `null`, "", ErrNotJSONObject},
		{"not json", `{"A":`, "", ErrNotJSONObject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := SignCallback([]byte(tt.body), "key", expiry)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("SignCallback error = %v, want %v", err, tt.wantErr)
			}
			if string(got) != tt.want {
				t.Errorf("SignCallback = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPushRetries(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t, 500, 503)
	env := newTestEnv(t, Options{CallbackURL: callback.URL, PushRetries: 2})

	result := env.upload(t, UploadRequest{})

	deliveries := env.emulator.Deliveries()
	var statuses []string
	for i, d := range deliveries {
		statuses = append(statuses, strconv.Itoa(d.Status))
		if d.Attempt != i+1 {
			t.Errorf("delivery %d has Attempt %d, want %d", i, d.Attempt, i+1)
		}
	}
	if got, want := strings.Join(statuses, ","), "500,503,200"; got != want {
		t.Errorf("statuses = %s, want %s", got, want)
	}
	if deliveries[0].Error == "" || deliveries[2].Error != "" {
		t.Errorf("errors = %q, %q; want a failure then success", deliveries[0].Error, deliveries[2].Error)
	}
	if result.Delivery.Attempt != 3 || result.Delivery.Status != 200 {
		t.Errorf("Upload returned attempt %d with status %d, want attempt 3 with 200", result.Delivery.Attempt, result.Delivery.Status)
	}
	if string(deliveries[2].Response) != `{"ok":true}` {
		t.Errorf("Response = %q, want the callback's body", deliveries[2].Response)
	}
}

func TestPushRetriesExhausted(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t, 500, 500, 500)
	env := newTestEnv(t, Options{CallbackURL: callback.URL, PushRetries: 1})

	result := env.upload(t, UploadRequest{})

	if got := len(env.emulator.Deliveries()); got != 2 {
		t.Errorf("got %d attempts, want 2", got)
	}
	if result.Delivery.Status != 500 || result.Delivery.Error == "" {
		t.Errorf("last attempt = status %d, error %q; want a 500 failure", result.Delivery.Status, result.Delivery.Error)
	}
}

func TestPushTransportError(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	closedURL := callback.URL
	callback.Close()
	env := newTestEnv(t, Options{CallbackURL: closedURL})

	result := env.upload(t, UploadRequest{})

	if result.Delivery.Status != 0 || result.Delivery.Error == "" {
		t.Errorf("Delivery = status %d, error %q; want status 0 and a transport error", result.Delivery.Status, result.Delivery.Error)
	}
}

func TestPushWithoutCallbackURL(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, Options{PushRetries: 3})

	result := env.upload(t, UploadRequest{})

	if result.Delivery == nil || !strings.Contains(result.Delivery.Error, "no callback URL") {
		t.Fatalf("Delivery = %+v, want an error about the missing callback URL", result.Delivery)
	}
	if got := len(env.emulator.Deliveries()); got != 1 {
		t.Errorf("got %d attempts, want 1 without retries", got)
	}
}

func TestSetCallbackURL(t *testing.T) {
	t.Parallel()
	callback := newCallbackServer(t)
	env := newTestEnv(t, Options{})

	env.emulator.SetCallbackURL(4, callback.URL)
	result := env.upload(t, UploadRequest{SubAppId: 4})
	primary := env.upload(t, UploadRequest{})

	if result.Delivery.Status != 200 || result.Delivery.URL != callback.URL {
		t.Errorf("sub-app 4 delivery = status %d to %q, want 200 to %s", result.Delivery.Status, result.Delivery.URL, callback.URL)
	}
	if primary.Delivery.URL != "" {
		t.Errorf("primary delivery went to %q, want no URL", primary.Delivery.URL)
	}
}

func TestDeliveryJSON(t *testing.T) {
	t.Parallel()
	want := Delivery{
		Time:      time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		URL:       "http://127.0.0.1:1/cb",
		EventType: "NewFileUpload",
		Attempt:   2,
		Status:    502,
		Error:     "the callback responded with HTTP 502, not 2xx",
		Body:      []byte(`{"EventType":"NewFileUpload"}`),
		Response:  []byte("bad gateway"),
	}

	data, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if !strings.Contains(string(data), `"Body":"{\"EventType\":\"NewFileUpload\"}"`) {
		t.Errorf("JSON %s does not carry Body as a string", data)
	}

	var got Delivery
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if got.Time != want.Time || got.URL != want.URL || got.Attempt != want.Attempt || string(got.Body) != string(want.Body) || string(got.Response) != string(want.Response) {
		t.Errorf("round trip = %+v, want %+v", got, want)
	}
}
