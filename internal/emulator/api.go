package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

const (
	apiVersion = "2018-07-17"
	// maxBodySize limits API request bodies. The real service's limit is
	// not checked here, so 10 MiB is an estimate.
	maxBodySize = 10 << 20
)

// apiError is an error response of the emulated API.
type apiError struct {
	Code    string
	Message string
}

func (e *apiError) Error() string {
	return e.Code + ": " + e.Message
}

func newAPIError(code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// apiRequest is an authenticated API request handed to an action.
type apiRequest struct {
	requestId string
	body      []byte
}

// actionFunc runs one API action and returns the SDK response parameters
// with RequestId set.
type actionFunc func(e *Emulator, ctx context.Context, req *apiRequest) (any, *apiError)

var actions = map[string]actionFunc{
	"ProcessMedia":        (*Emulator).processMedia,
	"DescribeEventConfig": (*Emulator).describeEventConfig,
	"ModifyEventConfig":   (*Emulator).modifyEventConfig,
	"PullEvents":          (*Emulator).pullEvents,
	"ConfirmEvents":       (*Emulator).confirmEvents,
}

// ServeHTTP serves the emulated API on "/" and the test helpers under
// "/emulator/".
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/emulator/"):
		e.serveAdmin(w, r)
	case r.URL.Path == "/":
		e.serveAPI(w, r)
	default:
		writeAdminError(w, http.StatusNotFound, fmt.Sprintf("no such path %s: the API is served on / and the emulator helpers under /emulator/", r.URL.Path))
	}
}

// serveAPI handles one API request. Every request is recorded as a Call,
// including rejected ones.
func (e *Emulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	body, readErr := readBody(w, r)
	call := Call{
		Time:      e.now(),
		Action:    r.Header.Get("X-TC-Action"),
		RequestId: newRequestId(),
		SecretId:  secretIdOf(r.Header.Get("Authorization")),
		SubAppId:  subAppIdOf(body),
		Params:    rawParams(body),
	}
	index := e.recordCall(call)

	code := e.handleAPI(w, r, body, readErr, call)
	e.finishCall(index, code)
	level := slog.LevelInfo
	if code != "" {
		level = slog.LevelWarn
	}
	e.log.Log(r.Context(), level, "API call", "action", call.Action, "request_id", call.RequestId,
		"sub_app_id", call.SubAppId, "secret_id", call.SecretId, "error_code", code)
}

// handleAPI checks, authenticates and runs the request, writes the response
// and returns the error code recorded for the call.
func (e *Emulator) handleAPI(w http.ResponseWriter, r *http.Request, body []byte, readErr *apiError, call Call) string {
	action, apiErr := e.admit(r, body, readErr, call.Action)
	if apiErr != nil {
		writeAPIError(w, call.RequestId, apiErr)
		return apiErr.Code
	}

	settled, code := e.applyFault(w, r, call)
	if settled {
		return code
	}

	req := &apiRequest{requestId: call.RequestId, body: body}
	response, apiErr := action(e, r.Context(), req)
	if apiErr != nil {
		writeAPIError(w, call.RequestId, apiErr)
		return apiErr.Code
	}

	writeJSON(w, http.StatusOK, map[string]any{"Response": response})
	return ""
}

// admit checks the request shape and its signature and returns the action
// to run.
func (e *Emulator) admit(r *http.Request, body []byte, readErr *apiError, name string) (actionFunc, *apiError) {
	if r.Method != http.MethodPost {
		// NOTE: the real service also accepts signed GET requests with the
		// parameters in the query string. The emulator supports only POST.
		return nil, newAPIError("InvalidParameter", "The request method %s is not supported; send a POST request with a JSON body.", r.Method)
	}
	if readErr != nil {
		return nil, readErr
	}
	if apiErr := checkVersion(r.Header.Get("X-TC-Version")); apiErr != nil {
		return nil, apiErr
	}

	if name == "" {
		return nil, newAPIError("MissingParameter", "The request is missing a required parameter `Action` (header X-TC-Action).")
	}
	action, ok := actions[name]
	if !ok {
		return nil, newAPIError("InvalidAction", "The action `%s` of service `vod` is not found in version `%s`.", name, apiVersion)
	}

	if apiErr := e.authenticate(r, body); apiErr != nil {
		return nil, apiErr
	}
	return action, nil
}

func checkVersion(version string) *apiError {
	switch version {
	case apiVersion:
		return nil
	case "":
		return newAPIError("MissingParameter", "The request is missing a required parameter `Version` (header X-TC-Version).")
	default:
		return newAPIError("NoSuchVersion", "The API version `%s` of service `vod` is not found; use `%s`.", version, apiVersion)
	}
}

// readBody reads the request body up to maxBodySize.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, newAPIError("RequestSizeLimitExceeded", "The request body exceeds the size limit of %d bytes.", maxBodySize)
	case err != nil:
		return nil, newAPIError("InvalidParameter", "Reading the request body failed: %v.", err)
	}
	return body, nil
}

// decodeParams decodes a JSON request body into params, an SDK
// ...RequestParams type, and reports problems as the API would.
func decodeParams(body []byte, params any) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return newAPIError("InvalidParameter", "The request body is empty; send the parameters as a JSON object.")
	}

	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.DisallowUnknownFields()
	err := decoder.Decode(params)
	if err == nil && decoder.More() {
		err = errors.New("unexpected data after the JSON object")
	}
	if err == nil {
		return nil
	}
	return describeDecodeError(err)
}

func describeDecodeError(err error) *apiError {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return newAPIError("InvalidParameter", "The request body must be a JSON object, not a JSON %s.", typeErr.Value)
		}
		return newAPIError("InvalidParameter", "The type of parameter `%s` is invalid: got a JSON %s, want %s.", typeErr.Field, typeErr.Value, typeErr.Type)
	}

	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return newAPIError("UnknownParameter", "The parameter %s is not recognized.", field)
	}
	return newAPIError("InvalidParameter", "The request body is not valid JSON: %v.", err)
}

// rawParams returns body as a json.RawMessage, quoting it as a JSON string
// when it is not valid JSON so that the call log stays encodable.
func rawParams(body []byte) json.RawMessage {
	if len(body) == 0 {
		return nil
	}
	if json.Valid(body) {
		return json.RawMessage(bytes.Clone(body))
	}

	quoted, err := json.Marshal(string(body))
	if err != nil {
		return nil
	}
	return quoted
}

// subAppIdOf returns the SubAppId parameter of a body, 0 when absent or
// unreadable.
func subAppIdOf(body []byte) uint64 {
	var params struct{ SubAppId uint64 }
	if json.Unmarshal(body, &params) != nil {
		return 0
	}
	return params.SubAppId
}

func writeAPIError(w http.ResponseWriter, requestId string, apiErr *apiError) {
	type errorBody struct {
		Code    string
		Message string
	}
	response := struct {
		Error     errorBody
		RequestId string
	}{errorBody{apiErr.Code, apiErr.Message}, requestId}

	// TencentCloud API 3.0 returns errors with HTTP 200 and an Error object.
	writeJSON(w, http.StatusOK, map[string]any{"Response": response})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"encoding the response failed"}`, http.StatusInternalServerError)
		return
	}

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// newRequestId returns a random UUID in the form the API uses for RequestId.
func newRequestId() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80

	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// randomHex returns n random lower-case hex digits.
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func stringPtr(s string) *string { return &s }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
