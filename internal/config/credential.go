package config

import (
	"fmt"
	"log/slog"

	"github.com/vodhook/vodhook/internal/outcome"
)

// ErrNoCredentials means neither the execution role's variables nor
// config.json provide a key pair.
var ErrNoCredentials = fmt.Errorf("%w: no VOD API credentials: give the function an execution role that may call VOD (SCF then sets %s, %s and %s), or set secret_id and secret_key in config.json",
	outcome.ErrConfig, EnvSecretID, EnvSecretKey, EnvSessionToken)

// Credential is a Tencent Cloud API key pair, with a session token for
// temporary keys.
type Credential struct {
	SecretID  string
	SecretKey string
	Token     string
	Source    string // "environment" or "config file"
}

// String names the credential's source without revealing any part of it.
func (c Credential) String() string {
	return "credential from " + c.Source
}

// LogValue keeps the key pair and token out of structured logs.
func (c Credential) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("source", c.Source),
		slog.Bool("temporary", c.Token != ""),
	)
}

// Credential returns the key pair for a VOD call. The environment
// (TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY, TENCENTCLOUD_SESSIONTOKEN)
// wins over secret_id and secret_key from config.json. Call it for every
// invocation: SCF may rotate the role's keys between invocations.
func (c Config) Credential(getenv func(string) string) (Credential, error) {
	id, key, token := getenv(EnvSecretID), getenv(EnvSecretKey), getenv(EnvSessionToken)
	switch {
	case id != "" && key != "":
		return Credential{SecretID: id, SecretKey: key, Token: token, Source: "environment"}, nil
	case id != "":
		return Credential{}, fmt.Errorf("%w: %s is set but %s is empty; set both, or neither to use config.json", outcome.ErrConfig, EnvSecretID, EnvSecretKey)
	case key != "":
		return Credential{}, fmt.Errorf("%w: %s is set but %s is empty; set both, or neither to use config.json", outcome.ErrConfig, EnvSecretKey, EnvSecretID)
	}

	switch {
	case c.fileSecretID != "" && c.fileSecretKey != "":
		return Credential{SecretID: c.fileSecretID, SecretKey: c.fileSecretKey, Source: "config file"}, nil
	case c.fileSecretID != "" || c.fileSecretKey != "":
		return Credential{}, fmt.Errorf("%w: config.json sets only one of secret_id and secret_key; set both", outcome.ErrConfig)
	}
	return Credential{}, ErrNoCredentials
}
