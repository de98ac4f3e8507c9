package emulator

import (
	"net/http"
	"time"
)

// Fault changes how the emulator responds to API calls. Faults apply after the
// request passed authentication and before the action runs.
type Fault struct {
	Action  string        // API action, e.g. "ProcessMedia"; "" matches every action
	Code    string        // API error code to return, e.g. "InternalError"; "" runs the action
	Message string        // message for Code; "" selects a standard message
	Delay   time.Duration // wait before responding; stops early when the client goes away
	Drop    bool          // close the connection without a response
	Times   int           // calls affected: 0 means 1, a negative value means until ClearFaults
}

type activeFault struct {
	Fault
	remaining int // calls left; negative means unlimited
}

// defaultFaultMessages are English messages for common error codes, worded
// after the descriptions in the SDK's errors.go.
var defaultFaultMessages = map[string]string{
	"InternalError":        "An internal error has occurred. Retry your request, but if the problem persists, contact us.",
	"RequestLimitExceeded": "The number of requests exceeds the frequency limit.",
	"ResourceUnavailable":  "The resource is unavailable.",
	"FailedOperation":      "The operation failed.",
}

// InjectFault adds a fault. For each call the first added fault whose
// Action matches is used, so faults for one action are consumed in the
// order they were added.
func (e *Emulator) InjectFault(f Fault) {
	remaining := f.Times
	if remaining == 0 {
		remaining = 1
	}

	e.mu.Lock()
	defer e.mu.Unlock()

	e.faults = append(e.faults, &activeFault{Fault: f, remaining: remaining})
}

// ClearFaults removes every fault.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()

	e.faults = nil
}

// takeFault returns the fault for one call of action, if any, and counts
// the call against it.
func (e *Emulator) takeFault(action string) (Fault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()

	for i, f := range e.faults {
		if f.Action != "" && f.Action != action {
			continue
		}

		if f.remaining > 0 {
			f.remaining--
			if f.remaining == 0 {
				e.faults = append(e.faults[:i:i], e.faults[i+1:]...)
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// applyFault applies the next fault for the call. It reports whether the
// call is settled, in which case the action must not run, and the error
// code to record.
func (e *Emulator) applyFault(w http.ResponseWriter, r *http.Request, call Call) (bool, string) {
	fault, ok := e.takeFault(call.Action)
	if !ok {
		return false, ""
	}
	e.log.Info("applying injected fault", "action", call.Action, "request_id", call.RequestId,
		"code", fault.Code, "delay", fault.Delay, "drop", fault.Drop)

	if fault.Delay > 0 && !wait(fault.Delay, r.Context().Done(), e.ctx.Done()) {
		return true, CodeClientGone
	}
	if fault.Drop {
		return true, e.dropConnection(w, call)
	}
	if fault.Code == "" {
		return false, ""
	}

	message := fault.Message
	if message == "" {
		message = defaultFaultMessages[fault.Code]
	}
	if message == "" {
		message = "The request failed with " + fault.Code + "."
	}
	writeAPIError(w, call.RequestId, &apiError{Code: fault.Code, Message: message})
	return true, fault.Code
}

// dropConnection closes the client connection without writing a response
// and returns the error code to record. A connection that cannot be
// hijacked, such as an HTTP/2 stream, gets InternalError instead.
func (e *Emulator) dropConnection(w http.ResponseWriter, call Call) string {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		e.log.Error("dropping the connection failed, returning InternalError instead",
			"request_id", call.RequestId, "error", err)
		writeAPIError(w, call.RequestId, newAPIError("InternalError", "The emulator could not drop the connection: %v.", err))
		return "InternalError"
	}

	_ = conn.Close()
	return CodeDropped
}
