package outcome

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		err         error
		wantKind    Kind
		wantStatus  int
		wantConfirm bool
	}{
		{"handled", nil, Handled, http.StatusOK, true},
		{"malformed", fmt.Errorf("decode: %w", ErrMalformed), Malformed, http.StatusBadRequest, true},
		{"unauthorized", fmt.Errorf("sign: %w", ErrUnauthorized), Unauthorized, http.StatusUnauthorized, true},
		{"rejected", fmt.Errorf("ProcessMedia: %w", ErrRejected), Rejected, http.StatusInternalServerError, true},
		{"misconfigured", fmt.Errorf("config: %w", ErrConfig), Misconfigured, http.StatusInternalServerError, false},
		{"retryable", fmt.Errorf("ProcessMedia: %w", ErrRetryable), Retryable, http.StatusServiceUnavailable, false},
		{"unknown error", errors.New("something else"), Retryable, http.StatusServiceUnavailable, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Classify(tt.err); got != tt.wantKind {
				t.Errorf("Classify = %q, want %q", got, tt.wantKind)
			}
			if got := HTTPStatus(tt.err); got != tt.wantStatus {
				t.Errorf("HTTPStatus = %d, want %d", got, tt.wantStatus)
			}
			if got := Confirm(tt.err); got != tt.wantConfirm {
				t.Errorf("Confirm = %v, want %v", got, tt.wantConfirm)
			}
		})
	}
}
