package fakemode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// Request is one request the server received.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	// Username is the Basic-auth username sent, "" if none.
	Username string
	// Status is the status answered; 0 when the connection was reset.
	Status int
	At     time.Time
}

// Stats summarises the traffic seen so far.
type Stats struct {
	// Total is the number of requests received.
	Total int
	// ByStatus counts answers per HTTP status (0 = connection reset).
	ByStatus map[int]int
	// RateLimited is the number of 429 answers from the rate limiter.
	RateLimited int
	// MaxInWindow is the largest number of requests (admitted or not) one
	// username sent within any sliding rate-limit window.
	MaxInWindow int
	// MaxInWindowByUser is MaxInWindow per username.
	MaxInWindowByUser map[string]int
}

// Server is a fake Mode REST API listening on 127.0.0.1.
type Server struct {
	ws  *Workspace
	cfg config
	idx *index
	ts  *httptest.Server

	// mu guards everything below.
	mu          sync.Mutex
	requests    []Request
	stats       Stats
	admitted    map[string][]time.Time // per user: admitted request times in the window
	seen        map[string][]time.Time // per user: all request times in the window
	deleted     map[string]bool
	faultsLeft  []int // remaining uses per fault; -1 = unlimited
	deleteAfter []deleteAfter
}

// NewServer starts a fake Mode serving ws on 127.0.0.1. Close it when done.
func NewServer(ws *Workspace, opts ...Option) *Server {
	s := newServer(ws, opts...)
	s.ts = httptest.NewServer(s)
	return s
}

// newServer builds an unstarted server; Handler serves it.
func newServer(ws *Workspace, opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		ws:          ws,
		cfg:         cfg,
		idx:         buildIndex(ws),
		admitted:    map[string][]time.Time{},
		seen:        map[string][]time.Time{},
		deleted:     map[string]bool{},
		deleteAfter: append([]deleteAfter(nil), cfg.deleteAfter...),
		stats:       Stats{ByStatus: map[int]int{}, MaxInWindowByUser: map[string]int{}},
	}
	for _, f := range cfg.faults {
		left := f.Times
		if left <= 0 {
			left = -1
		}
		s.faultsLeft = append(s.faultsLeft, left)
	}
	return s
}

// URL is the base URL without /api, e.g. http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.ts.URL }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close shuts the server down, dropping open connections.
func (s *Server) Close() {
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// Handler is the server's http.Handler, for mounting elsewhere.
func (s *Server) Handler() http.Handler { return s }

// Workspace returns the served workspace.
func (s *Server) Workspace() *Workspace { return s.ws }

// Requests returns a copy of the request log, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Stats returns a snapshot of the traffic counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.stats
	out.ByStatus = make(map[int]int, len(s.stats.ByStatus))
	for k, v := range s.stats.ByStatus {
		out.ByStatus[k] = v
	}
	out.MaxInWindowByUser = make(map[string]int, len(s.stats.MaxInWindowByUser))
	for k, v := range s.stats.MaxInWindowByUser {
		out.MaxInWindowByUser[k] = v
	}
	return out
}

// Delete deletes the report, dataset, query, chart or collection with the
// given token: from now on it answers 404 and is left out of lists (a
// deleted collection takes its reports with it). The model is not changed.
func (s *Server) Delete(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleted[token] = true
}

// response is a fully rendered answer, written (or truncated) at the end.
type response struct {
	status int
	header http.Header
	body   []byte
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	username, password, hasAuth := r.BasicAuth()
	now := s.cfg.clock()
	fault := s.arrive(r, username, now)

	if d := s.cfg.latency + fault.Delay; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	if fault.ResetConn {
		s.finish(r, username, now, 0)
		resetConn(w)
		return
	}

	resp := s.answer(r, fault, username, password, hasAuth)
	s.finish(r, username, now, resp.status)
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	if fault.Truncate {
		truncate(w, resp)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(resp.body) // a client gone away is not the server's problem
	}
}

// answer produces the response: an injected status, auth, rate limit,
// method check, then the route.
func (s *Server) answer(r *http.Request, fault Fault, username, password string, hasAuth bool) response {
	if fault.Status != 0 {
		return errorResponse(fault.Status, errorID(fault.Status), "injected fault")
	}
	if !hasAuth || username != s.cfg.token || password != s.cfg.secret {
		resp := errorResponse(http.StatusUnauthorized, "unauthorized",
			"You must be authenticated to access this resource. Check your API token and secret.")
		resp.header.Set("WWW-Authenticate", `Basic realm="Mode API"`)
		return resp
	}
	limited, remaining, retry := s.admit(username)
	var resp response
	switch {
	case limited:
		resp = errorResponse(http.StatusTooManyRequests, "rate_limited",
			"Rate limit exceeded. Slow down your requests.")
		if s.cfg.retryAfter {
			resp.header.Set("Retry-After", strconv.Itoa(retry))
		}
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		resp = errorResponse(http.StatusMethodNotAllowed, "method_not_allowed",
			"This fake Mode API is read-only: "+r.Method+" is not allowed.")
		resp.header.Set("Allow", "GET, HEAD")
	default:
		resp = s.route(r)
	}
	if s.cfg.rateHeaders && s.cfg.rateN > 0 {
		resp.header.Set("X-RateLimit-Limit", strconv.Itoa(s.cfg.rateN))
		resp.header.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	}
	return resp
}

