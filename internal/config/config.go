// Package config loads vodhook's settings from config.json and the
// environment, applies defaults and validates them.
//
// The file is read once, at cold start. Environment overrides and
// credentials are resolved on every invocation, because SCF applies each
// invocation's environment with os.Setenv and may rotate the execution
// role's temporary keys between invocations.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/vodhook/vodhook/internal/outcome"
)

// Defaults for settings that neither the file nor the environment sets.
const (
	DefaultRegion   = "ap-guangzhou"
	DefaultEndpoint = "vod.tencentcloudapi.com"
	DefaultFileName = "config.json"
)

// DefaultDefinitions are the transcoding templates used when none are
// configured: the MP4 (H.264) presets at 360p and 540p.
var DefaultDefinitions = []uint64{100010, 100020}

// Environment variable names. The TENCENTCLOUD_* names are the ones SCF uses
// for the execution role's temporary keys.
const (
	EnvConfigPath             = "VODHOOK_CONFIG"
	EnvRegion                 = "VOD_REGION"
	EnvSubAppID               = "VOD_SUBAPPID"
	EnvDefinitions            = "VOD_DEFINITIONS"
	EnvEndpoint               = "VOD_ENDPOINT"
	EnvSignKey                = "VOD_SIGN_KEY"
	EnvTranscodeWithProcedure = "VOD_TRANSCODE_WITH_PROCEDURE"
	EnvSecretID               = "TENCENTCLOUD_SECRETID"
	EnvSecretKey              = "TENCENTCLOUD_SECRETKEY"
	EnvSessionToken           = "TENCENTCLOUD_SESSIONTOKEN"
)

// Config is the validated configuration for one invocation.
type Config struct {
	Region      string
	SubAppID    uint64 // 0 means no sub-application
	Definitions []uint64
	Endpoint    Endpoint
	SignKey     string

	// TranscodeWithProcedure starts transcoding even when NewFileUpload
	// reports that a task flow already started at upload time.
	TranscodeWithProcedure bool

	fileSecretID  string
	fileSecretKey string
}

// Endpoint is the VOD API address in the form the SDK takes.
type Endpoint struct {
	Host   string // host or host:port, no scheme
	Scheme string // "HTTPS" or "HTTP"
}

// String returns the endpoint as a URL-like string for logs.
func (e Endpoint) String() string {
	return strings.ToLower(e.Scheme) + "://" + e.Host
}

// LogValue summarises the configuration for logs. It names where the
// credentials would come from but never includes a secret or the sign key.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("region", c.Region),
		slog.Uint64("subappid", c.SubAppID),
		slog.Any("definitions", c.Definitions),
		slog.String("endpoint", c.Endpoint.String()),
		slog.Bool("sign_key_set", c.SignKey != ""),
		slog.Bool("transcode_with_procedure", c.TranscodeWithProcedure),
	)
}

// Load reads the configuration file (VODHOOK_CONFIG, or config.json in the
// working directory when it exists) and resolves it against the environment.
// It returns the parsed file too, so a caller can resolve it again later
// without reading the file.
func Load(getenv func(string) string) (File, Config, error) {
	file, err := ReadFile(getenv)
	if err != nil {
		return File{}, Config{}, err
	}

	cfg, err := Resolve(file, getenv)
	return file, cfg, err
}

// ReadFile reads and parses the configuration file. A missing config.json in
// the working directory is not an error, but a missing file named by
// VODHOOK_CONFIG is.
func ReadFile(getenv func(string) string) (File, error) {
	path := getenv(EnvConfigPath)
	explicit := path != ""
	if !explicit {
		path = DefaultFileName
	}

	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return File{}, nil
	}
	if err != nil {
		return File{}, fmt.Errorf("%w: read %s (set by %s): %v", outcome.ErrConfig, path, EnvConfigPath, err)
	}

	file, err := ParseFile(data)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", path, err)
	}
	file.Path = path
	return file, nil
}

