package emulator

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is an Emulator listening on a TCP address.
type Server struct {
	*Emulator
	URL      string // base URL, e.g. http://127.0.0.1:40123
	Endpoint string // host:port, the value for the SDK's HttpProfile.Endpoint

	server    *http.Server
	closeOnce sync.Once
}

// Start creates an emulator with opts and serves it on addr, for example
// "127.0.0.1:0" for a free loopback port.
func Start(addr string, opts Options) (*Server, error) {
	e, err := New(opts)
	if err != nil {
		return nil, err
	}

	listener, err := net.Listen("tcp", addr)
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}

	endpoint := listener.Addr().String()
	s := &Server{
		Emulator: e,
		URL:      "http://" + endpoint,
		Endpoint: endpoint,
		server:   &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second},
	}

	go func() {
		err := s.server.Serve(listener)
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("emulator server stopped", "address", endpoint, "error", err)
		}
	}()
	e.log.Info("emulator listening", "url", s.URL)
	return s, nil
}

// Close stops the listener, closes open connections and closes the
// emulator. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if err := s.server.Close(); err != nil {
			s.log.Error("closing the emulator server failed", "error", err)
		}
		s.Emulator.Close()
	})
}
