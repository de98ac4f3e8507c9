package trigger

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vodhook/vodhook/internal/outcome"
)

func FuzzParseEvent(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.json")
	if len(paths) == 0 {
		f.Fatal("no seed fixtures under testdata")
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range []string{``, `{}`, `{"httpMethod":1}`, `{"isBase64Encoded":true,"body":"%%%"}`, `{"requestContext":{},"headers":{"A":["x",1]}}`} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, payload []byte) {
		req, err := ParseEvent(payload)
		if err != nil {
			if !errors.Is(err, outcome.ErrMalformed) {
				t.Fatalf("error %v does not wrap outcome.ErrMalformed", err)
			}
			return
		}
		switch req.Envelope {
		case APIGateway, FunctionURL, Bare, Timer:
		default:
			t.Fatalf("unknown envelope %q", req.Envelope)
		}
		for name := range req.Headers {
			if name != strings.ToLower(name) {
				t.Fatalf("header %q is not lower case", name)
			}
		}
	})
}
