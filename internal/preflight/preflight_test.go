package preflight

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vodhook/vodhook/internal/config"
	"github.com/vodhook/vodhook/internal/scfzip"
	"github.com/vodhook/vodhook/internal/testbinary"
)

const repoServerless = "../../serverless.yml"

// TestRepositoryServerless checks the fields of the shipped serverless.yml
// that the function depends on.
func TestRepositoryServerless(t *testing.T) {
	t.Parallel()
	s, err := ReadServerless(repoServerless)
	if err != nil {
		t.Fatal(err)
	}
	in := s.Inputs

	if s.Component != "scf" {
		t.Errorf("component = %q, want scf", s.Component)
	}
	if in.Handler != scfzip.HandlerName {
		t.Errorf("handler = %q, want the binary's name %q", in.Handler, scfzip.HandlerName)
	}
	if in.Runtime != "Go1" {
		t.Errorf("runtime = %q, want Go1", in.Runtime)
	}
	if in.SrcPath() != "./build/scf" {
		t.Errorf("src = %q, want ./build/scf, the folder make build fills with main only", in.SrcPath())
	}
	if in.Role == "" {
		t.Error("no execution role")
	}
	if in.Timeout < minTimeout || in.Timeout > 30 {
		t.Errorf("timeout = %d s, want between %d and 30", in.Timeout, minTimeout)
	}
	if in.MemorySize < 128 {
		t.Errorf("memorySize = %d MB, want at least 128", in.MemorySize)
	}

	for name := range in.Environment.Variables {
		if !slices.Contains(vodVariables, name) {
			t.Errorf("variable %s is not one the function reads", name)
		}
	}
	for _, name := range []string{config.EnvRegion, config.EnvSubAppID, config.EnvDefinitions, config.EnvSignKey} {
		if _, ok := in.Environment.Variables[name]; !ok {
			t.Errorf("variable %s is missing", name)
		}
	}

	urls := in.Triggers("http")
	if len(urls) != 1 {
		t.Fatalf("%d http triggers, want one Function URL", len(urls))
	}
	net := urls[0].Parameters.NetConfig
	if net.EnableExtranet == nil || !*net.EnableExtranet || urls[0].Parameters.AuthType != "NONE" {
		t.Errorf("Function URL: extranet %v, authType %q; want public and NONE", net.EnableExtranet, urls[0].Parameters.AuthType)
	}
	timers := in.Triggers("timer")
	if len(timers) != 1 || timers[0].Parameters.Enable == nil || *timers[0].Parameters.Enable {
		t.Errorf("timer triggers %+v, want one, disabled", timers)
	}
	if len(in.Triggers("apigw")) != 0 {
		t.Error("the API Gateway trigger is active; it should stay a commented variant")
	}

	text, _ := os.ReadFile(repoServerless)
	for _, want := range []string{"# - apigw:", "#           method: POST", "#             isIntegratedResponse: true"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the commented API Gateway variant lacks %q", want)
		}
	}
}

// project writes serverless.yml with text and a code folder holding the
// built binary, and returns the path of serverless.yml.
func project(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "build", "scf")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	binary, err := os.ReadFile(testbinary.Function(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "main"), binary, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "serverless.yml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestRunRepositoryServerless(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile(repoServerless)
	if err != nil {
		t.Fatal(err)
	}
	path := project(t, string(text))
	report := Run(Options{Serverless: path, Getenv: env(map[string]string{"SCF_REGION": "ap-guangzhou", "VOD_SIGN_KEY": "Key123"})})
	if report.Failed() {
		var b strings.Builder
		report.Print(&b)
		t.Fatalf("preflight failed on the shipped serverless.yml:\n%s", b.String())
	}
	for _, c := range report {
		if c.Severity == Warn {
			t.Errorf("unexpected warning: %s %s", c.Name, c.Message)
		}
	}
}

