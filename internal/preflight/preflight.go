// Package preflight checks, before a deployment, that serverless.yml and
// the built package match what the function needs. The handler must be the
// binary's name and the runtime Go1. The binary must be a static
// linux/amd64 ELF, the Function URL public, and every VOD_* value valid.
// Each failure names the field and the fix.
package preflight

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vodhook/vodhook/internal/config"
	"github.com/vodhook/vodhook/internal/scfzip"
	"github.com/vodhook/vodhook/internal/vodclient"
)

// Severity of a check's result.
type Severity string

// Severities.
const (
	Pass Severity = "ok"
	Warn Severity = "warning"
	Fail Severity = "FAIL"
)

// Check is the result of one check.
type Check struct {
	Name     string
	Severity Severity
	Message  string
}

// Report lists every check in order.
type Report []Check

// Failed reports whether any check failed.
func (r Report) Failed() bool {
	return slices.ContainsFunc(r, func(c Check) bool { return c.Severity == Fail })
}

// Options name what to check.
type Options struct {
	Serverless string // path of serverless.yml
	Zip        string // path of the zip; empty skips the zip check

	// Getenv resolves ${env:NAME} references, as they will be resolved when
	// scf deploy runs.
	Getenv func(string) string
}

// minTimeout is one VOD call plus the margin the function keeps to
// respond, rounded up to whole seconds.
var minTimeout = int(math.Ceil((vodclient.DefaultCallTimeout + vodclient.DefaultSafetyMargin).Seconds()))

// recommendedTimeout covers a cold start on top of one slow VOD call.
const recommendedTimeout = 10

// Run performs every check and returns the report.
func Run(opts Options) Report {
	var r Report
	s, err := ReadServerless(opts.Serverless)
	if err != nil {
		return append(r, Check{"serverless.yml", Fail, err.Error()})
	}
	r = append(r, Check{"serverless.yml", Pass, "parsed " + opts.Serverless})

	in := s.Inputs
	r = append(r,
		checkEqual("component", s.Component, "scf", "set component: scf; vodhook deploys with the Serverless Cloud Framework's scf component"),
		checkEqual("inputs.handler", in.Handler, scfzip.HandlerName, "set inputs.handler: main, the file name of the binary; the Go1 runtime starts the file the handler names"),
		checkEqual("inputs.runtime", in.Runtime, "Go1", "set inputs.runtime: Go1, SCF's Go runtime"),
		checkRegion(in, opts.Getenv),
		checkCodeFolder(in, filepath.Dir(opts.Serverless)),
	)
	if opts.Zip != "" {
		r = append(r, checkZip(opts.Zip))
	}
	r = append(r, checkHTTPTrigger(in)...)
	r = append(r, checkTimer(in), checkTimeout(in), checkMemory(in), checkRole(in))
	r = append(r, checkVariables(in, opts.Getenv)...)
	return r
}

func checkEqual(name, got, want, fix string) Check {
	if got == want {
		return Check{name, Pass, fmt.Sprintf("%s is %s", name, want)}
	}
	return Check{name, Fail, fmt.Sprintf("%s is %q; %s", name, got, fix)}
}

func checkRegion(in Inputs, getenv func(string) string) Check {
	region, unset := Expand(in.Region, getenv)
	if len(unset) > 0 || region == "" {
		return Check{"inputs.region", Fail, fmt.Sprintf("inputs.region %q is empty when deployed; set %s (deploy/install.sh sets it to ap-guangzhou unless told otherwise)", in.Region, strings.Join(unset, ", "))}
	}
	if !config.IsRegion(region) {
		return Check{"inputs.region", Fail, fmt.Sprintf("inputs.region is %q, not a Tencent Cloud region id; use a value such as ap-guangzhou", region)}
	}
	return Check{"inputs.region", Pass, "the function deploys to " + region}
}

// checkCodeFolder checks that inputs.src holds only the binary, and that
// the binary can run on SCF.
func checkCodeFolder(in Inputs, base string) Check {
	src := in.SrcPath()
	if src == "" {
		return Check{"inputs.src", Fail, "inputs.src is not set; set it to ./build/scf, the folder make build writes main to"}
	}
	dir := filepath.Join(base, src)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Check{"inputs.src", Fail, fmt.Sprintf("inputs.src %s: %v; run make build", src, err)}
	}

	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{scfzip.HandlerName}) {
		return Check{"inputs.src", Fail, fmt.Sprintf("inputs.src %s holds %v; it must hold only main, so that no config.json or other file ships with a secret (make build prepares it)", src, names)}
	}
	if err := scfzip.CheckBinary(filepath.Join(dir, scfzip.HandlerName)); err != nil {
		return Check{"inputs.src", Fail, err.Error()}
	}
	return Check{"inputs.src", Pass, src + " holds only main, a static linux/amd64 ELF executable"}
}

