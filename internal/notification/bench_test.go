package notification

import (
	"testing"
	"time"

	"github.com/vodhook/vodhook/internal/emulator"
)

func BenchmarkDecodeProcedureStateChanged(b *testing.B) {
	body := readFixture(b, "testdata/events/ProcedureStateChanged.json")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeLarge decodes a 5 MB ProcedureStateChanged, the size a
// long video's AI results can reach.
func BenchmarkDecodeLarge(b *testing.B) {
	body := emulator.LargeProcedureEvent(5 << 20)

	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	now := time.Unix(1_800_000_000, 0)
	sig := Signature{Sign: Sign("bench-key", "1800000600"), T: "1800000600"}
	for b.Loop() {
		if err := Verify(sig, "bench-key", now); err != nil {
			b.Fatal(err)
		}
	}
}
