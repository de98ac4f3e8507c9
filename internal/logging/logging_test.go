package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/tencentyun/scf-go-lib/functioncontext"
)

func TestRequestIDOnEveryLine(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := New(&buf, slog.LevelInfo).With("component", "test")
	ctx := functioncontext.NewContext(context.Background(), &functioncontext.FunctionContext{RequestID: "req-42"})

	logger.InfoContext(ctx, "with request")
	logger.Info("without request")
	logger.DebugContext(ctx, "below the level")

	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2: %s", len(lines), buf.Bytes())
	}
	var first, second map[string]any
	if err := json.Unmarshal(lines[0], &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(lines[1], &second); err != nil {
		t.Fatal(err)
	}
	if first["request_id"] != "req-42" || first["component"] != "test" {
		t.Errorf("first line = %v, want request_id req-42 and the logger's attributes", first)
	}
	if _, ok := second["request_id"]; ok {
		t.Errorf("a line logged without a function context has a request_id: %v", second)
	}
	if got := RequestID(ctx); got != "req-42" {
		t.Errorf("RequestID = %q", got)
	}
	if got := RequestID(context.Background()); got != "" {
		t.Errorf("RequestID without a function context = %q", got)
	}
}
