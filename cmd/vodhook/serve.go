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
	opts, cfg, err := flags.parse(fs, args)
	if err != nil {
		return err
	}
	opts.EmulatorAddr, opts.GatewayAddr = *emulatorAddr, *gatewayAddr
	out := &printer{w: stdout}
	opts.FunctionOutput = out.prefixed("function | ")

	stack, err := localstack.Start(ctx, opts)
	if err != nil {
		return fmt.Errorf("%w; choose other ports with -emulator-addr and -gateway-addr", err)
	}
	defer stack.Close()

	out.printf("%s", serveHelp(stack, cfg.SubAppID))

	<-ctx.Done()
	out.printf("stopping")
	return nil
}

func serveHelp(stack *localstack.Stack, subAppID uint64) string {
	post := `Post a notification yourself. The callbacks are signed, so an unsigned body
is rejected with 401; start build/vodhook serve -unsigned to post raw bodies:
  curl -s -X POST %[2]s/ -H 'Content-Type: application/json' -d @internal/notification/testdata/events/ProcedureStateChanged.json`
	if stack.SignKey == "" {
		post = `Post a notification yourself (callbacks are unsigned, so any body is taken):
  curl -s -X POST %[2]s/ -H 'Content-Type: application/json' -d @internal/notification/testdata/events/ProcedureStateChanged.json
A NewFileUpload body needs a FileId the emulator knows: register one first with
  curl -s -X POST %[1]s/emulator/upload -d '{"FileId":"5285890799999990001"}'`
	}

	return fmt.Sprintf(`vodhook is serving:
  VOD emulator      %[1]s
  function trigger  %[2]s  (the built function, invoked as SCF does)
  callbacks         %[3]s

Register a made-up file; the emulator sends NewFileUpload, the function starts
transcoding, and ProcedureStateChanged arrives with the outputs:
  curl -s -X POST %[1]s/emulator/upload -d '{"Name":"my-video.mp4","SubAppId":%[4]d}'

`+post+`

Probe the function with an empty request:
  curl -s -X POST %[2]s/

See what the emulator received and delivered:
  curl -s %[1]s/emulator/calls
  curl -s %[1]s/emulator/deliveries

Press Ctrl-C to stop.`, stack.Emulator.URL, stack.GatewayURL, signedWord(stack.SignKey), subAppID)
}
