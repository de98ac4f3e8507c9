package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/vodhook/vodhook/internal/config"
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

Probe the function with an empty request, or run the deployment's smoke test:
  curl -s -X POST %[2]s/
  `+smokeLine(stack)+`

Read or set the emulator's callback configuration with its made-up keys:
  `+emulatorEnv(stack)+` build/vodhook callback show

See what the emulator received and delivered:
  curl -s %[1]s/emulator/calls
  curl -s %[1]s/emulator/deliveries

Press Ctrl-C to stop.`, stack.Emulator.URL, stack.GatewayURL, signedWord(stack), subAppID)
}

// smokeLine is the smoke test command for the stack's trigger. A generated
// sign key is shown: it is made up for this run and valid only here.
func smokeLine(stack *localstack.Stack) string {
	switch {
	case stack.SignKey == "":
		return "build/vodhook smoke -url " + stack.GatewayURL + "/"
	case stack.SignKey == os.Getenv(config.EnvSignKey):
		return "build/vodhook smoke -url " + stack.GatewayURL + "/   (with your VOD_SIGN_KEY exported)"
	default:
		return "VOD_SIGN_KEY=" + stack.SignKey + " build/vodhook smoke -url " + stack.GatewayURL + "/"
	}
}

// emulatorEnv is the environment that points the CLI at the stack's
// emulator, with the temporary keys made up for this run.
func emulatorEnv(stack *localstack.Stack) string {
	return fmt.Sprintf("VOD_ENDPOINT=%s TENCENTCLOUD_SECRETID=%s TENCENTCLOUD_SECRETKEY=%s TENCENTCLOUD_SESSIONTOKEN=%s",
		stack.Emulator.URL, stack.Credential.SecretId, stack.Credential.SecretKey, stack.Credential.Token)
}
