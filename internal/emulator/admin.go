package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxAdminBodySize limits the JSON bodies of the /emulator/ endpoints.
const maxAdminBodySize = 1 << 20

// faultJSON is the JSON form of Fault, with Delay as a Go duration string
// such as "3s".
type faultJSON struct {
	Action  string
	Code    string
	Message string
	Delay   string
	Drop    bool
	Times   int
}

// serveAdmin serves the unauthenticated helper endpoints under /emulator/.
func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	type route struct {
		method  string
		handler func(http.ResponseWriter, *http.Request)
	}
	routes := map[string][]route{
		"/emulator/upload":     {{http.MethodPost, e.handleUpload}},
		"/emulator/calls":      {{http.MethodGet, e.handleCalls}},
		"/emulator/deliveries": {{http.MethodGet, e.handleDeliveries}},
		"/emulator/health":     {{http.MethodGet, handleHealth}},
		"/emulator/faults":     {{http.MethodPost, e.handleAddFault}, {http.MethodDelete, e.handleClearFaults}},
	}

	candidates, ok := routes[r.URL.Path]
	if !ok {
		writeAdminError(w, http.StatusNotFound, fmt.Sprintf("no such endpoint %s; see the package documentation for the /emulator/ endpoints", r.URL.Path))
		return
	}
	for _, c := range candidates {
		if c.method == r.Method {
			c.handler(w, r)
			return
		}
	}

	allowed := make([]string, 0, len(candidates))
	for _, c := range candidates {
		allowed = append(allowed, c.method)
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeAdminError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s; use %s", r.Method, r.URL.Path, strings.Join(allowed, " or ")))
}

// handleUpload serves POST /emulator/upload: an UploadRequest in, an
// UploadResult out. An empty body uploads a file with default values.
func (e *Emulator) handleUpload(w http.ResponseWriter, r *http.Request) {
	var req UploadRequest
	if err := decodeAdminBody(w, r, &req); err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}

	result, err := e.Upload(r.Context(), req)
	switch {
	case errors.Is(err, ErrFileExists):
		writeAdminError(w, http.StatusConflict, err.Error())
	case errors.Is(err, ErrClosed):
		writeAdminError(w, http.StatusServiceUnavailable, err.Error())
	case err != nil:
		writeAdminError(w, http.StatusBadRequest, err.Error())
	default:
		writeJSON(w, http.StatusOK, result)
	}
}

func (e *Emulator) handleCalls(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, nonNil(e.Calls()))
}

func (e *Emulator) handleDeliveries(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, nonNil(e.Deliveries()))
}

func handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// handleAddFault serves POST /emulator/faults with a Fault whose Delay is a
// Go duration string.
func (e *Emulator) handleAddFault(w http.ResponseWriter, r *http.Request) {
	var body faultJSON
	if err := decodeAdminBody(w, r, &body); err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}

	fault, err := body.fault()
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}

	e.InjectFault(fault)
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (e *Emulator) handleClearFaults(w http.ResponseWriter, _ *http.Request) {
	e.ClearFaults()
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (f faultJSON) fault() (Fault, error) {
	fault := Fault{Action: f.Action, Code: f.Code, Message: f.Message, Drop: f.Drop, Times: f.Times}
	if f.Delay != "" {
		delay, err := time.ParseDuration(f.Delay)
		if err != nil {
			return Fault{}, fmt.Errorf("invalid Delay %q: use a Go duration such as \"3s\" or \"250ms\"", f.Delay)
		}
		if delay < 0 {
			return Fault{}, fmt.Errorf("invalid Delay %q: the delay must not be negative", f.Delay)
		}
		fault.Delay = delay
	}

	if fault.Code == "" && fault.Delay == 0 && !fault.Drop {
		return Fault{}, errors.New("the fault has no effect: set Code, Delay or Drop")
	}
	return fault, nil
}

// decodeAdminBody decodes a JSON body into v, rejecting unknown fields. An
// empty body leaves v unchanged.
func decodeAdminBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBodySize))
	if err != nil {
		return fmt.Errorf("reading the request body failed: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}

	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON body: %w", err)
	}
	if decoder.More() {
		return errors.New("invalid JSON body: unexpected data after the JSON value")
	}
	return nil
}

func writeAdminError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

// nonNil returns s, or an empty slice so that JSON shows [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
