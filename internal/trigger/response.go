package trigger

import (
	"encoding/json"
)

// Response is the integrated response that SCF's HTTP triggers (Function URL
// and API Gateway) turn into an HTTP response. Every path through the function
// returns one, errors included, because the trigger rejects anything else.
type Response struct {
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
}

// JSONResponse returns a response with status and body encoded as JSON.
func JSONResponse(status int, body any) Response {
	data, err := json.Marshal(body)
	if err != nil {
		data = []byte(`{"ok":false,"error":"internal error: the response could not be encoded"}`)
	}
	return Response{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json; charset=utf-8"},
		Body:       string(data),
	}
}

// Marshal encodes the response as the invocation's return payload.
func (r Response) Marshal() []byte {
	data, err := json.Marshal(r)
	if err != nil {
		return []byte(`{"isBase64Encoded":false,"statusCode":500,"headers":{"Content-Type":"application/json"},"body":"{\"ok\":false}"}`)
	}
	return data
}
