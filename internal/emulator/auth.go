package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	signAlgorithm    = "TC3-HMAC-SHA256"
	signService      = "vod"
	signTerminator   = "tc3_request"
	unsignedPayload  = "UNSIGNED-PAYLOAD"
	maxTimestampSkew = 5 * time.Minute
)

// authorization is a parsed TC3-HMAC-SHA256 Authorization header.
type authorization struct {
	secretId      string
	date          string // scope date, YYYY-MM-DD
	service       string
	terminator    string
	signedHeaders []string // lower-case names in the order given
	signature     string
}

// authenticate verifies the TC3-HMAC-SHA256 signature of r, whose body has
// already been read into body.
func (e *Emulator) authenticate(r *http.Request, body []byte) *apiError {
	auth, apiErr := parseAuthorization(r.Header.Get("Authorization"))
	if apiErr != nil {
		return apiErr
	}

	timestamp, apiErr := e.checkTimestamp(r.Header.Get("X-TC-Timestamp"))
	if apiErr != nil {
		return apiErr
	}
	if apiErr := checkScope(auth, timestamp); apiErr != nil {
		return apiErr
	}

	credential, ok := e.credentials[auth.secretId]
	if !ok {
		return newAPIError("AuthFailure.SecretIdNotFound", "The SecretId `%s` is not found; check that the key exists and is enabled.", auth.secretId)
	}
	if apiErr := checkToken(credential, r.Header); apiErr != nil {
		return apiErr
	}

	want := computeSignature(credential.SecretKey, r, auth.signedHeaders, body, timestamp)
	if subtle.ConstantTimeCompare([]byte(want), []byte(auth.signature)) != 1 {
		return newAPIError("AuthFailure.SignatureFailure", "The provided credentials could not be validated; check the SecretKey and the signing method (TC3-HMAC-SHA256).")
	}
	return nil
}

// parseAuthorization parses
// "TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<a;b>, Signature=<hex>".
func parseAuthorization(header string) (authorization, *apiError) {
	if header == "" {
		return authorization{}, newAPIError("AuthFailure.InvalidAuthorization", "The Authorization header is missing; sign the request with %s.", signAlgorithm)
	}
	rest, ok := strings.CutPrefix(header, signAlgorithm+" ")
	if !ok {
		return authorization{}, newAPIError("AuthFailure.InvalidAuthorization", "The Authorization header must start with `%s `; other signing methods are not supported.", signAlgorithm)
	}

	fields := make(map[string]string)
	for part := range strings.SplitSeq(rest, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[key] = value
	}

	var auth authorization
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 4 || scope[0] == "" {
		return authorization{}, newAPIError("AuthFailure.InvalidAuthorization", "The Credential of the Authorization header must be <SecretId>/<date>/<service>/%s.", signTerminator)
	}
	auth.secretId, auth.date, auth.service, auth.terminator = scope[0], scope[1], scope[2], scope[3]

	auth.signedHeaders = strings.Split(fields["SignedHeaders"], ";")
	if !slices.Contains(auth.signedHeaders, "content-type") || !slices.Contains(auth.signedHeaders, "host") {
		return authorization{}, newAPIError("AuthFailure.InvalidAuthorization", "The SignedHeaders of the Authorization header must include content-type and host.")
	}

	auth.signature = fields["Signature"]
	if len(auth.signature) != sha256.Size*2 {
		return authorization{}, newAPIError("AuthFailure.InvalidAuthorization", "The Signature of the Authorization header must be %d hex digits.", sha256.Size*2)
	}
	return auth, nil
}

// checkTimestamp parses X-TC-Timestamp and rejects a time more than five
// minutes away from the emulator's clock.
func (e *Emulator) checkTimestamp(header string) (int64, *apiError) {
	if header == "" {
		return 0, newAPIError("MissingParameter", "The request is missing a required parameter `Timestamp` (header X-TC-Timestamp).")
	}
	timestamp, err := strconv.ParseInt(header, 10, 64)
	if err != nil {
		return 0, newAPIError("InvalidParameter", "The X-TC-Timestamp `%s` is not a Unix time in seconds.", header)
	}

	now := e.now()
	skew := now.Sub(time.Unix(timestamp, 0))
	if skew > maxTimestampSkew || skew < -maxTimestampSkew {
		return 0, newAPIError("AuthFailure.SignatureExpire",
			"The signature expired: the timestamp %d differs from the server time %d by more than 5 minutes; check the local clock.",
			timestamp, now.Unix())
	}
	return timestamp, nil
}