func checkZip(path string) Check {
	if err := scfzip.Check(path); err != nil {
		return Check{"package", Fail, err.Error()}
	}
	return Check{"package", Pass, path + " holds main at its root, static linux/amd64, mode 0755"}
}

// checkHTTPTrigger checks the Function URL, or the legacy API Gateway
// trigger when there is no Function URL.
func checkHTTPTrigger(in Inputs) []Check {
	urls, gateways := in.Triggers("http"), in.Triggers("apigw")
	if len(urls) == 0 && len(gateways) == 0 {
		return []Check{{"events.http", Fail, "no HTTP trigger: add an events entry http (Function URL) with parameters.netConfig.enableExtranet: true, so VOD can post callbacks"}}
	}

	var checks []Check
	for _, e := range urls {
		p := e.Parameters
		switch {
		case p.NetConfig.EnableExtranet == nil || !*p.NetConfig.EnableExtranet:
			checks = append(checks, Check{"events.http", Fail, "the Function URL has no public access: set events[].http.parameters.netConfig.enableExtranet: true; it is off by default, and VOD cannot reach an intranet-only URL"})
		case p.AuthType != "" && !strings.EqualFold(p.AuthType, "NONE"):
			checks = append(checks, Check{"events.http", Fail, fmt.Sprintf("events[].http.parameters.authType is %q; set it to NONE, because VOD cannot sign requests for SCF (vodhook checks VOD's Sign and T instead)", p.AuthType)})
		default:
			checks = append(checks, Check{"events.http", Pass, "the Function URL is public and needs no SCF authentication"})
		}
	}
	for _, e := range gateways {
		checks = append(checks, checkGateway(e.Parameters))
	}
	return checks
}

func checkGateway(p EventParameters) Check {
	for _, ep := range p.Endpoints {
		if !strings.EqualFold(ep.Method, "POST") && !strings.EqualFold(ep.Method, "ANY") {
			return Check{"events.apigw", Fail, fmt.Sprintf("API Gateway endpoint %s has method %q; VOD posts its callbacks, so set method: POST", ep.Path, ep.Method)}
		}
		if ep.Function.IsIntegratedResponse == nil || !*ep.Function.IsIntegratedResponse {
			return Check{"events.apigw", Fail, fmt.Sprintf("API Gateway endpoint %s does not pass the integrated response through; set function.isIntegratedResponse: true", ep.Path)}
		}
	}
	return Check{"events.apigw", Warn, "a legacy API Gateway trigger is configured; Tencent retired API Gateway triggers on 2025-06-30, so prefer the Function URL (events[].http)"}
}

func checkTimer(in Inputs) Check {
	for _, e := range in.Triggers("timer") {
		if e.Parameters.Enable == nil || *e.Parameters.Enable {
			return Check{"events.timer", Warn, "the timer trigger is enabled, but this function handles HTTP callbacks only and ignores timer events; set enable: false to avoid needless invocations"}
		}
	}
	return Check{"events.timer", Pass, "no enabled timer trigger"}
}

func checkTimeout(in Inputs) Check {
	switch {
	case in.Timeout == 0:
		return Check{"inputs.timeout", Warn, "inputs.timeout is not set, so SCF's default of 3 seconds applies, less than one VOD call and the margin to answer; set timeout: 10"}
	case in.Timeout < minTimeout:
		return Check{"inputs.timeout", Fail, fmt.Sprintf("inputs.timeout is %d s, less than one VOD call (%s) and the margin the function keeps to answer (%s); set timeout: 10",
			in.Timeout, vodclient.DefaultCallTimeout, vodclient.DefaultSafetyMargin)}
	case in.Timeout < recommendedTimeout:
		return Check{"inputs.timeout", Warn, fmt.Sprintf("inputs.timeout is %d s: enough for a VOD call, but a cold start on top of a slow call can exceed it; set timeout: %d", in.Timeout, recommendedTimeout)}
	default:
		return Check{"inputs.timeout", Pass, fmt.Sprintf("inputs.timeout is %d s", in.Timeout)}
	}
}

