// Package logging builds the function's structured logger: slog JSON lines
// on stdout, which SCF ships to CLS, each carrying the SCF request id of the
// invocation that wrote it.
package logging

import (
	"context"
	"io"
	"log/slog"

	"github.com/tencentyun/scf-go-lib/functioncontext"
)

// New returns a JSON logger writing to w. Records logged with a context that
// carries an SCF function context get a request_id attribute.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	json := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})
	return slog.New(requestIDHandler{json})
}

type requestIDHandler struct {
	slog.Handler
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if fc, ok := functioncontext.FromContext(ctx); ok && fc.RequestID != "" {
		r.AddAttrs(slog.String("request_id", fc.RequestID))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// RequestID returns the SCF request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	if fc, ok := functioncontext.FromContext(ctx); ok {
		return fc.RequestID
	}
	return ""
}
