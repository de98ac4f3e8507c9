package notification

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vodhook/vodhook/internal/emulator"
	"github.com/vodhook/vodhook/internal/outcome"
)

func readFixture(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestDecodeFixtures decodes every documented event type and checks that
// re-encoding the SDK struct gives back every field of the fixture, so no
// field VOD sends is lost in decoding.
func TestDecodeFixtures(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("testdata/events/*.json")
	if err != nil || len(paths) < 25 {
		t.Fatalf("found %d event fixtures (%v), want one per event type", len(paths), err)
	}

	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			body := readFixture(t, path)
			n, err := Decode(body)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}

			wantType, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(path), ".json"), "-")
			if got := n.EventType(); got != wantType {
				t.Errorf("EventType = %q, want %q", got, wantType)
			}

			reencoded, err := json.Marshal(n.Event)
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			mustUnmarshal(t, reencoded, &got)
			mustUnmarshal(t, body, &want)
			// The SDK's omitempty drops empty arrays such as "TagSet": [].
			want = dropEmptyArrays(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip lost or changed fields:\n got  %s\n want %s", reencoded, body)
			}
		})
	}
}

func mustUnmarshal(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

func dropEmptyArrays(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, item := range v {
			if list, ok := item.([]any); ok && len(list) == 0 {
				delete(v, k)
				continue
			}
			v[k] = dropEmptyArrays(item)
		}
	case []any:
		for i := range v {
			v[i] = dropEmptyArrays(v[i])
		}
	}
	return v
}

// TestDecodePulledEvents decodes the events of a PullEvents response, whose
// members of other event types are null.
func TestDecodePulledEvents(t *testing.T) {
	t.Parallel()
	var resp struct {
		Response struct {
			EventSet []json.RawMessage
		}
	}
	mustUnmarshal(t, readFixture(t, "testdata/pull/PullEvents-response.json"), &resp)
	if len(resp.Response.EventSet) == 0 {
		t.Fatal("fixture has no events")
	}

	for i, raw := range resp.Response.EventSet {
		if !bytes.Contains(raw, []byte("null")) {
			t.Errorf("event %d has no null member; the fixture should show them", i)
		}
		n, err := Decode(raw)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if n.EventType() == "" || n.Event.EventHandle == nil {
			t.Errorf("event %d: EventType %q, EventHandle %v", i, n.EventType(), n.Event.EventHandle)
		}
	}
}

func TestDecodeLegacyFormat(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"testdata/legacy/v2-NewFileUpload.json", "testdata/legacy/v2-ProcedureStateChanged.json"} {
		_, err := Decode(readFixture(t, path))
		if !errors.Is(err, ErrLegacyFormat) || !errors.Is(err, outcome.ErrMalformed) {
			t.Errorf("%s: error = %v, want ErrLegacyFormat", path, err)
		}
		if err != nil && !strings.Contains(err.Error(), "v3.0 callback URL") {
			t.Errorf("%s: error %q does not say how to fix it", path, err)
		}
	}
}

func TestDecodeBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		want     error
		contains string
	}{
		{"empty", ``, ErrEmpty, "empty body"},
		{"white space", " \n\t ", ErrEmpty, "empty body"},
		{"byte order mark only", "\ufeff", ErrEmpty, "empty body"},
		{"not JSON", `EventType=NewFileUpload`, ErrNotJSON, "not JSON"},
		{"truncated", `{"EventType":"NewFileUpload"`, ErrNotJSON, "not JSON"},
		{"array", `[{"EventType":"NewFileUpload"}]`, ErrNotObject, "an array"},
		{"string", `"NewFileUpload"`, ErrNotObject, "a string"},
		{"number", `42`, ErrNotObject, "a number"},
		{"null", `null`, ErrNotObject, "null"},
		{"no EventType", `{"FileUploadEvent":{"FileId":"1"}}`, ErrNoEventType, "EventType"},
		{"empty EventType", `{"EventType":""}`, ErrNoEventType, "EventType"},
		{"null EventType", `{"EventType":null}`, ErrNoEventType, "EventType"},
		{"EventType number", `{"EventType":1}`, ErrFieldType, "EventType is a JSON number"},
		{"FileId number", `{"EventType":"NewFileUpload","FileUploadEvent":{"FileId":5285890799999990001}}`, ErrFieldType, "FileUploadEvent.FileId is a JSON number, want string"},
		{"ErrCode string", `{"EventType":"ProcedureStateChanged","ProcedureStateChangeEvent":{"ErrCode":"0"}}`, ErrFieldType, "ProcedureStateChangeEvent.ErrCode is a JSON string, want int64"},
		{"event member array", `{"EventType":"NewFileUpload","FileUploadEvent":[]}`, ErrFieldType, "FileUploadEvent"},
		{"Sign number", `{"EventType":"FileDeleted","Sign":123,"T":"1"}`, ErrFieldType, "Sign is a number"},
		{"legacy eventType only", `{"eventType":"NewFileUpload"}`, ErrLegacyFormat, "v2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := Decode([]byte(tt.body))
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if !errors.Is(err, outcome.ErrMalformed) {
				t.Errorf("error %v does not wrap outcome.ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
			if n != nil {
				t.Errorf("got a notification %+v with the error", n)
			}
		})
	}
}

func TestDecodeAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		wantType string
		wantSign string
		wantT    string
	}{
		{"byte order mark", "\ufeff" + `{"EventType":"FileDeleted"}`, "FileDeleted", "", ""},
		{"unknown fields", `{"EventType":"NewFileUpload","FutureField":{"x":1},"FileUploadEvent":{"FileId":"1","NewThing":true}}`, "NewFileUpload", "", ""},
		{"unknown event type", `{"EventType":"SomethingNew2030","SomethingNew2030Event":{}}`, "SomethingNew2030", "", ""},
		{"null members", `{"EventType":"NewFileUpload","FileUploadEvent":{"FileId":"1"},"ProcedureStateChangeEvent":null,"FileDeleteEvent":null}`, "NewFileUpload", "", ""},
		{"sign and T strings", `{"EventType":"FileDeleted","Sign":"ABC","T":"1700000000"}`, "FileDeleted", "ABC", "1700000000"},
		{"T number", `{"EventType":"FileDeleted","Sign":"abc","T":1700000000}`, "FileDeleted", "abc", "1700000000"},
		{"null sign", `{"EventType":"FileDeleted","Sign":null,"T":null}`, "FileDeleted", "", ""},
		{"FileId beyond int64", `{"EventType":"NewFileUpload","FileUploadEvent":{"FileId":"18446744073709551617"}}`, "NewFileUpload", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := Decode([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if n.EventType() != tt.wantType || n.Sign != tt.wantSign || n.T != tt.wantT {
				t.Errorf("got type %q sign %q T %q, want %q %q %q", n.EventType(), n.Sign, n.T, tt.wantType, tt.wantSign, tt.wantT)
			}
		})
	}
}

func TestDecodeKeepsLargeFileID(t *testing.T) {
	t.Parallel()
	n, err := Decode([]byte(`{"EventType":"NewFileUpload","FileUploadEvent":{"FileId":"18446744073709551617"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := *n.Event.FileUploadEvent.FileId; got != "18446744073709551617" {
		t.Errorf("FileId = %s", got)
	}
}

// TestDecodeLargeBody decodes a ProcedureStateChanged the size of a large
// AI result set, near SCF's 6 MB limit.
func TestDecodeLargeBody(t *testing.T) {
	t.Parallel()
	body := emulator.LargeProcedureEvent(5 << 20)
	want := bytes.Count(body, []byte(`"TagTask"`))

	n, err := Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(n.Event.ProcedureStateChangeEvent.AiAnalysisResultSet); got != want {
		t.Errorf("decoded %d AI results, want %d", got, want)
	}
}
