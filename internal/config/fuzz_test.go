package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/vodhook/vodhook/internal/outcome"
)

func FuzzParseFile(f *testing.F) {
	for _, seed := range []string{
		`{"secret_id":"AKIDx","secret_key":"k","region":"ap-guangzhou","subappid":"1500000001","definitions":[100010,100020]}`,
		`{"subappid":-1}`, `{"definitions":["1","x"]}`, `{"endpoint":"http://127.0.0.1:9000"}`, `null`, `[]`, "\ufeff{}",
		`{"transcode_with_procedure":true,"sign_key":"k"}`, `{"subappid":1e30}`,
	} {
		f.Add([]byte(seed), "")
	}
	f.Add([]byte(`{}`), "100010, 100020")

	f.Fuzz(func(t *testing.T, data []byte, definitions string) {
		file, err := ParseFile(data)
		if err != nil {
			if !errors.Is(err, outcome.ErrConfig) {
				t.Fatalf("error %v does not wrap outcome.ErrConfig", err)
			}
			return
		}

		cfg, err := Resolve(file, env(map[string]string{EnvDefinitions: definitions}))
		if err != nil {
			if !errors.Is(err, outcome.ErrConfig) {
				t.Fatalf("error %v does not wrap outcome.ErrConfig", err)
			}
			if file.SecretKey != "" && len(file.SecretKey) > 3 && strings.Contains(err.Error(), file.SecretKey) {
				t.Fatalf("error %q contains secret_key", err)
			}
			return
		}
		if len(cfg.Definitions) == 0 || cfg.Endpoint.Host == "" || cfg.Region == "" {
			t.Fatalf("valid config without definitions, endpoint or region: %+v", cfg)
		}
		for _, d := range cfg.Definitions {
			if d == 0 {
				t.Fatalf("template 0 accepted: %v", cfg.Definitions)
			}
		}
	})
}
