package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vodhook/vodhook/internal/emulator"
)

// startEmulator starts an emulator and points the CLI's configuration at it
// through the environment, as a user would with their own keys.
func startEmulator(t *testing.T, callbackURL string) *emulator.Emulator {
	t.Helper()
	cred := emulator.Credential{SecretId: "AKIDcliTEST0001", SecretKey: "cli-secret-key-0001"}
	emu, err := emulator.New(emulator.Options{Credentials: []emulator.Credential{cred}, CallbackURL: callbackURL})
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(emu)
	t.Cleanup(func() {
		server.Close()
		emu.Close()
	})

	t.Setenv("VODHOOK_CONFIG", "")
	t.Setenv("VOD_ENDPOINT", server.URL)
	t.Setenv("VOD_SUBAPPID", "")
	t.Setenv("SUBAPPID", "")
	t.Setenv("TENCENT_SECRET_ID", "")
	t.Setenv("SECRET_ID", "")
	t.Setenv("VOD_SIGN_KEY", "")
	t.Setenv("TENCENTCLOUD_SECRETID", cred.SecretId)
	t.Setenv("TENCENTCLOUD_SECRETKEY", cred.SecretKey)
	t.Setenv("TENCENTCLOUD_SESSIONTOKEN", "")
	return emu
}

func TestCallbackShow(t *testing.T) {
	startEmulator(t, "https://old.example.com/hook")
	code, stdout, stderr := runCLI(t, context.Background(), "callback", "show")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Mode", "PUSH", "https://old.example.com/hook", "UploadMediaCompleteEventSwitch", "ON"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}

	code, stdout, _ = runCLI(t, context.Background(), "callback", "show", "-json")
	if code != 0 || !strings.Contains(stdout, `"NotificationUrl": "https://old.example.com/hook"`) {
		t.Errorf("-json: exit %d:\n%s", code, stdout)
	}
}

func TestCallbackSetRefusesOtherURL(t *testing.T) {
	emu := startEmulator(t, "https://production.example.com/vod")
	code, stdout, stderr := runCLI(t, context.Background(), "callback", "set", "-url", "https://new.example.com/")
	if code != 1 || !strings.Contains(stderr, "not changed without -force") {
		t.Fatalf("exit %d, stderr %q; want a refusal", code, stderr)
	}
	for _, want := range []string{"https://production.example.com/vod", "https://new.example.com/", "changed", "-force"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("comparison lacks %q:\n%s", want, stdout)
		}
	}
	if calls := emu.CallsTo("ModifyEventConfig"); len(calls) != 0 {
		t.Errorf("ModifyEventConfig was sent %d times after the refusal", len(calls))
	}
}

func TestCallbackSetForce(t *testing.T) {
	emu := startEmulator(t, "https://production.example.com/vod")
	// Turn a switch to a non-default value, which ModifyEventConfig must keep.
	startEmulatorSwitch(t, emu)

	code, stdout, stderr := runCLI(t, context.Background(), "callback", "set", "-url", "https://new.example.com/", "-sign-key", "Abc123SignKey", "-force")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Verified with DescribeEventConfig") {
		t.Errorf("no verification:\n%s", stdout)
	}
	if strings.Contains(stdout, "Abc123SignKey") {
		t.Error("the sign key was printed")
	}

	calls := emu.CallsTo("ModifyEventConfig")
	if len(calls) != 2 {
		t.Fatalf("%d ModifyEventConfig calls, want the test's and the CLI's", len(calls))
	}
	params := string(calls[1].Params)
	for _, field := range []string{`"Mode":"PUSH"`, `"NotificationUrl":"https://new.example.com/"`, `"UploadMediaCompleteEventSwitch":"ON"`, `"DeleteMediaCompleteEventSwitch":"OFF"`, `"PersistenceCompleteEventSwitch":"ON"`, `"SignKey":"Abc123SignKey"`} {
		if !strings.Contains(params, field) {
			t.Errorf("request %s lacks %s", params, field)
		}
	}

	code, stdout, _ = runCLI(t, context.Background(), "callback", "show")
	if code != 0 || !strings.Contains(stdout, "https://new.example.com/") {
		t.Errorf("after set: exit %d\n%s", code, stdout)
	}
}

// startEmulatorSwitch sets PersistenceCompleteEventSwitch ON and
// DeleteMediaCompleteEventSwitch OFF directly through the API.
func startEmulatorSwitch(t *testing.T, emu *emulator.Emulator) {
	t.Helper()
	client, _, err := vodClient()
	if err != nil {
		t.Fatal(err)
	}
	current, _, err := client.DescribeEventConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	current.PersistenceComplete, current.DeleteMediaComplete = "ON", "OFF"
	if _, err := client.ModifyEventConfig(context.Background(), current, ""); err != nil {
		t.Fatal(err)
	}
}

