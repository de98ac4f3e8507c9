package scfzip

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vodhook/vodhook/internal/testbinary"
)

// minimalELF returns a 64-bit little-endian ELF header for machine, with no
// program headers: enough for debug/elf to read.
func minimalELF(machine uint16) []byte {
	header := make([]byte, 64)
	copy(header, []byte{0x7f, 'E', 'L', 'F', 2, 1, 1})
	binary.LittleEndian.PutUint16(header[16:], 2) // ET_EXEC
	binary.LittleEndian.PutUint16(header[18:], machine)
	binary.LittleEndian.PutUint32(header[20:], 1)
	binary.LittleEndian.PutUint16(header[52:], 64) // header size
	return header
}

// writeZip writes a zip with one file of the given name, mode and content.
func writeZip(t *testing.T, name string, mode os.FileMode, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "package.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	header := &zip.FileHeader{Name: name, Method: zip.Deflate}
	header.SetMode(mode)
	w, err := zw.CreateHeader(header)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWriteThenCheck(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "vodhook-scf.zip")
	if err := Write(path, testbinary.Function(t)); err != nil {
		t.Fatal(err)
	}
	if err := Check(path); err != nil {
		t.Fatalf("Check of a zip made by Write: %v", err)
	}

	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "main" || zr.File[0].Mode().Perm() != 0o755 {
		t.Errorf("zip holds %d files, first %q mode %v; want only main with mode 0755", len(zr.File), zr.File[0].Name, zr.File[0].Mode())
	}
}

func TestWriteIsReproducible(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.zip"), filepath.Join(dir, "b.zip")
	for _, path := range []string{a, b} {
		if err := Write(path, testbinary.Function(t)); err != nil {
			t.Fatal(err)
		}
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if string(da) != string(db) {
		t.Error("two zips of the same binary differ")
	}
}

func TestCheckProblems(t *testing.T) {
	t.Parallel()
	dynamic, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Skip("no /bin/true to use as a dynamically linked binary")
	}
	static := minimalELF(62) // EM_X86_64

	tests := []struct {
		name string
		path string
		want error
	}{
		{"main in a folder", writeZip(t, "build/main", 0o755, static), ErrNoMain},
		{"other name", writeZip(t, "vodhook", 0o755, static), ErrNoMain},
		{"not executable", writeZip(t, "main", 0o644, static), ErrNotExecBit},
		{"not ELF", writeZip(t, "main", 0o755, []byte("#!/bin/sh\necho hi\n")), ErrNotELF},
		{"arm64", writeZip(t, "main", 0o755, minimalELF(183)), ErrWrongArch},
		{"dynamic", writeZip(t, "main", 0o755, dynamic), ErrDynamic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := Check(tt.path); !errors.Is(err, tt.want) {
				t.Errorf("Check = %v, want %v", err, tt.want)
			}
		})
	}

	if err := Check(writeZip(t, "main", 0o755, static)); err != nil {
		t.Errorf("a static amd64 ELF main was rejected: %v", err)
	}
	if err := Check(filepath.Join(t.TempDir(), "missing.zip")); err == nil {
		t.Error("Check of a missing file succeeded")
	}
}