func checkScope(auth authorization, timestamp int64) *apiError {
	date := time.Unix(timestamp, 0).UTC().Format(time.DateOnly)
	switch {
	case auth.date != date:
		return newAPIError("AuthFailure.InvalidAuthorization", "The credential scope date `%s` does not match the UTC date %s of X-TC-Timestamp.", auth.date, date)
	case auth.service != signService:
		return newAPIError("AuthFailure.InvalidAuthorization", "The credential scope service `%s` is invalid; it must be `%s`.", auth.service, signService)
	case auth.terminator != signTerminator:
		return newAPIError("AuthFailure.InvalidAuthorization", "The credential scope must end with `%s`, not `%s`.", signTerminator, auth.terminator)
	}
	return nil
}

// checkToken compares X-TC-Token with the credential's session token.
func checkToken(credential Credential, header http.Header) *apiError {
	token := header.Get("X-TC-Token")
	switch {
	case credential.Token == "" && token != "":
		return newAPIError("AuthFailure.TokenFailure", "The SecretId `%s` is a permanent key, but the request carries X-TC-Token; send no token with a permanent key.", credential.SecretId)
	case credential.Token != "" && token == "":
		return newAPIError("AuthFailure.TokenFailure", "The SecretId `%s` is a temporary key, but X-TC-Token is missing.", credential.SecretId)
	case subtle.ConstantTimeCompare([]byte(credential.Token), []byte(token)) != 1:
		return newAPIError("AuthFailure.TokenFailure", "The X-TC-Token does not belong to the SecretId `%s` or has expired.", credential.SecretId)
	}
	return nil
}

// computeSignature returns the hex TC3-HMAC-SHA256 signature of r.
//
// The canonical request lists the method, "/", an empty query string and
// the signed headers as "name:value\n" lines, with values as received and
// host taken from r.Host. Then follow the signed header list and the hex
// SHA-256 of the body. When X-TC-Content-SHA256 is UNSIGNED-PAYLOAD, the
// hash is of that literal instead of the body.
func computeSignature(secretKey string, r *http.Request, signedHeaders []string, body []byte, timestamp int64) string {
	var canonicalHeaders strings.Builder
	for _, name := range signedHeaders {
		canonicalHeaders.WriteString(name + ":" + headerValue(r, name) + "\n")
	}

	payloadHash := sha256Hex(body)
	if r.Header.Get("X-TC-Content-SHA256") == unsignedPayload {
		payloadHash = sha256Hex([]byte(unsignedPayload))
	}

	canonicalRequest := strings.Join([]string{
		r.Method,
		"/",
		"",
		canonicalHeaders.String(),
		strings.Join(signedHeaders, ";"),
		payloadHash,
	}, "\n")

	date := time.Unix(timestamp, 0).UTC().Format(time.DateOnly)
	scope := date + "/" + signService + "/" + signTerminator
	stringToSign := strings.Join([]string{
		signAlgorithm,
		strconv.FormatInt(timestamp, 10),
		scope,
		sha256Hex([]byte(canonicalRequest)),
	}, "\n")

	key := hmacSHA256([]byte("TC3"+secretKey), date)
	key = hmacSHA256(key, signService)
	key = hmacSHA256(key, signTerminator)
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

func headerValue(r *http.Request, name string) string {
	if name == "host" {
		return r.Host
	}
	return r.Header.Get(name)
}

// secretIdOf returns the SecretId of an Authorization header, "" when the
// header has none.
func secretIdOf(header string) string {
	_, credential, ok := strings.Cut(header, "Credential=")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(credential, "/")
	id, _, _ = strings.Cut(id, ",")
	return strings.TrimSpace(id)
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, message string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(message))
	return mac.Sum(nil)
}
