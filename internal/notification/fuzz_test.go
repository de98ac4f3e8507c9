package notification

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vodhook/vodhook/internal/outcome"
)

// addFixtureSeeds adds every JSON file under testdata as a seed.
func addFixtureSeeds(f *testing.F) {
	f.Helper()
	paths, _ := filepath.Glob("testdata/*/*.json")
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
}

func FuzzDecode(f *testing.F) {
	addFixtureSeeds(f)
	for _, seed := range []string{``, `null`, `[]`, "\ufeff{}", `{"EventType":1}`, `{"eventType":"x","data":{}}`, `{"EventType":"NewFileUpload","Sign":1}`} {
		f.Add([]byte(seed))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := Decode(body)
		if err != nil {
			if !errors.Is(err, outcome.ErrMalformed) {
				t.Fatalf("error %v does not wrap outcome.ErrMalformed", err)
			}
			if n != nil {
				t.Fatal("notification returned with an error")
			}
			return
		}
		if n.EventType() == "" {
			t.Fatal("decoded without an EventType")
		}

		again, err := json.Marshal(n.Event)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		n2, err := Decode(again)
		if err != nil || n2.EventType() != n.EventType() {
			t.Fatalf("re-decoding %s: %v", again, err)
		}
	})
}

func FuzzVerify(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(Sign("k", "1800000600"), "1800000600", "k")
	f.Add("", "", "k")
	f.Add(strings.Repeat("A", 32), "1", "")
	f.Add(Sign("k", "0001800000600"), "0001800000600", "k")

	f.Fuzz(func(t *testing.T, sign, expiry, key string) {
		err := Verify(Signature{Sign: sign, T: expiry}, key, now)
		if err != nil {
			if !errors.Is(err, outcome.ErrUnauthorized) {
				t.Fatalf("error %v does not wrap outcome.ErrUnauthorized", err)
			}
			if key != "" && len(key) > 3 && strings.Contains(err.Error(), key) {
				t.Fatalf("error %q contains the key", err)
			}
			return
		}
		if !strings.EqualFold(sign, Sign(key, expiry)) {
			t.Fatalf("accepted sign %q for T %q, want %q", sign, expiry, Sign(key, expiry))
		}
		secs, perr := strconv.ParseInt(expiry, 10, 64)
		if perr != nil {
			t.Fatalf("accepted T %q, which is not a Unix time", expiry)
		}
		if now.After(time.Unix(secs, 0).Add(ClockSkew)) {
			t.Fatalf("accepted an expired T %q", expiry)
		}
	})
}
