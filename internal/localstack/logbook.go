package localstack

import (
	"context"
	"encoding/json"
	"sync"
)

// Entry is one JSON log line of the function.
type Entry map[string]any

// Message returns the entry's msg.
func (e Entry) Message() string { return e.String("msg") }

// String returns the attribute key as text ("" when absent).
func (e Entry) String(key string) string {
	switch v := e[key].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		data, _ := json.Marshal(v)
		return string(data)
	}
}

// Number returns the numeric attribute key (0 when absent or not a number).
func (e Entry) Number(key string) float64 {
	n, _ := e[key].(float64)
	return n
}

// LogBook collects the function's output lines and lets callers wait for
// a condition on them.
type LogBook struct {
	mu      sync.Mutex
	lines   []string
	entries []Entry
	changed chan struct{}
}

// NewLogBook returns an empty LogBook.
func NewLogBook() *LogBook {
	return &LogBook{changed: make(chan struct{})}
}

// Add records one line; lines that are not JSON objects are kept as text
// only.
func (b *LogBook) Add(line string) {
	var entry Entry
	_ = json.Unmarshal([]byte(line), &entry)

	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, line)
	if entry != nil {
		b.entries = append(b.entries, entry)
	}
	close(b.changed)
	b.changed = make(chan struct{})
}

// Lines returns every line so far.
func (b *LogBook) Lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.lines...)
}

// Entries returns the JSON lines so far.
func (b *LogBook) Entries() []Entry {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Entry(nil), b.entries...)
}

// Wait blocks until done returns true for the entries so far, or ctx ends.
func (b *LogBook) Wait(ctx context.Context, done func([]Entry) bool) error {
	for {
		b.mu.Lock()
		entries := append([]Entry(nil), b.entries...)
		changed := b.changed
		b.mu.Unlock()

		if done(entries) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
