package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/vodhook/vodhook/internal/config"
	"github.com/vodhook/vodhook/internal/vodclient"
)

// Event switch values.
const (
	switchOn  = "ON"
	switchOff = "OFF"
)

// errNeedsForce means the change could break a working setup and -force
// was not given.
var errNeedsForce = errors.New("not changed without -force: a different callback URL is configured, or the change stops HTTP callbacks")

func runCallback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := "Usage: vodhook callback show|set [flags]; run vodhook callback set -h for the flags of set"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stderr, usage)
		return nil
	case "show":
		return runCallbackShow(ctx, args[1:], stdout, stderr)
	case "set":
		return runCallbackSet(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "vodhook callback: unknown subcommand %q; use show or set\n", args[0])
		return errUsage
	}
}

// vodClient builds a VOD client with the function's configuration and
// credential rules: config.json (or VODHOOK_CONFIG), VOD_* variables, and
// TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY, TENCENTCLOUD_SESSIONTOKEN.
func vodClient() (*vodclient.Client, config.Config, error) {
	_, cfg, err := config.Load(os.Getenv)
	if err != nil {
		return nil, config.Config{}, err
	}
	if err := checkInstallerSubAppID(cfg); err != nil {
		return nil, config.Config{}, err
	}
	cred, err := cfg.Credential(os.Getenv)
	if errors.Is(err, config.ErrNoCredentials) {
		return nil, config.Config{}, errNoCLICredentials()
	}
	if err != nil {
		return nil, config.Config{}, err
	}
	client, err := vodclient.New(cfg, cred, vodclient.Options{})
	return client, cfg, err
}

// checkInstallerSubAppID stops a command that would act on the wrong
// sub-application: deploy/install.sh takes SUBAPPID, Tencent's installer
// name, but vodhook reads VOD_SUBAPPID.
func checkInstallerSubAppID(cfg config.Config) error {
	installer := os.Getenv("SUBAPPID")
	if installer == "" || installer == strconv.FormatUint(cfg.SubAppID, 10) {
		return nil
	}
	return fmt.Errorf("SUBAPPID=%s is set, but vodhook reads VOD_SUBAPPID, which gives sub-application %d; export VOD_SUBAPPID=%s to act on sub-application %s",
		installer, cfg.SubAppID, installer, installer)
}

// errNoCLICredentials explains where the CLI takes its key from, which is
// not where the deployed function takes it from.
func errNoCLICredentials() error {
	hint := ""
	switch {
	case os.Getenv("TENCENT_SECRET_ID") != "":
		hint = " (you have TENCENT_SECRET_ID set: export TENCENTCLOUD_SECRETID=$TENCENT_SECRET_ID TENCENTCLOUD_SECRETKEY=$TENCENT_SECRET_KEY)"
	case os.Getenv("SECRET_ID") != "":
		hint = " (you have SECRET_ID set: export TENCENTCLOUD_SECRETID=$SECRET_ID TENCENTCLOUD_SECRETKEY=$SECRET_KEY)"
	}
	return fmt.Errorf("no API key: export TENCENTCLOUD_SECRETID and TENCENTCLOUD_SECRETKEY with your own key, which needs vod:DescribeEventConfig and vod:ModifyEventConfig%s", hint)
}

func runCallbackShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("callback show", "[flags]", stderr)
	asJSON := fs.Bool("json", false, "print the configuration as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	client, cfg, err := vodClient()
	if err != nil {
		return err
	}
	current, requestID, err := client.DescribeEventConfig(ctx)
	if err != nil {
		return err
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(current)
	}
	fmt.Fprintf(stdout, "Event configuration of sub-application %d (DescribeEventConfig, RequestId %s):\n", cfg.SubAppID, requestID)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, row := range configRows(current) {
		fmt.Fprintf(tw, "  %s\t%s\n", row[0], show(row[1]))
	}
	return tw.Flush()
}

// configRows lists the fields of cfg under their API names.
func configRows(cfg vodclient.EventConfig) [][2]string {
	return [][2]string{
		{"Mode", cfg.Mode},
		{"NotificationUrl", cfg.NotificationURL},
		{"UploadMediaCompleteEventSwitch", cfg.UploadMediaComplete},
		{"DeleteMediaCompleteEventSwitch", cfg.DeleteMediaComplete},
		{"PersistenceCompleteEventSwitch", cfg.PersistenceComplete},
	}
}

func show(value string) string {
	if value == "" {
		return "(empty)"
	}
	return value
}

type callbackSetFlags struct {
	url     string
	signKey string
	mode    string
	force   bool
	dryRun  bool
}

