package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/vodhook/vodhook/internal/outcome"
)

// File is config.json as parsed, before environment overrides and defaults.
// A nil pointer means the key is absent.
type File struct {
	Path string // path of the file read; empty when there was none

	SecretID  string
	SecretKey string

	Region                 *string
	SubAppID               *uint64
	Definitions            []uint64 // nil when absent; empty when given as []
	Endpoint               *string
	SignKey                *string
	TranscodeWithProcedure *bool

	// UnknownKeys lists keys that vodhook does not read, so a caller can warn
	// about a likely typo.
	UnknownKeys []string
}

// knownKeys are the keys of config.json. The first five match Tencent's
// Python sample, so its config.json works unchanged.
var knownKeys = []string{
	"secret_id", "secret_key", "region", "subappid", "definitions",
	"endpoint", "sign_key", "transcode_with_procedure",
}

// ParseFile parses the contents of config.json. Keys match exactly; a key in
// another case is reported in UnknownKeys rather than guessed.
func ParseFile(data []byte) (File, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return File{}, fmt.Errorf("%w: not a JSON object: %v; see config.json in the vodhook repository for the format", outcome.ErrConfig, err)
	}

	var file File
	var problems []error
	for key, value := range raw {
		if !slices.Contains(knownKeys, key) {
			file.UnknownKeys = append(file.UnknownKeys, key)
			continue
		}
		if string(value) == "null" {
			continue
		}
		problems = append(problems, file.setKey(key, value))
	}
	slices.Sort(file.UnknownKeys)

	if err := joinSorted(problems); err != nil {
		return File{}, err
	}
	return file, nil
}

func (f *File) setKey(key string, value json.RawMessage) error {
	switch key {
	case "secret_id":
		return decodeSecret(key, value, &f.SecretID)
	case "secret_key":
		return decodeSecret(key, value, &f.SecretKey)
	case "region":
		return decodeString(key, value, &f.Region)
	case "endpoint":
		return decodeString(key, value, &f.Endpoint)
	case "sign_key":
		var s string
		if err := decodeSecret(key, value, &s); err != nil {
			return err
		}
		f.SignKey = &s
		return nil
	case "subappid":
		id, err := parseSubAppIDJSON(value)
		f.SubAppID = &id
		return err
	case "definitions":
		defs, err := parseDefinitionsJSON(value)
		f.Definitions = defs
		return err
	case "transcode_with_procedure":
		var b bool
		if err := json.Unmarshal(value, &b); err != nil {
			return fmt.Errorf("%w: transcode_with_procedure is %s, not a boolean; set it to true or false", outcome.ErrConfig, value)
		}
		f.TranscodeWithProcedure = &b
		return nil
	}
	return nil
}

func decodeString(key string, value json.RawMessage, dst **string) error {
	var s string
	if err := json.Unmarshal(value, &s); err != nil {
		return fmt.Errorf("%w: %s is %s, not a string", outcome.ErrConfig, key, value)
	}
	*dst = &s
	return nil
}

// decodeSecret is decodeString for values that must not appear in an error.
func decodeSecret(key string, value json.RawMessage, dst *string) error {
	if err := json.Unmarshal(value, dst); err != nil {
		return fmt.Errorf("%w: %s is not a string; write it in double quotes", outcome.ErrConfig, key)
	}
	return nil
}

// parseSubAppIDJSON accepts a number or a string of digits, as Tencent's
// installer writes the value as a string.
func parseSubAppIDJSON(value json.RawMessage) (uint64, error) {
	var s string
	if err := json.Unmarshal(value, &s); err == nil {
		return parseSubAppID("subappid", s)
	}

	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return 0, fmt.Errorf("%w: subappid is %s; write the sub-application id as a number, such as 1500000001, or 0 for none", outcome.ErrConfig, value)
	}
	return parseSubAppID("subappid", n.String())
}

func parseSubAppID(name, s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%w: %s %s is negative; set it to 0 (no sub-application) or the positive id shown in the VOD console", outcome.ErrConfig, name, s)
	}

	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s %q is not a whole number; set it to 0 (no sub-application) or the id shown in the VOD console, such as 1500000001", outcome.ErrConfig, name, s)
	}
	return id, nil
}

// parseDefinitionsJSON accepts an array of template ids, each a number or a
// string of digits.
func parseDefinitionsJSON(value json.RawMessage) ([]uint64, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(value, &items); err != nil {
		return nil, fmt.Errorf("%w: definitions is %s, not a list; write it as [100010, 100020]", outcome.ErrConfig, value)
	}

	defs := make([]uint64, 0, len(items))
	for _, item := range items {
		text := strings.Trim(string(item), `"`)
		d, err := parseDefinition(text)
		if err != nil {
			return nil, err
		}
		defs = append(defs, d)
	}
	return defs, nil
}

// parseDefinitionList parses the comma-separated VOD_DEFINITIONS value.
func parseDefinitionList(s string) ([]uint64, error) {
	var defs []uint64
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		d, err := parseDefinition(part)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvDefinitions, err)
		}
		defs = append(defs, d)
	}
	if len(defs) == 0 {
		return nil, fmt.Errorf("%w: %s=%q lists no template; write ids separated by commas, such as 100010,100020", outcome.ErrConfig, EnvDefinitions, s)
	}
	return defs, nil
}

func parseDefinition(s string) (uint64, error) {
	d, err := strconv.ParseUint(s, 10, 64)
	if err != nil || d == 0 || d > math.MaxInt64 {
		return 0, fmt.Errorf("%w: template id %s in definitions is not a positive integer; use ids such as 100010 (see Templates in the VOD console)", outcome.ErrConfig, s)
	}
	return d, nil
}

// joinSorted joins non-nil errors in a stable order, so the same file always
// produces the same message.
func joinSorted(errs []error) error {
	var kept []error
	for _, err := range errs {
		if err != nil {
			kept = append(kept, err)
		}
	}
	sortErrors(kept)
	return errors.Join(kept...)
}

func sortErrors(errs []error) {
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
}

// SuggestKey returns the known key that an unknown key most likely means:
// the same key in another case, or one at most two edits away. It returns
// "" when none is close.
func SuggestKey(key string) string {
	best, bestDistance := "", 3
	for _, known := range knownKeys {
		if strings.EqualFold(key, known) {
			return known
		}
		if d := editDistance(strings.ToLower(key), known); d < bestDistance {
			best, bestDistance = known, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	previous := make([]int, len(b)+1)
	for j := range previous {
		previous[j] = j
	}
	for i := 1; i <= len(a); i++ {
		current := make([]int, len(b)+1)
		current[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			current[j] = min(previous[j]+1, current[j-1]+1, previous[j-1]+cost)
		}
		previous = current
	}
	return previous[len(b)]
}
