// Package scfharness starts a built SCF Go binary and invokes it the way the
// SCF Go1 runtime does. It sets _LAMBDA_SERVER_PORT, waits for the binary's
// net/rpc server, and calls Function.Invoke with the event as payload, a
// deadline, the request id and the invocation's environment. Tests and the
// local demo use it; production never does.
package scfharness

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/rpc"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tencentyun/scf-go-lib/cloudfunction/messages"
)

// Defaults for Options and Invocation.
const (
	DefaultStartTimeout = 10 * time.Second
	DefaultTimeout      = 3 * time.Second // SCF's default function timeout
	DefaultMemoryMB     = 128
	DefaultFunctionName = "vodhook"
)

// ErrTimeout means the function did not respond within its timeout. SCF
// reports such an invocation as timed out.
var ErrTimeout = errors.New("invocation timed out")

// Options describe how to start the binary.
type Options struct {
	Binary string   // path of the built binary
	Dir    string   // working directory, SCF's code root; default the current one
	Env    []string // process environment in addition to the harness's own

	// Stdout receives the binary's standard output line by line; Stderr its
	// standard error. Nil discards.
	Stdout func(line string)
	Stderr func(line string)

	StartTimeout time.Duration
}

// Process is a running function binary.
type Process struct {
	cmd     *exec.Cmd
	client  *rpc.Client
	addr    string
	done    chan struct{}
	waitErr error
	output  sync.WaitGroup
	counter atomic.Uint64
}

// Start starts the binary and waits until its RPC server responds to Ping.
func Start(ctx context.Context, opts Options) (*Process, error) {
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = DefaultStartTimeout
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	// Resolve the path now: a relative one would be taken from Dir.
	binary, err := filepath.Abs(opts.Binary)
	if err != nil {
		return nil, err
	}

	cmd := exec.Command(binary)
	killWithParent(cmd)
	cmd.Dir = opts.Dir
	cmd.Env = append(os.Environ(), opts.Env...)
	cmd.Env = append(cmd.Env, "_LAMBDA_SERVER_PORT="+strconv.Itoa(port))
	p := &Process{cmd: cmd, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), done: make(chan struct{})}

	if err := p.pipeOutput(opts); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", opts.Binary, err)
	}
	go func() {
		p.output.Wait()
		p.waitErr = cmd.Wait()
		close(p.done)
	}()

	if err := p.connect(ctx, opts.StartTimeout); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Process) pipeOutput(opts Options) error {
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		return err
	}
	p.output.Add(2)
	go p.forward(stdout, opts.Stdout)
	go p.forward(stderr, opts.Stderr)
	return nil
}

func (p *Process) forward(r io.Reader, sink func(string)) {
	defer p.output.Done()
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for scanner.Scan() {
		if sink != nil {
			sink(scanner.Text())
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

// connect dials the binary's RPC server until it responds to Ping, the process
// exits, or the timeout passes.
func (p *Process) connect(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	for {
		client, err := rpc.Dial("tcp", p.addr)
		if err == nil {
			if err = client.Call("Function.Ping", &messages.PingRequest{}, &messages.PingResponse{}); err == nil {
				p.client = client
				return nil
			}
			client.Close()
		}

		select {
		case <-p.done:
			return fmt.Errorf("function binary exited before serving RPC: %v", p.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("function binary did not serve RPC on %s within %s: %w", p.addr, timeout, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Invocation is one call of the function.
type Invocation struct {
	Payload      []byte
	RequestID    string            // default a generated id
	Timeout      time.Duration     // function timeout; default DefaultTimeout
	Environment  map[string]string // applied by the function with os.Setenv
	FunctionName string
	MemoryMB     int32
	Region       string
}

// Result is the function's response to one invocation.
type Result struct {
	RequestID string
	Payload   []byte
	// Error is the function error scf-go-lib reported (a handler error or a
	// panic); nil when the function responded normally.
	Error    *messages.InvokeResponse_Error
	Duration time.Duration
}

// Invoke calls Function.Invoke and waits for the response, at most the
// invocation's timeout plus a grace period for the RPC itself.
func (p *Process) Invoke(ctx context.Context, inv Invocation) (Result, error) {
	req, err := p.request(inv)
	if err != nil {
		return Result{}, err
	}

	start := time.Now()
	deadline := time.Unix(req.Deadline.Seconds, req.Deadline.Nanos)
	var resp messages.InvokeResponse
	call := p.client.Go("Function.Invoke", req, &resp, make(chan *rpc.Call, 1))

	select {
	case <-call.Done:
		if call.Error != nil {
			return Result{}, fmt.Errorf("invoke %s: %w", req.RequestId, call.Error)
		}
		return Result{RequestID: req.RequestId, Payload: resp.Payload, Error: resp.Error, Duration: time.Since(start)}, nil
	case <-time.After(time.Until(deadline) + 500*time.Millisecond):
		return Result{RequestID: req.RequestId}, fmt.Errorf("%w: %s did not respond within %s", ErrTimeout, req.RequestId, time.Since(start).Round(time.Millisecond))
	case <-ctx.Done():
		return Result{RequestID: req.RequestId}, ctx.Err()
	}
}

func (p *Process) request(inv Invocation) (*messages.InvokeRequest, error) {
	if inv.Timeout <= 0 {
		inv.Timeout = DefaultTimeout
	}
	if inv.RequestID == "" {
		inv.RequestID = fmt.Sprintf("local-%d-%d", time.Now().UnixNano(), p.counter.Add(1))
	}
	if inv.FunctionName == "" {
		inv.FunctionName = DefaultFunctionName
	}
	if inv.MemoryMB == 0 {
		inv.MemoryMB = DefaultMemoryMB
	}
	if inv.Region == "" {
		inv.Region = "ap-guangzhou"
	}

	env := ""
	if len(inv.Environment) > 0 {
		data, err := json.Marshal(inv.Environment)
		if err != nil {
			return nil, err
		}
		env = string(data)
	}

	deadline := time.Now().Add(inv.Timeout)
	return &messages.InvokeRequest{
		Payload:            inv.Payload,
		RequestId:          inv.RequestID,
		Deadline:           messages.InvokeRequest_Timestamp{Seconds: deadline.Unix(), Nanos: int64(deadline.Nanosecond())},
		Namespace:          "default",
		FunctionName:       inv.FunctionName,
		FunctionVersion:    "$LATEST",
		MemoryLimitInMb:    inv.MemoryMB,
		TimeLimitInMs:      int32(inv.Timeout.Milliseconds()),
		Environment:        env,
		TencentcloudRegion: inv.Region,
		TencentcloudAppID:  "1250000000",
		TencentcloudUin:    "100000000001",
	}, nil
}

// Close stops the binary and waits for it to exit.
func (p *Process) Close() error {
	if p.client != nil {
		p.client.Close()
	}
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	return nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// PID returns the process id of the binary.
func (p *Process) PID() int {
	return p.cmd.Process.Pid
}
