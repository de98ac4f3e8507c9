package leakcheck

import (
	"fmt"
	"strings"
	"testing"
)

func TestLeaksFindsSecret(t *testing.T) {
	Secret("test key", "very-secret-value-1")
	Secret("short", "abc") // too short to register
	w := Writer()
	fmt.Fprint(w, `{"msg":"fine"}`+"\n"+`{"msg":"oops very-secret-value-1"}`+"\n"+`{"msg":"abc partial`)

	found, lineCount, secretCount := Leaks()
	if lineCount != 2 || secretCount != 1 {
		t.Errorf("checked %d lines and %d secrets, want 2 and 1", lineCount, secretCount)
	}
	if len(found) != 1 || !strings.HasPrefix(found[0], "test key in: ") {
		t.Errorf("found %q, want the one line with the secret", found)
	}
}
