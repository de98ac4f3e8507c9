package main

import (
	"context"
	"fmt"
	"io"

	"github.com/vodhook/vodhook/internal/localstack"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "[flags]", stderr)
	var flags stackFlags
	flags.register(fs)
	emulatorAddr := fs.String("emulator-addr", "127.0.0.1:9000", "listen address of the VOD emulator")
	gatewayAddr := fs.String("gateway-addr", "127.0.0.1:9001", "listen address of the local HTTP trigger")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	opts, cfg, err := flags.resolve()
	if err != nil {
		return err
	}
	opts.EmulatorAddr, opts.GatewayAddr = *emulatorAddr, *gatewayAddr
	out := &printer{w: stdout}
	opts.FunctionOutput = out.prefixed("function | ")

	stack, err := localstack.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer stack.Close()

	out.printf("%s", serveHelp(stack, cfg.SubAppID))

	<-ctx.Done()
	out.printf("stopping")
	return nil
}

func serveHelp(stack *localstack.Stack, subAppID uint64) string {
	return fmt.Sprintf(`vodhook is serving:
  VOD emulator      %[1]s
  function trigger  %[2]s  (the built function, invoked as SCF does)
  callbacks         %[3]s

Upload a file; the emulator sends NewFileUpload, the function starts
transcoding, and ProcedureStateChanged arrives with the outputs:
  curl -s -X POST %[1]s/emulator/upload -d '{"Name":"my-video.mp4","SubAppId":%[4]d}'

Post a notification to the function yourself (unsigned, so it is rejected with 401
while callbacks are signed; run serve -unsigned to try raw bodies):
  curl -s -X POST %[2]s/ -H 'Content-Type: application/json' -d @internal/notification/testdata/events/NewFileUpload.json

Probe the function with an empty request:
  curl -s -X POST %[2]s/

See what the emulator received and delivered:
  curl -s %[1]s/emulator/calls
  curl -s %[1]s/emulator/deliveries

Press Ctrl-C to stop.`, stack.Emulator.URL, stack.GatewayURL, signedWord(stack.SignKey), subAppID)
}
