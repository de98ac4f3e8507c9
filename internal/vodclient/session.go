package vodclient

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// MaxSessionIDLength is ProcessMedia's limit on SessionId.
const MaxSessionIDLength = 50

// SessionID derives ProcessMedia's deduplication key from the file, the
// sub-application and the set of templates. Every delivery of the same
// NewFileUpload yields the same key, so VOD starts the task once; a change
// of templates yields a new key. The result has 48 characters.
func SessionID(fileID string, subAppID uint64, definitions []uint64) string {
	sorted := slices.Clone(definitions)
	slices.Sort(sorted)

	var b strings.Builder
	b.WriteString(fileID)
	b.WriteByte('|')
	b.WriteString(strconv.FormatUint(subAppID, 10))
	for _, d := range sorted {
		b.WriteByte('|')
		b.WriteString(strconv.FormatUint(d, 10))
	}

	sum := sha256.Sum256([]byte(b.String()))
	return "vodhook-" + hex.EncodeToString(sum[:20])
}
