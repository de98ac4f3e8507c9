package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vodhook/vodhook/internal/outcome"
)

// env returns a getenv over a fixed map.
func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func mustParse(t *testing.T, text string) File {
	t.Helper()
	f, err := ParseFile([]byte(text))
	if err != nil {
		t.Fatalf("ParseFile(%s): %v", text, err)
	}
	return f
}

func TestResolveDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Resolve(File{}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "ap-guangzhou" {
		t.Errorf("Region = %q, want ap-guangzhou", cfg.Region)
	}
	if cfg.SubAppID != 0 {
		t.Errorf("SubAppID = %d, want 0", cfg.SubAppID)
	}
	if !slices.Equal(cfg.Definitions, []uint64{100010, 100020}) {
		t.Errorf("Definitions = %v, want [100010 100020]", cfg.Definitions)
	}
	if cfg.Endpoint != (Endpoint{Host: "vod.tencentcloudapi.com", Scheme: "HTTPS"}) {
		t.Errorf("Endpoint = %+v, want HTTPS vod.tencentcloudapi.com", cfg.Endpoint)
	}
	if cfg.SignKey != "" || cfg.TranscodeWithProcedure {
		t.Errorf("SignKey/TranscodeWithProcedure = %q/%v, want empty/false", cfg.SignKey, cfg.TranscodeWithProcedure)
	}
}

func TestResolveValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		env  map[string]string
		want func(Config) string // returns "" when cfg is right
	}{
		{"python sample file", `{"secret_id":"AKIDx","secret_key":"k","region":"ap-shanghai","subappid":"1500000001","definitions":[100030]}`, nil,
			func(c Config) string {
				if c.Region != "ap-shanghai" || c.SubAppID != 1500000001 || !slices.Equal(c.Definitions, []uint64{100030}) {
					return "file values not applied"
				}
				return ""
			}},
		{"subappid number", `{"subappid":1500000002}`, nil,
			func(c Config) string { return check(c.SubAppID == 1500000002, "subappid number") }},
		{"subappid zero string", `{"subappid":"0"}`, nil,
			func(c Config) string { return check(c.SubAppID == 0, "subappid 0") }},
		{"subappid empty string", `{"subappid":""}`, nil,
			func(c Config) string { return check(c.SubAppID == 0, "empty subappid means none") }},
		{"definitions as strings", `{"definitions":["100010","100040"]}`, nil,
			func(c Config) string {
				return check(slices.Equal(c.Definitions, []uint64{100010, 100040}), "string definitions")
			}},
		{"env wins over file", `{"region":"ap-shanghai","subappid":1,"definitions":[100030],"endpoint":"a.example.com","sign_key":"file"}`,
			map[string]string{EnvRegion: "ap-beijing", EnvSubAppID: "2", EnvDefinitions: " 100010 , 100020 ", EnvEndpoint: "http://127.0.0.1:9000", EnvSignKey: "env"},
			func(c Config) string {
				if c.Region != "ap-beijing" || c.SubAppID != 2 || !slices.Equal(c.Definitions, []uint64{100010, 100020}) ||
					c.Endpoint != (Endpoint{Host: "127.0.0.1:9000", Scheme: "HTTP"}) || c.SignKey != "env" {
					return "environment did not override the file"
				}
				return ""
			}},
		{"empty env is unset", `{"region":"ap-shanghai"}`, map[string]string{EnvRegion: "", EnvDefinitions: ""},
			func(c Config) string { return check(c.Region == "ap-shanghai", "empty VOD_REGION overrode the file") }},
		{"transcode with procedure", `{"transcode_with_procedure":true}`, nil,
			func(c Config) string { return check(c.TranscodeWithProcedure, "transcode_with_procedure") }},
		{"transcode with procedure env", `{}`, map[string]string{EnvTranscodeWithProcedure: "true"},
			func(c Config) string { return check(c.TranscodeWithProcedure, "VOD_TRANSCODE_WITH_PROCEDURE") }},
		{"https endpoint", `{"endpoint":"https://vod.ap-guangzhou.tencentcloudapi.com"}`, nil,
			func(c Config) string {
				return check(c.Endpoint == Endpoint{Host: "vod.ap-guangzhou.tencentcloudapi.com", Scheme: "HTTPS"}, "https endpoint")
			}},
		{"null keys ignored", `{"region":null,"definitions":null}`, nil,
			func(c Config) string { return check(c.Region == DefaultRegion && len(c.Definitions) == 2, "null keys") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Resolve(mustParse(t, tt.file), env(tt.env))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if problem := tt.want(cfg); problem != "" {
				t.Errorf("%s: got %+v", problem, cfg)
			}
		})
	}
}

