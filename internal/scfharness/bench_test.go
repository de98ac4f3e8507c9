package scfharness_test

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vodhook/vodhook/internal/emulator"
	"github.com/vodhook/vodhook/internal/scfharness"
	"github.com/vodhook/vodhook/internal/testbinary"
)

// BenchmarkInvokeBinary measures one invocation of the built binary over
// scf-go-lib's RPC protocol: a Function URL event carrying a finished
// ProcedureStateChanged, decoded and reported (no VOD call).
func BenchmarkInvokeBinary(b *testing.B) {
	body, err := os.ReadFile("../trigger/testdata/function-url-procedure.json")
	if err != nil {
		b.Fatal(err)
	}
	p, err := scfharness.Start(context.Background(), scfharness.Options{Binary: testbinary.Function(b), Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()

	for b.Loop() {
		result, err := p.Invoke(context.Background(), scfharness.Invocation{Payload: body})
		if err != nil || result.Error != nil {
			b.Fatal(err, result.Error)
		}
	}
}

// BenchmarkInvokeLargeNotification invokes the built binary with a
// ProcedureStateChanged just under SCF's 6 MB request limit and reports the
// binary's peak resident memory (VmHWM), which sizes memorySize in
// serverless.yml.
func BenchmarkInvokeLargeNotification(b *testing.B) {
	body := emulator.LargeProcedureEvent(6<<20 - 2000)
	payload, err := json.Marshal(map[string]any{"body": string(body), "httpMethod": "POST", "headers": map[string]string{}})
	if err != nil {
		b.Fatal(err)
	}

	p, err := scfharness.Start(context.Background(), scfharness.Options{Binary: testbinary.Function(b), Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	idle := peakResidentKB(b, p.PID())

	b.SetBytes(int64(len(body)))
	for b.Loop() {
		result, err := p.Invoke(context.Background(), scfharness.Invocation{Payload: payload, Timeout: 10 * time.Second})
		if err != nil || result.Error != nil || !strings.Contains(string(result.Payload), `"statusCode":200`) {
			b.Fatal(err, result.Error, string(result.Payload))
		}
	}
	b.ReportMetric(float64(idle), "idle-RSS-kB")
	b.ReportMetric(float64(peakResidentKB(b, p.PID())), "peak-RSS-kB")
}

// peakResidentKB reads VmHWM, the peak resident set size, of a Linux process.
func peakResidentKB(b *testing.B, pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Skipf("no /proc status for the binary: %v", err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kb
		}
	}
	b.Skip("VmHWM not found")
	return 0
}
