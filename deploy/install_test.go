// Package deploy_test runs deploy/install.sh the way a user would, with
// stand-ins for the cloud CLI and a local stack in place of Tencent Cloud.
package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vodhook/vodhook/internal/localstack"
	"github.com/vodhook/vodhook/internal/testbinary"
)

// baseTools are the system commands install.sh needs besides the ones each
// test provides or leaves out.
var baseTools = []string{"bash", "date", "grep", "head", "mktemp", "rm", "tee", "cat", "dirname", "env", "mkdir", "cp", "chmod", "sed", "tr"}

// pathWith returns a PATH of one folder holding the base tools and the
// given stub scripts (name to shell body).
func pathWith(t *testing.T, stubs map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, tool := range baseTools {
		target, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s not found: %v", tool, err)
		}
		if err := os.Symlink(target, filepath.Join(dir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range stubs {
		script := "#!/usr/bin/env bash\nset -e\n" + body + "\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// toolStubs stand in for Go, Node.js and npm, whose versions are all the
// script reads from them.
var toolStubs = map[string]string{
	"go":   `[ "$1 $2" = "env GOVERSION" ] && echo go1.26.8`,
	"node": `echo v20.20.2`,
	"npm":  `echo 11.19.1`,
}

// project copies install.sh and serverless.yml into a fresh folder laid out
// like the repository, so the script's build output stays out of the real
// one.
func project(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"install.sh", "../serverless.yml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		dest := filepath.Join(dir, "deploy", file)
		if err := os.WriteFile(dest, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runScript runs install.sh with args under exactly the environment env.
func runScript(t *testing.T, dir string, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(dir, "deploy", "install.sh"), args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String()
}

var timestamped = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ `)

func TestDryRunWithoutTools(t *testing.T) {
	t.Parallel()
	dir := project(t)
	env := []string{"PATH=" + pathWith(t, nil), "HOME=" + t.TempDir(), "SECRET_ID=AKIDdryrunSECRETID", "SECRET_KEY=dry-run-secret-key", "APPID=1250000000", "VOD_SIGN_KEY=DryRunSignKey42"}
	code, out := runScript(t, dir, env, "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}

	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !timestamped.MatchString(line) {
			t.Errorf("line without a timestamp: %q", line)
		}
	}
	for _, want := range []string{
		"Go is missing", "npm install -g serverless-cloud-framework",
		"credentials: Tencent's installer names (SECRET_ID, SECRET_KEY)",
		"[dry-run] would run: make build", "[dry-run] would run: build/vodhook preflight",
		"[dry-run] would run: scf deploy", "[dry-run] would run: build/vodhook smoke -url https://1250000000-<id>.ap-guangzhou.tencentscf.com/",
		"VOD_SUBAPPID=0 VOD_SIGN_KEY=... build/vodhook callback set -url", "dry run done; a real run would stop at: tools",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"AKIDdryrunSECRETID", "dry-run-secret-key", "DryRunSignKey42"} {
		if strings.Contains(out, secret) {
			t.Errorf("output contains a secret %q", secret)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "build")); !os.IsNotExist(err) {
		t.Error("the dry run built something")
	}
}

func TestDryRunFrameworkNames(t *testing.T) {
	t.Parallel()
	env := []string{"PATH=" + pathWith(t, toolStubs), "TENCENT_SECRET_ID=AKIDframework0001", "TENCENT_SECRET_KEY=framework-key-0001", "TENCENT_APP_ID=1250000000", "SCF_REGION=ap-shanghai"}
	code, out := runScript(t, project(t), env, "--dry-run", "--set-callback")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"found Go go1.26.8", "credentials: Serverless Cloud Framework names (TENCENT_SECRET_ID, TENCENT_SECRET_KEY)", "VOD_SIGN_KEY is not set", "function region ap-shanghai",
		"[dry-run] would run: build/vodhook callback set -url https://1250000000-<id>.ap-shanghai.tencentscf.com/", "a real run would stop at: tools VOD_SIGN_KEY"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRealRunStops(t *testing.T) {
	t.Parallel()
	creds := []string{"SECRET_ID=AKIDstop0001", "SECRET_KEY=stop-key-0001", "APPID=1250000000"}
	tests := []struct {
		name  string
		stubs map[string]string
		env   []string
		args  []string
		want  string
	}{
		{"no scf", toolStubs, creds, nil, "install the missing tools"},
		{"classic serverless only", merge(toolStubs, map[string]string{"serverless": "echo 3.0"}), creds, nil, "the classic serverless CLI is installed, but it no longer deploys to Tencent Cloud"},
		{"old Go", merge(toolStubs, map[string]string{"go": "echo go1.22.1", "scf": "true"}), creds, nil, "Go go1.22.1 is too old"},
		{"no credentials", merge(toolStubs, map[string]string{"scf": "true"}), nil, nil, "missing credentials: SECRET_ID (or TENCENT_SECRET_ID) and SECRET_KEY (or TENCENT_SECRET_KEY)"},
		{"key without id", merge(toolStubs, map[string]string{"scf": "true"}), []string{"SECRET_KEY=stop-key-0001"}, nil, "missing credentials: SECRET_ID (or TENCENT_SECRET_ID);"},
		{"url not http", toolStubs, creds, []string{"--url", "ftp://x"}, "--url ftp://x is not an http(s) URL"},
		{"no sign key", merge(toolStubs, map[string]string{"scf": "true"}), creds, nil, "VOD_SIGN_KEY is not set"},
		{"bad sign key", merge(toolStubs, map[string]string{"scf": "true"}), append(creds, "VOD_SIGN_KEY=has-dashes"), nil, "1 to 32 letters and digits"},
		{"unknown option", toolStubs, creds, []string{"--yes"}, "unknown option --yes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := append([]string{"PATH=" + pathWith(t, tt.stubs)}, tt.env...)
			code, out := runScript(t, project(t), env, tt.args...)
			if code == 0 || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want non-zero and %q:\n%s", code, tt.want, out)
			}
			if strings.Contains(out, "stop-key-0001") {
				t.Error("output contains the secret key")
			}
		})
	}
}

func TestOptionWarnings(t *testing.T) {
	t.Parallel()
	env := []string{"PATH=" + pathWith(t, toolStubs), "SECRET_ID=AKIDwarn0001", "SECRET_KEY=warn-key-0001", "VOD_SIGN_KEY=WarnKey42"}
	code, out := runScript(t, project(t), env, "--dry-run", "--force", "--unsigned")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"--force has no effect without --set-callback", "--unsigned: VOD_SIGN_KEY is set but not deployed", "WARNING: no VOD_SIGN_KEY"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// TestFullRun runs every step for real against a local stack: the make
// stand-in installs the built binaries, the scf stand-in prints a deploy
// log, and the smoke test and callback configuration reach the local
// gateway and emulator.
func TestFullRun(t *testing.T) {
	t.Parallel()
	stack, err := localstack.Start(context.Background(), localstack.Options{Binary: testbinary.Function(t), SignKey: "FullRunSignKey42"})
	if err != nil {
		t.Fatal(err)
	}
	defer stack.Close()

	stubs := merge(toolStubs, map[string]string{
		"make": strings.Join([]string{
			`[ "$1" = build ] || exit 2`,
			`mkdir -p build/scf`,
			`cp ` + testbinary.CLI(t) + ` build/vodhook`,
			`cp ` + testbinary.Function(t) + ` build/main`,
			`cp build/main build/scf/main`,
			`build/vodhook package -binary build/main -o build/vodhook-scf.zip`,
		}, "\n"),
		"scf": `echo "scf $* (stand-in)"; echo "url: https://1250000000-f00dfeed.ap-guangzhou.tencentscf.com/"`,
	})
	dir := project(t)
	env := []string{
		"PATH=" + pathWith(t, stubs), "HOME=" + t.TempDir(),
		"SECRET_ID=" + stack.Credential.SecretId, "SECRET_KEY=" + stack.Credential.SecretKey, "APPID=1250000000",
		"TENCENT_TOKEN=" + stack.Credential.Token,
		"VOD_SIGN_KEY=" + stack.SignKey, "VOD_ENDPOINT=" + stack.Emulator.URL,
	}
	code, out := runScript(t, dir, env, "--url", stack.GatewayURL+"/", "--set-callback")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}

	for _, want := range []string{
		"running: make build", "preflight passed", "running: scf deploy", "scf deploy (stand-in)",
		"callback URL: " + stack.GatewayURL + "/",
		"ok   signed test notification", "ok   unsigned notification", "ok   forged notification",
		"Verified with DescribeEventConfig", "done",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{stack.Credential.SecretKey, stack.Credential.Token, stack.SignKey} {
		if strings.Contains(out, secret) {
			t.Errorf("output contains a secret")
		}
	}

	var modified bool
	for _, call := range stack.Emulator.CallsTo("ModifyEventConfig") {
		if call.ErrorCode == "" && strings.Contains(string(call.Params), stack.GatewayURL) {
			modified = true
		}
	}
	if !modified {
		t.Error("the emulator's callback URL was not set to the function")
	}
}

// TestFindURL checks the pattern that picks the Function URL out of scf's
// output.
func TestFindURL(t *testing.T) {
	t.Parallel()
	script, err := os.ReadFile("install.sh")
	if err != nil {
		t.Fatal(err)
	}
	fn := regexp.MustCompile(`(?s)find_url\(\) \{.*?\n\}`).Find(script)
	if fn == nil {
		t.Fatal("install.sh has no find_url function")
	}

	tests := []struct{ output, want string }{
		{"functionUrl: https://1250000000-abc123xy.ap-guangzhou.tencentscf.com\nother", "https://1250000000-abc123xy.ap-guangzhou.tencentscf.com"},
		{`"url": "https://1250000000-k9.ap-shanghai.tencentscf.com/"`, "https://1250000000-k9.ap-shanghai.tencentscf.com/"},
		{"intranet https://1250000000-k9.in.ap-shanghai.tencentscf.com/ only", ""},
		{"nothing here", ""},
	}
	for _, tt := range tests {
		file := filepath.Join(t.TempDir(), "out")
		if err := os.WriteFile(file, []byte(tt.output), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", "-c", string(fn)+"\nfind_url \"$1\"", "bash", file)
		got, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(got)) != tt.want {
			t.Errorf("find_url(%q) = %q, want %q", tt.output, got, tt.want)
		}
	}
}

// TestCAMPolicies checks that the execution role's policies parse and grant
// what the function calls, to the principal SCF assumes roles as.
func TestCAMPolicies(t *testing.T) {
	t.Parallel()
	var policy, trust struct {
		Version   string `json:"version"`
		Statement []struct {
			Effect    string          `json:"effect"`
			Action    json.RawMessage `json:"action"`
			Resource  []string        `json:"resource"`
			Principal struct {
				Service []string `json:"service"`
			} `json:"principal"`
		} `json:"statement"`
	}
	for path, v := range map[string]any{"cam-policy.json": &policy, "cam-trust-policy.json": &trust} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}

	if policy.Version != "2.0" || len(policy.Statement) != 1 || policy.Statement[0].Effect != "allow" || string(policy.Statement[0].Action) != `["vod:ProcessMedia"]` {
		t.Errorf("cam-policy.json = %+v, want one statement allowing vod:ProcessMedia", policy)
	}
	if len(trust.Statement) != 1 || !strings.Contains(string(trust.Statement[0].Action), "sts:AssumeRole") || len(trust.Statement[0].Principal.Service) != 1 || trust.Statement[0].Principal.Service[0] != "scf.qcloud.com" {
		t.Errorf("cam-trust-policy.json = %+v, want SCF (scf.qcloud.com) allowed to assume the role", trust)
	}
}