func check(ok bool, what string) string {
	if ok {
		return ""
	}
	return what
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		file     string
		env      map[string]string
		contains []string // every fragment must be in the message
	}{
		{"negative subappid", `{"subappid":-1}`, nil, []string{"subappid -1", "negative", "0 (no sub-application)"}},
		{"negative subappid string", `{"subappid":"-5"}`, nil, []string{"subappid -5", "negative"}},
		{"subappid not digits", `{"subappid":"abc"}`, nil, []string{`subappid "abc"`, "whole number"}},
		{"subappid fraction", `{"subappid":1.5}`, nil, []string{`"1.5"`, "whole number"}},
		{"subappid bool", `{"subappid":true}`, nil, []string{"subappid is true"}},
		{"env subappid negative", `{}`, map[string]string{EnvSubAppID: "-3"}, []string{"VOD_SUBAPPID -3", "negative"}},
		{"empty definitions", `{"definitions":[]}`, nil, []string{"definitions is empty", "[100010, 100020]"}},
		{"zero definition", `{"definitions":[0]}`, nil, []string{"template id 0", "positive integer"}},
		{"negative definition", `{"definitions":[-100010]}`, nil, []string{"template id -100010", "positive integer"}},
		{"fraction definition", `{"definitions":[100010.5]}`, nil, []string{"100010.5", "positive integer"}},
		{"text definition", `{"definitions":["hd"]}`, nil, []string{"template id hd"}},
		{"definitions not list", `{"definitions":100010}`, nil, []string{"not a list", "[100010, 100020]"}},
		{"duplicate definition", `{"definitions":[100010,100010]}`, nil, []string{"100010 twice"}},
		{"env definitions garbage", `{}`, map[string]string{EnvDefinitions: "100010,x"}, []string{"VOD_DEFINITIONS", "template id x"}},
		{"env definitions only commas", `{}`, map[string]string{EnvDefinitions: " , "}, []string{"VOD_DEFINITIONS", "lists no template"}},
		{"bad region", `{"region":"Guangzhou"}`, nil, []string{`region "Guangzhou"`, "ap-guangzhou"}},
		{"region wrong type", `{"region":1}`, nil, []string{"region is 1, not a string"}},
		{"endpoint with path", `{"endpoint":"http://127.0.0.1:9000/vod"}`, nil, []string{"endpoint", "path"}},
		{"endpoint bad scheme", `{"endpoint":"ftp://x"}`, nil, []string{`scheme "ftp"`}},
		{"endpoint empty host", `{"endpoint":"http://"}`, nil, []string{"not a valid host"}},
		{"bool not bool", `{"transcode_with_procedure":"yes"}`, nil, []string{"transcode_with_procedure", "true or false"}},
		{"env bool not bool", `{}`, map[string]string{EnvTranscodeWithProcedure: "sometimes"}, []string{"VOD_TRANSCODE_WITH_PROCEDURE", "true or false"}},
		{"sign key with symbols", `{"sign_key":"my-key!"}`, nil, []string{"sign key", "1 to 32 letters and digits"}},
		{"sign key too long", `{}`, map[string]string{EnvSignKey: strings.Repeat("a", 33)}, []string{"33 characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file, err := ParseFile([]byte(tt.file))
			if err == nil {
				_, err = Resolve(file, env(tt.env))
			}
			if err == nil {
				t.Fatal("got no error")
			}
			if !errors.Is(err, outcome.ErrConfig) {
				t.Errorf("error %q does not wrap outcome.ErrConfig", err)
			}
			for _, fragment := range tt.contains {
				if !strings.Contains(err.Error(), fragment) {
					t.Errorf("error %q does not contain %q", err, fragment)
				}
			}
		})
	}
}

func TestResolveReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := Resolve(mustParse(t, `{"region":"X","definitions":[]}`), env(map[string]string{EnvSubAppID: "-1"}))
	for _, fragment := range []string{"region", "definitions is empty", "VOD_SUBAPPID"} {
		if err == nil || !strings.Contains(err.Error(), fragment) {
			t.Errorf("error %v does not mention %q", err, fragment)
		}
	}
}

func TestParseFileRejectsNonObject(t *testing.T) {
	t.Parallel()
	for _, text := range []string{``, `[]`, `"x"`, `{"region":`, `null`} {
		_, err := ParseFile([]byte(text))
		if text == "null" {
			// null decodes to an empty map: no keys, all defaults.
			if err != nil {
				t.Errorf("ParseFile(null) = %v, want defaults", err)
			}
			continue
		}
		if !errors.Is(err, outcome.ErrConfig) {
			t.Errorf("ParseFile(%q) error = %v, want ErrConfig", text, err)
		}
	}
}

func TestParseFileUnknownKeys(t *testing.T) {
	t.Parallel()
	f := mustParse(t, "\ufeff"+`{"subappId":1,"Region":"ap-beijing","definitions":[100010]}`)
	if want := []string{"Region", "subappId"}; !slices.Equal(f.UnknownKeys, want) {
		t.Errorf("UnknownKeys = %v, want %v", f.UnknownKeys, want)
	}
	if f.Region != nil || f.SubAppID != nil {
		t.Errorf("keys in the wrong case were applied: region %v, subappid %v", f.Region, f.SubAppID)
	}
}

