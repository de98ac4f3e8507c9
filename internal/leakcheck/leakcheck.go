// Package leakcheck lets a test package prove that no log line it saw
// contains a secret it configured. Tests register every key, token and sign
// key they give the function, and feed every line the function logs;
// Main fails the package when a line contains a registered secret. Only
// tests import it.
package leakcheck

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

var (
	mu      sync.Mutex
	secrets = map[string]string{} // value to label
	lines   []string
)

// Secret registers value, labelled for the report, and returns it.
// Values shorter than 8 bytes are not registered: they would match by
// chance.
func Secret(label, value string) string {
	if len(value) < 8 {
		return value
	}
	mu.Lock()
	defer mu.Unlock()
	secrets[value] = label
	return value
}

// Line records one log line.
func Line(line string) {
	mu.Lock()
	defer mu.Unlock()
	lines = append(lines, line)
}

// Writer returns a writer that records each line written to it.
func Writer() *LineWriter {
	return &LineWriter{}
}

// LineWriter records whole lines; a partial last line waits for its end.
type LineWriter struct {
	mu      sync.Mutex
	partial string
}

func (w *LineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	text := w.partial + string(p)
	parts := strings.Split(text, "\n")
	for _, line := range parts[:len(parts)-1] {
		Line(line)
	}
	w.partial = parts[len(parts)-1]
	return len(p), nil
}

// Leaks returns a description of every recorded line that contains a
// registered secret, and the counts of lines and secrets checked.
func Leaks() (found []string, lineCount, secretCount int) {
	mu.Lock()
	defer mu.Unlock()
	for _, line := range lines {
		for value, label := range secrets {
			if strings.Contains(line, value) {
				found = append(found, fmt.Sprintf("%s in: %s", label, line))
			}
		}
	}
	return found, len(lines), len(secrets)
}

// Main runs the package's tests, then checks every recorded line against
// every registered secret. It prints one summary line and exits non-zero
// when a secret leaked. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()

	found, lineCount, secretCount := Leaks()
	fmt.Printf("leakcheck: %d log lines checked against %d configured secrets: %d leaks\n", lineCount, secretCount, len(found))
	for _, leak := range found {
		fmt.Println("leakcheck: secret logged:", leak)
	}
	if len(found) > 0 && code == 0 {
		code = 1
	}
	os.Exit(code)
}