func TestCallbackSetSameURLAndDryRun(t *testing.T) {
	emu := startEmulator(t, "")
	code, stdout, stderr := runCLI(t, context.Background(), "callback", "set", "-url", "https://fn.example.com/", "-dry-run", "-sign-key", "Key42")
	if code != 0 || !strings.Contains(stdout, "Dry run") || !strings.Contains(stdout, `"NotificationUrl": "https://fn.example.com/"`) {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "Key42") {
		t.Error("the dry run printed the sign key")
	}
	if len(emu.CallsTo("ModifyEventConfig")) != 0 {
		t.Error("the dry run sent ModifyEventConfig")
	}

	code, _, stderr = runCLI(t, context.Background(), "callback", "set", "-url", "https://fn.example.com/")
	if code != 0 {
		t.Fatalf("set on an empty configuration: exit %d: %s", code, stderr)
	}
	// Setting the same URL again needs no -force.
	code, _, stderr = runCLI(t, context.Background(), "callback", "set", "-url", "https://fn.example.com/")
	if code != 0 {
		t.Errorf("set the same URL again: exit %d: %s", code, stderr)
	}
}

func TestCallbackErrors(t *testing.T) {
	startEmulator(t, "")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"callback"}, "Usage: vodhook callback show|set"},
		{[]string{"callback", "delete"}, `unknown subcommand "delete"`},
		{[]string{"callback", "set"}, "-url is required in PUSH mode"},
		{[]string{"callback", "set", "-url", "ftp://x"}, "not an http(s) URL"},
		{[]string{"callback", "set", "-url", "https://x/", "-mode", "SOMETIMES"}, `-mode "SOMETIMES"`},
		{[]string{"callback", "set", "-url", "https://x/", "-sign-key", "has spaces"}, "1 to 32 letters and digits"},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, context.Background(), tt.args...)
		if code == 0 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tt.args, code, stderr, tt.want)
		}
	}

	t.Setenv("TENCENTCLOUD_SECRETID", "")
	t.Setenv("TENCENTCLOUD_SECRETKEY", "")
	code, _, stderr := runCLI(t, context.Background(), "callback", "show")
	if code != 1 || !strings.Contains(stderr, "no API key: export TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY") {
		t.Errorf("without credentials: exit %d, stderr %q", code, stderr)
	}

	t.Setenv("TENCENT_SECRET_ID", "AKIDframework")
	code, _, stderr = runCLI(t, context.Background(), "callback", "show")
	if code != 1 || !strings.Contains(stderr, "export TENCENTCLOUD_SECRETID=$TENCENT_SECRET_ID") {
		t.Errorf("with the framework's names only: exit %d, stderr %q", code, stderr)
	}
	t.Setenv("TENCENT_SECRET_ID", "")

	t.Setenv("TENCENTCLOUD_SECRETID", "AKIDcliTEST0001")
	t.Setenv("TENCENTCLOUD_SECRETKEY", "wrong-key")
	code, _, stderr = runCLI(t, context.Background(), "callback", "show")
	if code != 1 || !strings.Contains(stderr, "AuthFailure.SignatureFailure") {
		t.Errorf("wrong key: exit %d, stderr %q", code, stderr)
	}
}

func TestCallbackSetPullNeedsForce(t *testing.T) {
	emu := startEmulator(t, "https://fn.example.com/")
	code, stdout, stderr := runCLI(t, context.Background(), "callback", "set", "-mode", "PULL")
	if code != 1 || !strings.Contains(stdout, "PullEvents") || !strings.Contains(stderr, "not changed without -force") {
		t.Fatalf("PULL without -force: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if len(emu.CallsTo("ModifyEventConfig")) != 0 {
		t.Error("ModifyEventConfig was sent")
	}

	code, stdout, stderr = runCLI(t, context.Background(), "callback", "set", "-mode", "PULL", "-force")
	if code != 0 || !strings.Contains(stdout, "holds its events for PullEvents (PULL mode); nothing is posted") {
		t.Errorf("PULL with -force: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestCallbackSetDryRunShowsRefusedRequest(t *testing.T) {
	startEmulator(t, "https://production.example.com/vod")
	code, stdout, _ := runCLI(t, context.Background(), "callback", "set", "-url", "https://new.example.com/", "-dry-run")
	if code != 1 || !strings.Contains(stdout, "Dry run") || !strings.Contains(stdout, "rerun with -force") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
}

func TestCallbackInstallerSubAppID(t *testing.T) {
	emu := startEmulator(t, "")
	t.Setenv("SUBAPPID", "1500000001")
	code, _, stderr := runCLI(t, context.Background(), "callback", "set", "-url", "https://fn.example.com/")
	if code != 1 || !strings.Contains(stderr, "export VOD_SUBAPPID=1500000001") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if len(emu.Calls()) != 0 {
		t.Error("VOD was called for the wrong sub-application")
	}

	t.Setenv("VOD_SUBAPPID", "1500000001")
	code, stdout, stderr := runCLI(t, context.Background(), "callback", "set", "-url", "https://fn.example.com/")
	if code != 0 || !strings.Contains(stdout, "sub-application 1500000001 posts its callbacks to https://fn.example.com/") {
		t.Errorf("with VOD_SUBAPPID: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