// arrive records a request's arrival: it applies due deletions, measures
// the per-user window and picks the fault that applies, if any.
func (s *Server) arrive(r *http.Request, username string, now time.Time) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Total++
	kept := s.deleteAfter[:0]
	for _, d := range s.deleteAfter {
		if s.stats.Total > d.after {
			s.deleted[d.token] = true
		} else {
			kept = append(kept, d)
		}
	}
	s.deleteAfter = kept

	if username != "" {
		win := trimWindow(s.seen[username], now.Add(-s.cfg.rateWindow))
		win = append(win, now)
		s.seen[username] = win
		if len(win) > s.stats.MaxInWindowByUser[username] {
			s.stats.MaxInWindowByUser[username] = len(win)
		}
		if len(win) > s.stats.MaxInWindow {
			s.stats.MaxInWindow = len(win)
		}
	}
	for i := range s.cfg.faults {
		f := &s.cfg.faults[i]
		if s.faultsLeft[i] == 0 || !f.matches(r) {
			continue
		}
		if s.faultsLeft[i] > 0 {
			s.faultsLeft[i]--
		}
		return *f
	}
	return Fault{}
}

// admit applies the sliding-window limit to an authenticated request. It
// returns whether the request is refused, the requests left in the window,
// and the whole seconds until a slot frees up.
func (s *Server) admit(username string) (limited bool, remaining, retryAfter int) {
	if s.cfg.rateN <= 0 {
		return false, 0, 0
	}
	now := s.cfg.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	win := trimWindow(s.admitted[username], now.Add(-s.cfg.rateWindow))
	if len(win) >= s.cfg.rateN {
		s.admitted[username] = win
		s.stats.RateLimited++
		wait := win[0].Add(s.cfg.rateWindow).Sub(now)
		secs := int((wait + time.Second - 1) / time.Second)
		return true, 0, max(secs, 1)
	}
	win = append(win, now)
	s.admitted[username] = win
	return false, s.cfg.rateN - len(win), 0
}

// trimWindow drops times at or before cutoff from the sorted window.
func trimWindow(win []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(win) && !win[i].After(cutoff) {
		i++
	}
	if i > 0 && i == len(win) {
		return win[:0]
	}
	return win[i:]
}

// finish logs the answered request.
func (s *Server) finish(r *http.Request, username string, at time.Time, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.ByStatus[status]++
	if s.cfg.recordRequests {
		s.requests = append(s.requests, Request{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			Username: username, Status: status, At: at,
		})
	}
}

// errorID maps a status to Mode's error id enum.
func errorID(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusRequestEntityTooLarge:
		return "payload_too_large"
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return "service_unavailable"
	default:
		return "internal_server_error"
	}
}

// errorResponse renders Mode's {"id","message"} error body.
func errorResponse(status int, id, msg string) response {
	return jsonResponse(status, errorJSON{ID: id, Message: msg})
}

// jsonResponse renders v as Mode's HAL JSON.
func jsonResponse(status int, v any) response {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return response{status: http.StatusInternalServerError, header: http.Header{},
			body: []byte(`{"id":"internal_server_error","message":"encode response"}`)}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/hal+json; charset=utf-8")
	return response{status: status, header: h, body: bytes.TrimRight(buf.Bytes(), "\n")}
}

// notFound is the 404 for a missing or invisible object.
func notFound(what string) response {
	return errorResponse(http.StatusNotFound, "not_found", fmt.Sprintf("%s not found", what))
}

// resetConn closes the client connection with a TCP reset (SO_LINGER 0).
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// truncate writes the status line, headers (announcing the full length) and
// half the body, then closes the connection: the client sees an unexpected
// EOF while reading the body.
func truncate(w http.ResponseWriter, resp response) {
	half := resp.body[:len(resp.body)/2]
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(resp.status)
		_, _ = w.Write(half)
		return
	}
	conn, bufrw, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	resp.header.Set("Content-Length", strconv.Itoa(len(resp.body)))
	fmt.Fprintf(bufrw, "HTTP/1.1 %d %s\r\n", resp.status, http.StatusText(resp.status))
	_ = resp.header.Write(bufrw)
	_, _ = bufrw.WriteString("\r\n")
	_, _ = bufrw.Write(half)
	_ = bufrw.Flush()
}
