package notification

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vodhook/vodhook/internal/outcome"
)

// ClockSkew is how long after T a callback is still accepted, to allow for
// clocks that disagree.
const ClockSkew = 30 * time.Second

// Sentinel errors of Verify. Each wraps outcome.ErrUnauthorized. Their text
// never contains the sign key or the expected signature.
var (
	ErrSignMissing   = fmt.Errorf("%w: Sign or T missing", outcome.ErrUnauthorized)
	ErrSignMalformed = fmt.Errorf("%w: Sign or T malformed", outcome.ErrUnauthorized)
	ErrSignMismatch  = fmt.Errorf("%w: Sign does not match", outcome.ErrUnauthorized)
	ErrSignExpired   = fmt.Errorf("%w: T has passed", outcome.ErrUnauthorized)
)

// Signature is the pair of callback authentication fields.
type Signature struct {
	Sign string // hex MD5 of the sign key followed by T
	T    string // expiry time, decimal Unix seconds
}

// SignatureOf returns the Sign and T of a notification, taking each from the
// top level of the body when present there and otherwise from the request
// headers, whose names must already be lower case.
func SignatureOf(n *Notification, headers map[string]string) Signature {
	sig := Signature{Sign: n.Sign, T: n.T}
	if sig.Sign == "" {
		sig.Sign = headers["sign"]
	}
	if sig.T == "" {
		sig.T = headers["t"]
	}
	return sig
}

// Sign computes the Sign value VOD sends for key and the expiry t.
func Sign(key string, t string) string {
	sum := md5.Sum([]byte(key + t))
	return hex.EncodeToString(sum[:])
}

// Verify checks sig against key at time now. Sign is compared in constant
// time and without regard to case; T may be up to ClockSkew in the past.
func Verify(sig Signature, key string, now time.Time) error {
	if sig.Sign == "" || sig.T == "" {
		return fmt.Errorf("%w: the callback carries no Sign or T, but a sign key is configured", ErrSignMissing)
	}

	expiry, err := parseExpiry(sig.T)
	if err != nil {
		return err
	}
	if len(sig.Sign) != md5.Size*2 {
		return fmt.Errorf("%w: Sign has %d characters, want %d hex digits", ErrSignMalformed, len(sig.Sign), md5.Size*2)
	}

	want := Sign(key, sig.T)
	got := strings.ToLower(sig.Sign)
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return fmt.Errorf("%w: the callback was not signed with the configured sign key", ErrSignMismatch)
	}

	if now.After(expiry.Add(ClockSkew)) {
		return fmt.Errorf("%w: T %s expired at %s, %s ago", ErrSignExpired, sig.T, expiry.UTC().Format(time.RFC3339), now.Sub(expiry).Round(time.Second))
	}
	return nil
}

func parseExpiry(t string) (time.Time, error) {
	if len(t) > 12 || strings.TrimLeft(t, "0123456789") != "" {
		return time.Time{}, fmt.Errorf("%w: T %q is not a Unix time in seconds", ErrSignMalformed, truncate(t, 20))
	}
	secs, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: T %q is not a Unix time in seconds", ErrSignMalformed, t)
	}
	return time.Unix(secs, 0), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
