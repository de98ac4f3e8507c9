package notification

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vodhook/vodhook/internal/outcome"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	const key = "Test-Sign-Key-1"
	now := time.Unix(1_800_000_000, 0)
	future := strconv.FormatInt(now.Add(10*time.Minute).Unix(), 10)
	recent := strconv.FormatInt(now.Add(-20*time.Second).Unix(), 10)
	past := strconv.FormatInt(now.Add(-31*time.Second).Unix(), 10)

	tests := []struct {
		name string
		sig  Signature
		want error // nil means accepted
	}{
		{"valid", Signature{Sign(key, future), future}, nil},
		{"upper case sign", Signature{strings.ToUpper(Sign(key, future)), future}, nil},
		{"within clock skew", Signature{Sign(key, recent), recent}, nil},
		{"expired", Signature{Sign(key, past), past}, ErrSignExpired},
		{"wrong key", Signature{Sign("other key", future), future}, ErrSignMismatch},
		{"sign for another T", Signature{Sign(key, future), strconv.FormatInt(now.Add(time.Hour).Unix(), 10)}, ErrSignMismatch},
		{"T moved, sign kept", Signature{Sign(key, past), future}, ErrSignMismatch},
		{"no sign", Signature{"", future}, ErrSignMissing},
		{"no T", Signature{Sign(key, future), ""}, ErrSignMissing},
		{"T not digits", Signature{Sign(key, "soon"), "soon"}, ErrSignMalformed},
		{"T negative", Signature{Sign(key, "-1"), "-1"}, ErrSignMalformed},
		{"T too long", Signature{Sign(key, "99999999999999999999"), "99999999999999999999"}, ErrSignMalformed},
		{"sign too short", Signature{"abc", future}, ErrSignMalformed},
		{"sign not hex", Signature{strings.Repeat("z", 32), future}, ErrSignMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Verify(tt.sig, key, now)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("rejected a valid signature: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) || !errors.Is(err, outcome.ErrUnauthorized) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error %q contains the sign key", err)
			}
			if tt.sig.T != "" && strings.Contains(err.Error(), Sign(key, tt.sig.T)) {
				t.Errorf("error %q contains the expected signature", err)
			}
		})
	}
}

func TestSignatureOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		n       Notification
		headers map[string]string
		want    Signature
	}{
		{"body", Notification{Sign: "s", T: "1"}, map[string]string{"sign": "h", "t": "2"}, Signature{"s", "1"}},
		{"headers", Notification{}, map[string]string{"sign": "h", "t": "2"}, Signature{"h", "2"}},
		{"mixed", Notification{Sign: "s"}, map[string]string{"t": "2"}, Signature{"s", "2"}},
		{"none", Notification{}, map[string]string{}, Signature{}},
	}
	for _, tt := range tests {
		if got := SignatureOf(&tt.n, tt.headers); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestSignKnownValue(t *testing.T) {
	t.Parallel()
	// printf 'key1700000000' | md5sum
	if got, want := Sign("key", "1700000000"), "06d851185e908b68ddf9a345983ed7b3"; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}
