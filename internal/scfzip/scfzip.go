// Package scfzip writes and checks the code package SCF's Go1 runtime
// takes: a zip with the executable "main" at its root, built for
// linux/amd64 and statically linked.
package scfzip

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// HandlerName is the file name of the binary, which is also the function's
// handler setting.
const HandlerName = "main"

// fixedTime is the modification time written for main, so the same binary
// always gives the same zip.
var fixedTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Write writes a zip holding binary as "main" with mode 0755 to path.
// A zip made by tools that drop the executable bit makes SCF fail with
// "permission denied"; this one keeps it.
func Write(path, binary string) error {
	data, err := os.ReadFile(binary)
	if err != nil {
		return fmt.Errorf("read binary: %w", err)
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	header := &zip.FileHeader{Name: HandlerName, Method: zip.Deflate, Modified: fixedTime}
	header.SetMode(0o755)
	w, err := zw.CreateHeader(header)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// Problems found by Check.
var (
	ErrNoMain     = errors.New("no file named main at the root of the zip")
	ErrNotELF     = errors.New("main is not a Linux ELF executable")
	ErrWrongArch  = errors.New("main is not built for linux/amd64")
	ErrDynamic    = errors.New("main is dynamically linked")
	ErrNotExecBit = errors.New("main is not marked executable")
)

// Check opens the zip at path and reports every way in which it is not a
// package the Go1 runtime can start. The error names the fix.
func Check(path string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("%w; run make build", err)
	}
	defer zr.Close()

	var main *zip.File
	for _, f := range zr.File {
		if f.Name == HandlerName {
			main = f
		}
	}
	if main == nil {
		return fmt.Errorf("%s: %w; the handler is the binary's name, so build it as main and zip it without a folder (make build does)", path, ErrNoMain)
	}

	var problems []error
	if mode := main.Mode(); mode.Perm()&0o111 == 0 || mode&fs.ModeType != 0 {
		problems = append(problems, fmt.Errorf("%w (mode %v); SCF cannot start it; zip it with make build", ErrNotExecBit, mode))
	}
	problems = append(problems, checkELF(main))
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// CheckBinary reports every way in which the file at path is not a binary
// the Go1 runtime can start: not executable, not ELF, not linux/amd64, or
// dynamically linked.
func CheckBinary(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%w; run make build", err)
	}

	var problems []error
	if info.Mode().Perm()&0o111 == 0 {
		problems = append(problems, fmt.Errorf("%w (mode %v); run make build", ErrNotExecBit, info.Mode()))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	problems = append(problems, checkELFBytes(data))
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func checkELF(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return err
	}
	return checkELFBytes(data)
}

func checkELFBytes(data []byte) error {
	exe, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%w; build with GOOS=linux GOARCH=amd64", ErrNotELF)
	}
	defer exe.Close()

	var problems []error
	if exe.Machine != elf.EM_X86_64 || exe.Class != elf.ELFCLASS64 {
		problems = append(problems, fmt.Errorf("%w (machine %v); build with GOOS=linux GOARCH=amd64", ErrWrongArch, exe.Machine))
	}
	for _, prog := range exe.Progs {
		if prog.Type == elf.PT_INTERP {
			problems = append(problems, fmt.Errorf("%w; build with CGO_ENABLED=0 so it runs on SCF's image without shared libraries", ErrDynamic))
			break
		}
	}
	return errors.Join(problems...)
}