func TestRunFindsProblems(t *testing.T) {
	t.Parallel()
	original, err := os.ReadFile(repoServerless)
	if err != nil {
		t.Fatal(err)
	}
	goodEnv := map[string]string{"SCF_REGION": "ap-guangzhou", "VOD_SIGN_KEY": "Key123"}
	tests := []struct {
		name     string
		from, to string // replacement in the shipped serverless.yml
		env      map[string]string
		check    string
		contains string
	}{
		{"handler", "handler: main", "handler: index.main_handler", goodEnv, "inputs.handler", "inputs.handler: main"},
		{"runtime", "runtime: Go1", "runtime: Go1.18", goodEnv, "inputs.runtime", "Go1"},
		{"intranet only", "enableExtranet: true", "enableExtranet: false", goodEnv, "events.http", "no public access"},
		{"extranet missing", "            enableExtranet: true\n", "", goodEnv, "events.http", "enableExtranet: true"},
		{"function url auth", "authType: NONE", "authType: CAM", goodEnv, "events.http", "authType"},
		{"no http trigger", "    - http:\n", "    - cos:\n", goodEnv, "events.http", "no HTTP trigger"},
		{"bad definitions", "VOD_DEFINITIONS: ${env:VOD_DEFINITIONS}", "VOD_DEFINITIONS: 100010,abc", goodEnv, "environment", "template id abc"},
		{"negative subappid", "VOD_SUBAPPID: ${env:VOD_SUBAPPID}", "VOD_SUBAPPID: '-1'", goodEnv, "environment", "negative"},
		{"bad region variable", "", "", map[string]string{"SCF_REGION": "ap-guangzhou", "VOD_SIGN_KEY": "k", "VOD_REGION": "Shanghai"}, "environment", `region "Shanghai"`},
		{"no function region", "", "", map[string]string{}, "inputs.region", "SCF_REGION"},
		{"short timeout", "timeout: 10", "timeout: 3", goodEnv, "inputs.timeout", "less than one VOD call"},
		{"no role", "role: vodhook-vod", "role: ''", goodEnv, "inputs.role", "execution role"},
		{"literal secret", "VOD_SIGN_KEY: ${env:VOD_SIGN_KEY}", "VOD_SIGN_KEY: ${env:VOD_SIGN_KEY}\n      TENCENTCLOUD_SECRETKEY: abcdefgh", goodEnv, "inputs.role", "literal secret"},
		{"src missing", "src: ./build/scf", "src: ./build/nothing", goodEnv, "inputs.src", "run make build"},
		{"not YAML", "inputs:", "inputs: [", goodEnv, "serverless.yml", "not valid YAML"},
		{"literal sign key", "VOD_SIGN_KEY: ${env:VOD_SIGN_KEY}", "VOD_SIGN_KEY: abc123", goodEnv, "environment.VOD_SIGN_KEY", "committed"},
		{"invalid sign key", "", "", map[string]string{"SCF_REGION": "ap-guangzhou", "VOD_SIGN_KEY": "my-key!"}, "environment", "1 to 32 letters and digits"},
		{"malformed function region", "", "", map[string]string{"SCF_REGION": "guangzhou", "VOD_SIGN_KEY": "k"}, "inputs.region", "not a Tencent Cloud region id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			text := string(original)
			if tt.from != "" {
				if !strings.Contains(text, tt.from) {
					t.Fatalf("serverless.yml lacks %q", tt.from)
				}
				text = strings.Replace(text, tt.from, tt.to, 1)
			}
			report := Run(Options{Serverless: project(t, text), Getenv: env(tt.env)})
			if !report.Failed() {
				t.Fatal("preflight passed")
			}
			found := false
			for _, c := range report {
				if c.Severity == Fail && c.Name == tt.check && strings.Contains(c.Message, tt.contains) {
					found = true
				}
			}
			if !found {
				var b strings.Builder
				report.Print(&b)
				t.Errorf("no FAIL for %s containing %q:\n%s", tt.check, tt.contains, b.String())
			}
		})
	}
}

func TestRunCodeFolderExtraFile(t *testing.T) {
	t.Parallel()
	text, _ := os.ReadFile(repoServerless)
	path := project(t, string(text))
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "build", "scf", "config.json"), []byte(`{"secret_key":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	report := Run(Options{Serverless: path, Getenv: env(map[string]string{"SCF_REGION": "ap-guangzhou"})})
	for _, c := range report {
		if c.Name == "inputs.src" && c.Severity == Fail && strings.Contains(c.Message, "only main") {
			return
		}
	}
	t.Errorf("a config.json beside main was not reported: %+v", report)
}

func TestRunZip(t *testing.T) {
	t.Parallel()
	text, _ := os.ReadFile(repoServerless)
	path := project(t, string(text))
	zip := filepath.Join(t.TempDir(), "pkg.zip")
	if err := scfzip.Write(zip, "/etc/hostname"); err != nil {
		t.Fatal(err)
	}
	report := Run(Options{Serverless: path, Zip: zip, Getenv: env(map[string]string{"SCF_REGION": "ap-guangzhou"})})
	for _, c := range report {
		if c.Name == "package" && c.Severity == Fail && strings.Contains(c.Message, "not a Linux ELF") {
			return
		}
	}
	t.Errorf("a zip without an ELF main was not reported: %+v", report)
}

func TestExpand(t *testing.T) {
	t.Parallel()
	got, unset := Expand("a-${env:X}-${env:Y}", env(map[string]string{"X": "1"}))
	if got != "a-1-" || !slices.Equal(unset, []string{"Y"}) {
		t.Errorf("Expand = %q, %v", got, unset)
	}
	if !isReference("${env:VOD_SIGN_KEY}") || isReference("x${env:A}") || isReference("plain") {
		t.Error("isReference is wrong")
	}
}

func TestRunTimeoutWarning(t *testing.T) {
	t.Parallel()
	original, err := os.ReadFile(repoServerless)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(original), "timeout: 10", "timeout: 5", 1)
	report := Run(Options{Serverless: project(t, text), Getenv: env(map[string]string{"SCF_REGION": "ap-guangzhou", "VOD_SIGN_KEY": "k"})})
	for _, c := range report {
		if c.Name == "inputs.timeout" {
			if c.Severity != Warn || !strings.Contains(c.Message, "cold start") {
				t.Errorf("timeout 5: %+v, want a warning about cold starts", c)
			}
			return
		}
	}
	t.Error("no timeout check")
}

func TestRunShowsResolvedVariables(t *testing.T) {
	t.Parallel()
	text, _ := os.ReadFile(repoServerless)
	report := Run(Options{Serverless: project(t, string(text)), Getenv: env(map[string]string{"SCF_REGION": "ap-guangzhou", "VOD_SIGN_KEY": "Secret42", "VOD_SUBAPPID": "1500000001"})})
	for _, c := range report {
		if c.Name == "environment" && c.Severity == Pass {
			for _, want := range []string{"VOD_SUBAPPID=1500000001", "VOD_DEFINITIONS=(empty: default)", "VOD_SIGN_KEY=(set)"} {
				if !strings.Contains(c.Message, want) {
					t.Errorf("message %q lacks %q", c.Message, want)
				}
			}
			if strings.Contains(c.Message, "Secret42") {
				t.Error("the sign key is shown")
			}
			return
		}
	}
	t.Errorf("no passing environment check: %+v", report)
}
