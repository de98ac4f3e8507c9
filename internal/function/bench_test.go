package function_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/vodhook/vodhook/internal/function"
	"github.com/vodhook/vodhook/internal/logging"
)

// BenchmarkInvokeProcedureStateChanged handles a Function URL event carrying
// a finished ProcedureStateChanged in process: envelope, decoding, report
// lines (written to a discarding logger), and the response.
func BenchmarkInvokeProcedureStateChanged(b *testing.B) {
	payload, err := os.ReadFile("../trigger/testdata/function-url-procedure.json")
	if err != nil {
		b.Fatal(err)
	}
	fn := function.New(function.Options{
		Getenv: func(string) string { return "" },
		Logger: logging.New(io.Discard, slog.LevelInfo),
	})

	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := fn.Invoke(context.Background(), payload); err != nil {
			b.Fatal(err)
		}
	}
}