// Resolve applies environment overrides and defaults to file and validates
// the result. The error joins every problem found, each naming the setting
// and the fix.
func Resolve(file File, getenv func(string) string) (Config, error) {
	cfg := Config{
		Region:        DefaultRegion,
		Definitions:   slices.Clone(DefaultDefinitions),
		fileSecretID:  file.SecretID,
		fileSecretKey: file.SecretKey,
	}
	var problems []error
	endpoint := DefaultEndpoint

	if file.Region != nil {
		cfg.Region = *file.Region
	}
	if file.SubAppID != nil {
		cfg.SubAppID = *file.SubAppID
	}
	if file.Definitions != nil {
		cfg.Definitions = file.Definitions
	}
	if file.Endpoint != nil {
		endpoint = *file.Endpoint
	}
	if file.SignKey != nil {
		cfg.SignKey = *file.SignKey
	}
	if file.TranscodeWithProcedure != nil {
		cfg.TranscodeWithProcedure = *file.TranscodeWithProcedure
	}

	if v := getenv(EnvRegion); v != "" {
		cfg.Region = v
	}
	if v := getenv(EnvSubAppID); v != "" {
		id, err := parseSubAppID(EnvSubAppID, v)
		problems = append(problems, err)
		cfg.SubAppID = id
	}
	if v := getenv(EnvDefinitions); v != "" {
		defs, err := parseDefinitionList(v)
		problems = append(problems, err)
		if err == nil {
			cfg.Definitions = defs
		}
	}
	if v := getenv(EnvEndpoint); v != "" {
		endpoint = v
	}
	if v := getenv(EnvSignKey); v != "" {
		cfg.SignKey = v
	}
	if v := getenv(EnvTranscodeWithProcedure); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			problems = append(problems, fmt.Errorf("%w: %s=%q is not a boolean; set it to true or false", outcome.ErrConfig, EnvTranscodeWithProcedure, v))
		}
		cfg.TranscodeWithProcedure = on
	}

	ep, err := ParseEndpoint(endpoint)
	problems = append(problems, err)
	cfg.Endpoint = ep
	problems = append(problems, validateRegion(cfg.Region), validateDefinitions(cfg.Definitions))
	if cfg.SignKey != "" {
		problems = append(problems, ValidateSignKey(cfg.SignKey))
	}

	if err := errors.Join(problems...); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

var regionPattern = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

// IsRegion reports whether s has the form of a Tencent Cloud region id,
// such as ap-guangzhou or na-siliconvalley.
func IsRegion(s string) bool {
	return regionPattern.MatchString(s)
}

// MaxSignKeyLength is the longest callback sign key VOD accepts.
const MaxSignKeyLength = 32

// ValidateSignKey checks a callback sign key against VOD's rule: 1 to 32
// ASCII letters and digits. The error does not contain the key.
func ValidateSignKey(key string) error {
	valid := len(key) >= 1 && len(key) <= MaxSignKeyLength
	for _, r := range key {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			valid = false
		}
	}
	if valid {
		return nil
	}
	return fmt.Errorf("%w: the sign key (%s or \"sign_key\" in config.json) has %d characters; VOD accepts 1 to %d letters and digits, so no callback would match it",
		outcome.ErrConfig, EnvSignKey, len(key), MaxSignKeyLength)
}

func validateRegion(region string) error {
	if IsRegion(region) {
		return nil
	}
	return fmt.Errorf("%w: region %q is not a Tencent Cloud region id; use a value such as %q (%s or \"region\" in config.json)",
		outcome.ErrConfig, region, DefaultRegion, EnvRegion)
}

func validateDefinitions(defs []uint64) error {
	if len(defs) == 0 {
		return fmt.Errorf("%w: definitions is empty; list at least one transcoding template id, such as [100010, 100020], or remove the key to use the default",
			outcome.ErrConfig)
	}

	seen := make(map[uint64]bool, len(defs))
	for _, d := range defs {
		if d == 0 {
			return fmt.Errorf("%w: definitions contains 0; template ids are positive integers such as 100010", outcome.ErrConfig)
		}
		if seen[d] {
			return fmt.Errorf("%w: definitions lists template %d twice; list each template once, or it is transcoded twice", outcome.ErrConfig, d)
		}
		seen[d] = true
	}
	return nil
}

// ParseEndpoint parses the endpoint setting: a bare host[:port] means HTTPS,
// and "http://host:port" or "https://host" set the scheme explicitly.
func ParseEndpoint(s string) (Endpoint, error) {
	fix := fmt.Sprintf("use a host such as %q, or http://127.0.0.1:9000 for a local emulator (%s or \"endpoint\" in config.json)", DefaultEndpoint, EnvEndpoint)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}

	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return Endpoint{}, fmt.Errorf("%w: endpoint %q is not a valid host or URL; %s", outcome.ErrConfig, s, fix)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil || u.Fragment != "" {
		return Endpoint{}, fmt.Errorf("%w: endpoint %q has a path, query or user part; give only scheme://host[:port]; %s", outcome.ErrConfig, s, fix)
	}

	switch strings.ToLower(u.Scheme) {
	case "https":
		return Endpoint{Host: u.Host, Scheme: "HTTPS"}, nil
	case "http":
		return Endpoint{Host: u.Host, Scheme: "HTTP"}, nil
	default:
		return Endpoint{}, fmt.Errorf("%w: endpoint %q has scheme %q; only http and https are supported; %s", outcome.ErrConfig, s, u.Scheme, fix)
	}
}
