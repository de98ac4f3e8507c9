package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/vodhook/vodhook/internal/config"
	"github.com/vodhook/vodhook/internal/emulator"
	"github.com/vodhook/vodhook/internal/localstack"
	"github.com/vodhook/vodhook/internal/trigger"
)

// stackFlags are the flags demo and serve share.
type stackFlags struct {
	binary   string
	config   string
	envelope string
	unsigned bool

	configGiven bool     // -config was on the command line
	warnings    []string // about the configuration file, for the user
}

func (f *stackFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.binary, "binary", "build/local/main", "the function built for this machine (make build writes it)")
	fs.StringVar(&f.config, "config", "config.json", "configuration file given to the function; the default is skipped when it does not exist")
	fs.StringVar(&f.envelope, "trigger", "function_url", "trigger event shape: function_url or apigw")
	fs.BoolVar(&f.unsigned, "unsigned", false, "deliver callbacks without Sign and T, and run the function without a sign key")
}

// parse parses args, which must include the flags register added, and
// returns the stack options and the configuration the function will see.
func (f *stackFlags) parse(fs *flag.FlagSet, args []string) (localstack.Options, config.Config, error) {
	if err := parseFlags(fs, args); err != nil {
		return localstack.Options{}, config.Config{}, err
	}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "config" {
			f.configGiven = true
		}
	})
	return f.resolve()
}

// resolve checks the flags and returns the stack options and the
// configuration the function will see.
func (f *stackFlags) resolve() (localstack.Options, config.Config, error) {
	if _, err := os.Stat(f.binary); err != nil {
		return localstack.Options{}, config.Config{}, fmt.Errorf("function binary %s not found: run make build first, or pass -binary", f.binary)
	}
	envelope := trigger.Envelope(f.envelope)
	if envelope != trigger.FunctionURL && envelope != trigger.APIGateway {
		return localstack.Options{}, config.Config{}, fmt.Errorf("-trigger %q: use function_url or apigw", f.envelope)
	}

	opts := localstack.Options{Binary: f.binary, Envelope: envelope, Unsigned: f.unsigned}
	if !f.unsigned {
		opts.SignKey = os.Getenv(config.EnvSignKey)
	}
	getenv := os.Getenv
	_, err := os.Stat(f.config)
	if err != nil && f.configGiven {
		return localstack.Options{}, config.Config{}, fmt.Errorf("-config %s: %w", f.config, err)
	}
	if err == nil {
		path, err := filepath.Abs(f.config)
		if err != nil {
			return localstack.Options{}, config.Config{}, err
		}
		opts.ConfigPath = path
		getenv = func(name string) string {
			if name == config.EnvConfigPath {
				return path
			}
			return os.Getenv(name)
		}
	}

	file, cfg, err := config.Load(getenv)
	if err != nil {
		return localstack.Options{}, config.Config{}, err
	}
	for _, key := range file.UnknownKeys {
		warning := fmt.Sprintf("warning: %s: key %q is ignored; vodhook does not read it", file.Path, key)
		if known := config.SuggestKey(key); known != "" {
			warning += fmt.Sprintf("; did you mean %q?", known)
		}
		f.warnings = append(f.warnings, warning)
	}
	return opts, cfg, nil
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "[flags]", stderr)
	var flags stackFlags
	flags.register(fs)
	timeout := fs.Duration("timeout", 60*time.Second, "give up when the outputs are not reported within this time")
	name := fs.String("name", "sample.mp4", "name of the made-up file to register in the emulator")
	opts, cfg, err := flags.parse(fs, args)
	if err != nil {
		return err
	}
	out := &printer{w: stdout}
	opts.FunctionOutput = out.prefixed("  function | ")

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	stack, err := localstack.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer stack.Close()

	say := out.printf
	for _, warning := range flags.warnings {
		say("%s", warning)
	}
	say("VOD emulator:   %s", stack.Emulator.URL)
	say("function:       %s, behind a local %s trigger at %s", opts.Binary, opts.Envelope, stack.GatewayURL)
	say("callbacks:      %s", signedWord(stack))
	say("templates:      %v (sub-application %d)", cfg.Definitions, cfg.SubAppID)
	say("uploading %s ...", *name)

	report, err := stack.UploadAndWait(ctx, emulator.UploadRequest{Name: *name, SubAppId: cfg.SubAppID})
	if err != nil {
		return err
	}
	return printReport(say, report, cfg.Definitions)
}

// signedWord describes how the stack's callbacks are signed, without
// printing a key the user brought.
func signedWord(stack *localstack.Stack) string {
	switch {
	case stack.SignKey == "":
		return "unsigned"
	case stack.SignKey == os.Getenv(config.EnvSignKey):
		return "signed with the key in VOD_SIGN_KEY (Sign and T)"
	default:
		return "signed with a generated sign key (Sign and T)"
	}
}

// printReport prints the outputs and fails unless every template produced
// one.
func printReport(say func(string, ...any), report localstack.Report, definitions []uint64) error {
	say("")
	say("transcoding outputs of file %s:", report.FileID)
	for _, out := range report.Outputs {
		say("  %-8s %4.0fx%-4.0f %s", out.String("definition"), out.Number("width"), out.Number("height"), out.String("url"))
	}
	for _, failed := range report.Failures {
		say("  %-8s FAILED %s: %s", failed.String("definition"), failed.String("error_code"), failed.String("message"))
	}

	want := slices.Sorted(slices.Values(definitions))
	if got := report.Definitions(); !slices.Equal(got, want) {
		return fmt.Errorf("templates %v were requested, but outputs were reported for %v", want, got)
	}
	say("")
	say("demo passed: %d of %d outputs reported", len(report.Outputs), len(want))
	return nil
}

// printer serializes the lines of the command and of the function, which
// arrive from other goroutines.
type printer struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *printer) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// prefixed returns a function that prints each line after prefix.
func (p *printer) prefixed(prefix string) func(line string) {
	return func(line string) {
		p.printf("%s%s", prefix, line)
	}
}