func checkMemory(in Inputs) Check {
	if in.MemorySize != 0 && in.MemorySize < 128 {
		return Check{"inputs.memorySize", Warn, fmt.Sprintf("inputs.memorySize is %d MB; handling a 6 MB notification peaked at 72 to 92 MB in docs/BENCHMARKS.md, so set memorySize: 128", in.MemorySize)}
	}
	return Check{"inputs.memorySize", Pass, fmt.Sprintf("inputs.memorySize is %d MB", in.MemorySize)}
}

func checkRole(in Inputs) Check {
	for name, value := range in.Environment.Variables {
		if (name == config.EnvSecretKey || strings.Contains(strings.ToUpper(name), "SECRET")) && value != "" && !isReference(value) {
			return Check{"inputs.role", Fail, fmt.Sprintf("environment variable %s holds a literal secret in serverless.yml; remove it and give the function an execution role (inputs.role)", name)}
		}
	}
	if value := in.Environment.Variables[config.EnvSignKey]; value != "" && !isReference(value) {
		return Check{"environment." + config.EnvSignKey, Fail, "VOD_SIGN_KEY is written into serverless.yml, a file that is committed; write VOD_SIGN_KEY: ${env:VOD_SIGN_KEY} and export the key when deploying"}
	}
	if in.Role == "" {
		return Check{"inputs.role", Fail, "inputs.role is empty: without an execution role the function has no keys to call VOD; create a CAM role that SCF may assume, allow it vod:ProcessMedia, and name it here"}
	}
	return Check{"inputs.role", Pass, fmt.Sprintf("execution role %s (it must allow vod:ProcessMedia)", in.Role)}
}

// vodVariables are the VOD_* variables the function reads.
var vodVariables = []string{config.EnvRegion, config.EnvSubAppID, config.EnvDefinitions, config.EnvEndpoint, config.EnvSignKey, config.EnvTranscodeWithProcedure}

// checkVariables validates the VOD_* values as the function will read them.
func checkVariables(in Inputs, getenv func(string) string) []Check {
	values := map[string]string{}
	var checks []Check
	for name, raw := range in.Environment.Variables {
		value, _ := Expand(raw, getenv)
		values[name] = value
		if strings.HasPrefix(name, "VOD_") && !slices.Contains(vodVariables, name) {
			checks = append(checks, Check{"environment." + name, Warn, fmt.Sprintf("vodhook does not read %s; check its spelling (it reads %s)", name, strings.Join(vodVariables, ", "))})
		}
	}

	_, err := config.Resolve(config.File{}, func(name string) string { return values[name] })
	if err != nil {
		for _, problem := range splitJoined(err) {
			checks = append(checks, Check{"environment", Fail, problem.Error()})
		}
		return checks
	}
	if values[config.EnvSignKey] == "" {
		checks = append(checks, Check{"environment." + config.EnvSignKey, Warn, "VOD_SIGN_KEY is empty, so the function accepts unsigned callbacks from anyone who knows its URL; set a key here and in VOD (vodhook callback set -sign-key)"})
	}
	return append(checks, Check{"environment", Pass, "every VOD_* value is valid: " + describeVariables(values)})
}

// describeVariables lists the VOD_* values as deployed, with the sign key
// hidden and empty values marked as defaults.
func describeVariables(values map[string]string) string {
	var parts []string
	for _, name := range vodVariables {
		value, ok := values[name]
		switch {
		case !ok:
			continue
		case value == "":
			value = "(empty: default)"
		case name == config.EnvSignKey:
			value = "(set)"
		}
		parts = append(parts, name+"="+value)
	}
	return strings.Join(parts, ", ")
}

// splitJoined returns the errors joined in err, or err itself.
func splitJoined(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return []error{err}
}

// Print writes the report, one line per check.
func (r Report) Print(w io.Writer) {
	for _, c := range r {
		fmt.Fprintf(w, "%-8s %-28s %s\n", c.Severity, c.Name, c.Message)
	}
}

var errFailed = errors.New("preflight failed")

// Err returns an error when a check failed.
func (r Report) Err() error {
	if r.Failed() {
		return fmt.Errorf("%w: fix the FAIL lines above before deploying", errFailed)
	}
	return nil
}
