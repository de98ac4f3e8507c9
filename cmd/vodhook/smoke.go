package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vodhook/vodhook/internal/config"
	"github.com/vodhook/vodhook/internal/notification"
)

// smokeEvent is a notification the function acknowledges without calling
// VOD: it ignores FileDeleted.
const smokeEvent = `{"EventType":"FileDeleted","FileDeleteEvent":{"FileIdSet":["0"]}}`

// probe is one request of the smoke test and the response it expects.
type probe struct {
	name        string
	body        []byte
	wantStatus  int
	wantOutcome string
	hint        string // the most likely cause of a different response
}

func runSmoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("smoke", "-url URL [flags]", stderr)
	target := fs.String("url", "", "the function's callback URL (its Function URL)")
	timeout := fs.Duration("timeout", 15*time.Second, "timeout of each request")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fs.Usage()
		return fmt.Errorf("-url %q is not an http(s) URL", *target)
	}
	signKey := os.Getenv(config.EnvSignKey)
	if signKey == "" {
		fmt.Fprintln(stdout, "note: VOD_SIGN_KEY is not set, so only unsigned requests are sent and the function's signature check is not tested")
	}

	client := &http.Client{Timeout: *timeout}
	failed := 0
	for _, p := range smokeProbes(signKey, time.Now()) {
		status, outcome, err := send(ctx, client, *target, p.body)
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(stdout, "FAIL %s: %v\n", p.name, err)
		case status != p.wantStatus || outcome != p.wantOutcome:
			failed++
			fmt.Fprintf(stdout, "FAIL %s: answered %d %q, want %d %q; %s\n", p.name, status, outcome, p.wantStatus, p.wantOutcome, p.hint)
		default:
			fmt.Fprintf(stdout, "ok   %s: answered %d %q\n", p.name, status, outcome)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d smoke checks failed against %s", failed, *target)
	}
	return nil
}

// smokeProbes returns the requests to send. With a sign key, the test
// notification is signed, and an unsigned and a forged copy must be
// rejected.
func smokeProbes(signKey string, now time.Time) []probe {
	probes := []probe{{
		name: "empty request", wantStatus: 200, wantOutcome: "probe",
		hint: "the URL does not reach vodhook: check that it is the Function URL, that public access is on, and the function's log",
	}}
	if signKey == "" {
		return append(probes, probe{
			name: "unsigned test notification", body: []byte(smokeEvent), wantStatus: 200, wantOutcome: "handled",
			hint: "the function rejects unsigned callbacks, so it has a sign key: set VOD_SIGN_KEY here to the same key",
		})
	}

	expiry := strconv.FormatInt(now.Add(10*time.Minute).Unix(), 10)
	return append(probes,
		probe{
			name: "signed test notification", body: withSignature(notification.Sign(signKey, expiry), expiry),
			wantStatus: 200, wantOutcome: "handled",
			hint: "the function's VOD_SIGN_KEY differs from the one given here",
		},
		probe{
			name: "unsigned notification", body: []byte(smokeEvent), wantStatus: 401, wantOutcome: "unauthorized",
			hint: "the function accepts unsigned callbacks: set VOD_SIGN_KEY in its environment",
		},
		probe{
			name: "forged notification", body: withSignature(notification.Sign(signKey+"-forged", expiry), expiry),
			wantStatus: 401, wantOutcome: "unauthorized",
			hint: "the function accepted a wrong signature: check its VOD_SIGN_KEY",
		},
	)
}

func withSignature(sign, expiry string) []byte {
	var m map[string]any
	_ = json.Unmarshal([]byte(smokeEvent), &m)
	m["Sign"], m["T"] = sign, expiry
	data, _ := json.Marshal(m)
	return data
}

// send posts body and returns the status and the outcome of vodhook's JSON
// response.
func send(ctx context.Context, client *http.Client, target string, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()

	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var answer struct {
		Outcome string `json:"outcome"`
	}
	if err := json.Unmarshal(data, &answer); err != nil || answer.Outcome == "" {
		return resp.StatusCode, "", fmt.Errorf("answered %d with a body that is not vodhook's (%q); %w",
			resp.StatusCode, strings.TrimSpace(string(data[:min(len(data), 200)])), errNotVodhook)
	}
	return resp.StatusCode, answer.Outcome, nil
}

var errNotVodhook = errors.New("check that the URL is the function's Function URL")