func TestSecretsNotInErrors(t *testing.T) {
	t.Parallel()
	const secret = "sEcReT-VaLuE-123"
	for _, text := range []string{
		`{"secret_id":["` + secret + `"]}`,
		`{"secret_key":{"v":"` + secret + `"}}`,
		`{"sign_key":["` + secret + `"]}`,
	} {
		_, err := ParseFile([]byte(text))
		if err == nil {
			t.Fatalf("ParseFile(%s): want a type error", text)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains the secret", err)
		}
	}
}

func TestCredential(t *testing.T) {
	t.Parallel()
	fileCfg, err := Resolve(mustParse(t, `{"secret_id":"AKIDfile","secret_key":"filekey"}`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	noFile, _ := Resolve(File{}, env(nil))
	halfFile, _ := Resolve(mustParse(t, `{"secret_id":"AKIDfile"}`), env(nil))
	role := map[string]string{EnvSecretID: "AKIDrole", EnvSecretKey: "rolekey", EnvSessionToken: "roletoken"}

	tests := []struct {
		name    string
		cfg     Config
		env     map[string]string
		want    Credential
		wantErr string
	}{
		{"role wins over file", fileCfg, role, Credential{"AKIDrole", "rolekey", "roletoken", "environment"}, ""},
		{"file when no role", fileCfg, nil, Credential{"AKIDfile", "filekey", "", "config file"}, ""},
		{"role without file", noFile, role, Credential{"AKIDrole", "rolekey", "roletoken", "environment"}, ""},
		{"none", noFile, nil, Credential{}, "no VOD API credentials"},
		{"id without key", fileCfg, map[string]string{EnvSecretID: "AKIDrole"}, Credential{}, "TENCENTCLOUD_SECRETKEY is empty"},
		{"key without id", noFile, map[string]string{EnvSecretKey: "k"}, Credential{}, "TENCENTCLOUD_SECRETID is empty"},
		{"half file", halfFile, nil, Credential{}, "only one of secret_id and secret_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.cfg.Credential(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, outcome.ErrConfig) {
					t.Fatalf("error = %v, want ErrConfig containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCredentialHidesSecrets(t *testing.T) {
	t.Parallel()
	c := Credential{SecretID: "AKIDsecretid", SecretKey: "thekey", Token: "thetoken", Source: "environment"}
	for _, text := range []string{c.String(), c.LogValue().String()} {
		for _, secret := range []string{"AKIDsecretid", "thekey", "thetoken"} {
			if strings.Contains(text, secret) {
				t.Errorf("%q reveals %q", text, secret)
			}
		}
	}
}

func TestConfigLogValueHidesSecrets(t *testing.T) {
	t.Parallel()
	cfg, err := Resolve(mustParse(t, `{"secret_id":"AKIDsecretid","secret_key":"thekey","sign_key":"signkey"}`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	text := cfg.LogValue().String()
	for _, secret := range []string{"AKIDsecretid", "thekey", "signkey"} {
		if strings.Contains(text, secret) {
			t.Errorf("%q reveals %q", text, secret)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "custom.json")
	if err := os.WriteFile(path, []byte(`{"region":"ap-chengdu"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	f, err := ReadFile(env(map[string]string{EnvConfigPath: path}))
	if err != nil {
		t.Fatal(err)
	}
	if f.Region == nil || *f.Region != "ap-chengdu" || f.Path != path {
		t.Errorf("ReadFile(%s) = %+v", path, f)
	}

	_, err = ReadFile(env(map[string]string{EnvConfigPath: filepath.Join(dir, "missing.json")}))
	if !errors.Is(err, outcome.ErrConfig) || !strings.Contains(err.Error(), "VODHOOK_CONFIG") {
		t.Errorf("missing VODHOOK_CONFIG file: error = %v, want ErrConfig naming VODHOOK_CONFIG", err)
	}

	t.Chdir(dir)
	f, err = ReadFile(env(nil))
	if err != nil || f.Path != "" {
		t.Errorf("no config.json in the working directory: got %+v, %v; want no file and no error", f, err)
	}

	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"definitions":[100030]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err = ReadFile(env(nil))
	if err != nil || !slices.Equal(f.Definitions, []uint64{100030}) {
		t.Errorf("config.json in the working directory: got %+v, %v", f, err)
	}
}

func TestSuggestKey(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"subappId":    "subappid",
		"Region":      "region",
		"defintions":  "definitions",
		"secretid":    "secret_id",
		"sign-key":    "sign_key",
		"endpoints":   "endpoint",
		"unrelated":   "",
		"SecretKeyId": "",
	}
	for key, want := range tests {
		if got := SuggestKey(key); got != want {
			t.Errorf("SuggestKey(%q) = %q, want %q", key, got, want)
		}
	}
}