func runCallbackSet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("callback set", "-url URL [flags]", stderr)
	var flags callbackSetFlags
	fs.StringVar(&flags.url, "url", "", "callback URL VOD sends notifications to: the function's Function URL (required in PUSH mode)")
	fs.StringVar(&flags.signKey, "sign-key", "", "callback sign key, up to 32 letters and digits; default: keep VOD's current key (env VOD_SIGN_KEY)")
	fs.StringVar(&flags.mode, "mode", "PUSH", "PUSH (HTTP callbacks) or PULL (reliable callbacks)")
	fs.BoolVar(&flags.force, "force", false, "replace a different callback URL that is already configured, or switch to PULL mode")
	fs.BoolVar(&flags.dryRun, "dry-run", false, "print the ModifyEventConfig request without sending it (DescribeEventConfig is still called)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if flags.signKey == "" {
		flags.signKey = os.Getenv(config.EnvSignKey)
	}
	if err := flags.validate(); err != nil {
		return err
	}

	client, cfg, err := vodClient()
	if err != nil {
		return err
	}
	current, _, err := client.DescribeEventConfig(ctx)
	if err != nil {
		return fmt.Errorf("read the current configuration: %w", err)
	}

	target := flags.apply(current)
	fmt.Fprintf(stdout, "Event configuration of sub-application %d:\n", cfg.SubAppID)
	printComparison(stdout, current, target, flags.signKey != "")
	reason := needsForce(current, target, cfg.SubAppID, flags.force)
	if reason != "" {
		fmt.Fprintf(stdout, "\n%s\n", reason)
	}

	if flags.dryRun {
		if err := printRequest(stdout, target, flags.signKey, cfg.SubAppID); err != nil {
			return err
		}
		if reason != "" {
			return errNeedsForce
		}
		return nil
	}
	if reason != "" {
		return errNeedsForce
	}

	requestID, err := client.ModifyEventConfig(ctx, target, flags.signKey)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nModifyEventConfig succeeded (RequestId %s).\n", requestID)
	return verify(ctx, client, target, cfg.SubAppID, stdout)
}

// needsForce returns why the change needs -force, or "" when it does not: it
// replaces a different callback URL, or it stops the HTTP callbacks vodhook
// handles.
func needsForce(current, target vodclient.EventConfig, subAppID uint64, force bool) string {
	if force {
		return ""
	}
	switch {
	case current.NotificationURL != "" && target.NotificationURL != current.NotificationURL:
		return fmt.Sprintf("Sub-application %d already sends its callbacks to %s.\nChanging it can break a workflow that depends on it; rerun with -force to replace it.",
			subAppID, current.NotificationURL)
	case target.Mode == "PULL" && current.Mode != "PULL":
		return "In PULL mode VOD stops posting callbacks and holds events for PullEvents, which this version of vodhook does not call.\nRerun with -force if another consumer pulls the events."
	}
	return ""
}

func (f callbackSetFlags) validate() error {
	mode := strings.ToUpper(f.mode)
	if mode != "PUSH" && mode != "PULL" {
		return fmt.Errorf("-mode %q: use PUSH or PULL", f.mode)
	}
	if f.url == "" && mode == "PUSH" {
		return errors.New("-url is required in PUSH mode: give the function's Function URL, such as https://1250000000-abcdefgh.ap-guangzhou.tencentscf.com/")
	}
	if f.url != "" {
		u, err := url.Parse(f.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("-url %q is not an http(s) URL", f.url)
		}
	}
	if f.signKey != "" {
		return config.ValidateSignKey(f.signKey)
	}
	return nil
}

// apply returns the configuration to send: current with the new mode and
// URL, NewFileUpload notifications on (vodhook acts on them), and the other
// switches as they are.
func (f callbackSetFlags) apply(current vodclient.EventConfig) vodclient.EventConfig {
	target := current
	target.Mode = strings.ToUpper(f.mode)
	if f.url != "" {
		target.NotificationURL = f.url
	}
	target.UploadMediaComplete = switchOn
	if target.DeleteMediaComplete == "" {
		target.DeleteMediaComplete = switchOff
	}
	if target.PersistenceComplete == "" {
		target.PersistenceComplete = switchOff
	}
	return target
}

func printComparison(w io.Writer, current, target vodclient.EventConfig, newKey bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "field\tcurrent\tnew\t")
	currentRows, targetRows := configRows(current), configRows(target)
	for i := range currentRows {
		mark := ""
		if currentRows[i][1] != targetRows[i][1] {
			mark = "changed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", currentRows[i][0], show(currentRows[i][1]), show(targetRows[i][1]), mark)
	}
	key := "(unchanged)"
	if newKey {
		key = "(new key, not shown)"
	}
	fmt.Fprintf(tw, "SignKey\t(not returned by VOD)\t%s\t\n", key)
	tw.Flush()
}

// printRequest prints the ModifyEventConfig request with the sign key
// masked.
func printRequest(w io.Writer, target vodclient.EventConfig, signKey string, subAppID uint64) error {
	request := vodclient.ModifyEventConfigRequest(target, "")
	if subAppID != 0 {
		request.SubAppId = &subAppID
	}
	if signKey != "" {
		masked := "********"
		request.SignKey = &masked
	}
	data, err := json.MarshalIndent(request, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nDry run: this ModifyEventConfig request was not sent:\n%s\n", data)
	return nil
}

// verify reads the configuration back and fails unless it is what was set.
func verify(ctx context.Context, client *vodclient.Client, target vodclient.EventConfig, subAppID uint64, w io.Writer) error {
	got, requestID, err := client.DescribeEventConfig(ctx)
	if err != nil {
		return fmt.Errorf("read the configuration back: %w", err)
	}
	if got != target {
		return fmt.Errorf("DescribeEventConfig (RequestId %s) returned %+v after the change, want %+v", requestID, got, target)
	}
	if target.Mode == "PULL" {
		fmt.Fprintf(w, "Verified with DescribeEventConfig (RequestId %s): sub-application %d holds its events for PullEvents (PULL mode); nothing is posted.\n", requestID, subAppID)
		return nil
	}
	fmt.Fprintf(w, "Verified with DescribeEventConfig (RequestId %s): sub-application %d posts its callbacks to %s.\n", requestID, subAppID, show(target.NotificationURL))
	return nil
}
