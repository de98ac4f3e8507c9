package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/vodhook/vodhook/internal/emulator"
)

func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("emulator", "[flags]", stderr)
	addr := fs.String("addr", "127.0.0.1:9000", "listen address")
	secretID := fs.String("secret-id", "", "SecretId the API accepts; default generated (env VODHOOK_EMULATOR_SECRET_ID)")
	secretKey := fs.String("secret-key", "", "SecretKey the API accepts; default generated (env VODHOOK_EMULATOR_SECRET_KEY)")
	token := fs.String("token", "", "session token the API requires, as for temporary keys; default none")
	callbackURL := fs.String("callback-url", "", "where PUSH callbacks go, such as your own receiver at http://127.0.0.1:8080/; without it the emulator serves the API only")
	signKey := fs.String("sign-key", "", "sign callbacks with this key (adds Sign and T)")
	taskDelay := fs.Duration("task-delay", 500*time.Millisecond, "time from ProcessMedia to the ProcedureStateChanged event")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	cred := emulator.Credential{SecretId: firstNonEmpty(*secretID, os.Getenv("VODHOOK_EMULATOR_SECRET_ID")), SecretKey: firstNonEmpty(*secretKey, os.Getenv("VODHOOK_EMULATOR_SECRET_KEY")), Token: *token}
	if cred.SecretId == "" {
		cred.SecretId = "AKIDlocal" + generatedHex(12)
	}
	if cred.SecretKey == "" {
		cred.SecretKey = generatedHex(16)
	}

	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	server, err := emulator.Start(*addr, emulator.Options{
		Credentials: []emulator.Credential{cred},
		CallbackURL: *callbackURL,
		SignKey:     *signKey,
		TaskDelay:   *taskDelay,
		Logger:      logger,
	})
	if err != nil {
		return err
	}
	defer server.Close()

	fmt.Fprintf(stdout, `VOD emulator listening on %s
Point the function or the SDK at it (these keys are made up and valid only here):
  export VOD_ENDPOINT=%s
  export TENCENTCLOUD_SECRETID=%s
  export TENCENTCLOUD_SECRETKEY=%s
`, server.URL, server.URL, cred.SecretId, cred.SecretKey)
	if cred.Token != "" {
		fmt.Fprintf(stdout, "  export TENCENTCLOUD_SESSIONTOKEN=%s\n", cred.Token)
	}
	if *callbackURL == "" {
		fmt.Fprintln(stdout, "No -callback-url: callbacks are not delivered until one is set with ModifyEventConfig (vodhook callback set).")
	}
	fmt.Fprintf(stdout, "Register a made-up file: build/vodhook upload -emulator %s -name my-video.mp4\n", server.URL)

	<-ctx.Done()
	return nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func generatedHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
