// Package gateway is a local stand-in for SCF's HTTP triggers. Its HTTP
// server wraps each request in a Function URL (or API Gateway) event and
// invokes the function through the runtime harness. It turns the
// integrated response back into an HTTP response and, like the real
// trigger, rejects any other return value.
package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vodhook/vodhook/internal/scfharness"
	"github.com/vodhook/vodhook/internal/trigger"
)

// MaxBodySize is SCF's limit on a synchronous invocation's request, 6 MB.
const MaxBodySize = 6 << 20

// Invoker runs one invocation; *scfharness.Process implements it.
type Invoker interface {
	Invoke(ctx context.Context, inv scfharness.Invocation) (scfharness.Result, error)
}

// Gateway serves HTTP and invokes the function once per request.
type Gateway struct {
	Invoker Invoker

	// Envelope is trigger.FunctionURL (default) or trigger.APIGateway.
	Envelope trigger.Envelope

	// Timeout is the function timeout passed with each invocation.
	Timeout time.Duration

	// Environment returns the environment applied to each invocation, such
	// as the execution role's temporary keys. Nil applies none.
	Environment func() map[string]string

	// Logger receives one line for each request the gateway responds to in
	// place of the function; nil discards them.
	Logger *slog.Logger
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodySize+1))
	if err != nil {
		g.fail(w, http.StatusBadRequest, "read request body: "+err.Error())
		return
	}
	if len(body) > MaxBodySize {
		g.fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds SCF's limit of %d bytes", MaxBodySize))
		return
	}

	payload, err := g.event(r, body)
	if err != nil {
		g.fail(w, http.StatusInternalServerError, "build trigger event: "+err.Error())
		return
	}

	inv := scfharness.Invocation{Payload: payload, Timeout: g.Timeout}
	if g.Environment != nil {
		inv.Environment = g.Environment()
	}
	result, err := g.Invoker.Invoke(r.Context(), inv)
	switch {
	case errors.Is(err, scfharness.ErrTimeout):
		g.fail(w, http.StatusGatewayTimeout, "function timed out: "+err.Error())
		return
	case err != nil:
		g.fail(w, http.StatusBadGateway, "invoke function: "+err.Error())
		return
	case result.Error != nil:
		g.fail(w, http.StatusBadGateway, "function error: "+result.Error.Message)
		return
	}

	g.writeResponse(w, result.Payload)
}

// writeResponse writes the function's integrated response, or a 502 when the
// payload is not one, as SCF's HTTP trigger does.
func (g *Gateway) writeResponse(w http.ResponseWriter, payload []byte) {
	var resp trigger.Response
	if err := json.Unmarshal(payload, &resp); err != nil || resp.StatusCode < 100 || resp.StatusCode > 599 {
		g.fail(w, http.StatusBadGateway, "function returned no integrated response (statusCode, headers, body)")
		return
	}

	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			g.fail(w, http.StatusBadGateway, "function's response body is marked base64 but is not")
			return
		}
		body = decoded
	}
	for name, value := range resp.Headers {
		w.Header().Set(name, value)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}

// event wraps an HTTP request in the configured trigger envelope.
func (g *Gateway) event(r *http.Request, body []byte) ([]byte, error) {
	req := HTTPRequest{
		Method:  r.Method,
		Path:    r.URL.Path,
		Headers: map[string]string{},
		Query:   map[string]string{},
		Body:    body,
	}
	for name, values := range r.Header {
		req.Headers[strings.ToLower(name)] = strings.Join(values, ", ")
	}
	for name, values := range r.URL.Query() {
		req.Query[name] = strings.Join(values, ",")
	}
	req.RemoteIP, _, _ = net.SplitHostPort(r.RemoteAddr)
	return Event(g.Envelope, req)
}

// HTTPRequest is the part of an HTTP request that a trigger event carries.
type HTTPRequest struct {
	Method   string
	Path     string
	Headers  map[string]string // lower-case names
	Query    map[string]string
	Body     []byte
	RemoteIP string
}

// Event returns the SCF trigger event for req: a Function URL event, or an
// API Gateway event when envelope is trigger.APIGateway. The API Gateway
// event carries a body that is not UTF-8 in base64.
func Event(envelope trigger.Envelope, req HTTPRequest) ([]byte, error) {
	headers := maps.Clone(req.Headers)
	if headers == nil {
		headers = map[string]string{}
	}
	query := req.Query
	if query == nil {
		query = map[string]string{}
	}

	if envelope != trigger.APIGateway {
		headers["x-scf-remote-addr"] = req.RemoteIP
		return json.Marshal(map[string]any{
			"body":        string(req.Body),
			"headers":     headers,
			"httpMethod":  req.Method,
			"path":        req.Path,
			"queryString": query,
		})
	}

	encoded := !utf8.Valid(req.Body)
	text := string(req.Body)
	if encoded {
		text = base64.StdEncoding.EncodeToString(req.Body)
	}
	return json.Marshal(map[string]any{
		"requestContext": map[string]any{
			"serviceId":  "service-local",
			"path":       req.Path,
			"httpMethod": req.Method,
			"requestId":  fmt.Sprintf("local-%d", time.Now().UnixNano()),
			"sourceIp":   req.RemoteIP,
			"stage":      "release",
			"identity":   map[string]any{},
		},
		"headers":               headers,
		"body":                  text,
		"isBase64Encoded":       encoded,
		"httpMethod":            req.Method,
		"path":                  req.Path,
		"queryString":           query,
		"queryStringParameters": query,
		"headerParameters":      map[string]any{},
		"pathParameters":        map[string]any{},
		"stageVariables":        map[string]any{"stage": "release"},
	})
}

// fail logs why the gateway responded in place of the function, and writes
// that response as JSON.
func (g *Gateway) fail(w http.ResponseWriter, status int, message string) {
	if g.Logger != nil {
		g.Logger.Warn("gateway responded in place of the function", "status", status, "error", message)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": message, "source": "gateway"})
}
