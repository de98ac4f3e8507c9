// Command vodhook is the local companion of the vodhook SCF function: it
// runs the whole loop on an embedded VOD emulator (demo, serve), runs the
// emulator alone, uploads to it, and invokes a built function binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"demo", "run the whole loop once on the embedded emulator and exit 0 when every output is reported", runDemo},
	{"serve", "run the emulator, the function and a local HTTP gateway until interrupted", runServe},
	{"emulator", "run the VOD emulator alone", runEmulator},
	{"upload", "upload a file to a running emulator, which then sends NewFileUpload", runUpload},
	{"invoke", "invoke a built function binary once with an event file, as SCF does", runInvoke},
	{"package", "zip the built function binary as SCF's Go1 runtime expects", runPackage},
	{"smoke", "check a deployed function's callback URL with test notifications (signed with VOD_SIGN_KEY)", runSmoke},
	{"preflight", "check serverless.yml and the built package before deploying", runPreflight},
	{"callback", "show or set VOD's event notification configuration (DescribeEventConfig, ModifyEventConfig)", runCallback},
}

// errUsage marks a command-line mistake; the usage is printed already.
var errUsage = errors.New("usage error")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}

	for _, cmd := range commands {
		if cmd.name != args[0] {
			continue
		}
		err := cmd.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "vodhook %s: %v\n", cmd.name, err)
			return 1
		}
	}

	fmt.Fprintf(stderr, "vodhook: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: vodhook <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'vodhook <command> -h' for the flags of a command.")
}

// newFlagSet returns a flag set that prints its errors and usage to stderr.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("vodhook "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: vodhook %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, mapping a flag error to errUsage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}
