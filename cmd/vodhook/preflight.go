package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/vodhook/vodhook/internal/preflight"
)

func runPreflight(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("preflight", "[flags]", stderr)
	serverless := fs.String("serverless", "serverless.yml", "the Serverless Cloud Framework configuration to check")
	zip := fs.String("zip", "build/vodhook-scf.zip", "the code package to check; empty skips it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	report := preflight.Run(preflight.Options{Serverless: *serverless, Zip: *zip, Getenv: os.Getenv})
	report.Print(stdout)
	if err := report.Err(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "preflight passed")
	return nil
}
