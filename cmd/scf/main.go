// Command scf is vodhook's SCF function, built as the binary "main" that the
// Go1 runtime starts. It reads the configuration file once, sets up the
// JSON logger on stdout and serves invocations over scf-go-lib's RPC
// protocol.
package main

import (
	"log/slog"
	"net/http"
	"os"

	"github.com/tencentyun/scf-go-lib/cloudfunction"

	"github.com/vodhook/vodhook/internal/config"
	"github.com/vodhook/vodhook/internal/function"
	"github.com/vodhook/vodhook/internal/logging"
	"github.com/vodhook/vodhook/internal/vodclient"
)

func main() {
	logger := logging.New(os.Stdout, slog.LevelInfo)
	file, fileErr := config.ReadFile(os.Getenv)
	logColdStart(logger, file, fileErr)

	fn := function.New(function.Options{
		File:      file,
		FileError: fileErr,
		Getenv:    os.Getenv,
		Logger:    logger,
		VOD:       vodclient.Options{Transport: http.DefaultTransport.(*http.Transport).Clone()},
	})

	// StartHandler rather than Start: Start unmarshals the payload itself and
	// turns one that is not JSON into a function error, which the HTTP
	// trigger turns into a bare 502 instead of vodhook's 400 response.
	cloudfunction.StartHandler(fn)
}

// logColdStart logs the configuration once per instance, without secrets,
// and every problem that will fail invocations.
func logColdStart(logger *slog.Logger, file config.File, fileErr error) {
	if fileErr != nil {
		logger.Error("configuration file unusable; every invocation responds 500 until it is fixed", "error", fileErr.Error())
		return
	}
	for _, key := range file.UnknownKeys {
		logger.Warn("config.json key ignored: vodhook does not read it; check its spelling", "key", key, "did_you_mean", config.SuggestKey(key), "file", file.Path)
	}

	cfg, err := config.Resolve(file, os.Getenv)
	if err != nil {
		logger.Error("configuration invalid; invocations respond 500 until it is fixed", "error", err.Error())
		return
	}
	logger.Info("vodhook started", "config", cfg, "config_file", file.Path)
}
