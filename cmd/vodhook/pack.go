package main

import (
	"context"
	"fmt"
	"io"

	"github.com/vodhook/vodhook/internal/scfzip"
)

func runPackage(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("package", "[flags]", stderr)
	binary := fs.String("binary", "build/main", "the linux/amd64 function binary")
	output := fs.String("o", "build/vodhook-scf.zip", "zip to write")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	if err := scfzip.Write(*output, *binary); err != nil {
		return err
	}
	if err := scfzip.Check(*output); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (main at the root, mode 0755)\n", *output)
	return nil
}
