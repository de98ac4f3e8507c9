package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vodhook/vodhook/internal/localstack"
	"github.com/vodhook/vodhook/internal/testbinary"
)

func startStack(t *testing.T, opts localstack.Options) *localstack.Stack {
	t.Helper()
	opts.Binary = testbinary.Function(t)
	stack, err := localstack.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stack.Close() })
	return stack
}

func TestSmoke(t *testing.T) {
	signed := startStack(t, localstack.Options{})
	unsigned := startStack(t, localstack.Options{Unsigned: true})
	notVodhook := httptest.NewServer(http.NotFoundHandler())
	defer notVodhook.Close()

	tests := []struct {
		name     string
		url      string
		key      string
		wantCode int
		want     []string
	}{
		{"signed function, right key", signed.GatewayURL, signed.SignKey, 0, []string{"ok   signed test notification", "ok   unsigned notification", "ok   forged notification"}},
		{"signed function, wrong key", signed.GatewayURL, "wrongKey", 1, []string{"FAIL signed test notification", "VOD_SIGN_KEY differs"}},
		{"signed function, no key", signed.GatewayURL, "", 1, []string{"FAIL unsigned test notification", "has a sign key"}},
		{"unsigned function, no key", unsigned.GatewayURL, "", 0, []string{"ok   empty request", "ok   unsigned test notification"}},
		{"unsigned function, key", unsigned.GatewayURL, "someKey", 1, []string{"FAIL unsigned notification", "accepts unsigned callbacks"}},
		{"not vodhook", notVodhook.URL, "", 1, []string{"FAIL empty request", "not vodhook's"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("VOD_SIGN_KEY", tt.key)
			code, stdout, stderr := runCLI(t, context.Background(), "smoke", "-url", tt.url+"/")
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout, want) {
					t.Errorf("output lacks %q:\n%s", want, stdout)
				}
			}
			if tt.key != "" && strings.Contains(stdout+stderr, tt.key) {
				t.Error("the sign key was printed")
			}
		})
	}
}
