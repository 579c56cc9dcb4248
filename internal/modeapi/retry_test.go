package modeapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failThen answers the first n requests with fail, then a verify body.
func failThen(n int, fail func(w http.ResponseWriter, r *http.Request)) http.Handler {
	var count atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) <= int64(n) {
			fail(w, r)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"workspace": "acme", "workspace_token": "abc"})
	})
}

func status(code int) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, code, map[string]string{"id": "x", "message": http.StatusText(code)})
	}
}

func TestRetryOnTransientStatus(t *testing.T) {
	tests := []struct {
		status    int
		wantRetry bool
	}{
		{http.StatusTooManyRequests, true},
		{http.StatusInternalServerError, true},
		{http.StatusBadGateway, true},
		{http.StatusServiceUnavailable, true},
		{http.StatusGatewayTimeout, true},
		{http.StatusBadRequest, false},
		{http.StatusUnauthorized, false},
		{http.StatusForbidden, false},
		{http.StatusNotFound, false},
		{http.StatusMethodNotAllowed, false},
		{http.StatusConflict, false},
		{http.StatusUnprocessableEntity, false},
		{http.StatusNotImplemented, false},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			srv, rec := serve(t, failThen(2, status(tt.status)))
			c := newTestClient(t, srv.URL)
			v, err := c.Verify(context.Background())
			st := c.Stats()
			if tt.wantRetry {
				require.NoError(t, err)
				assert.Equal(t, "acme", v.Workspace)
				assert.Len(t, rec.requests(), 3)
				assert.Equal(t, Stats{Total: 3, Retried: 2, RateLimited: map[bool]int64{true: 2}[tt.status == 429]}, st)
				return
			}
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.StatusCode)
			assert.Len(t, rec.requests(), 1, "a non-transient 4xx/5xx is never retried")
			assert.Equal(t, Stats{Total: 1}, st)
		})
	}
}

func TestRetriesExhausted(t *testing.T) {
	srv, rec := serve(t, failThen(100, status(http.StatusServiceUnavailable)))
	c := newTestClient(t, srv.URL, WithRetry(2, time.Millisecond, time.Millisecond))
	_, err := c.Verify(context.Background())
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusServiceUnavailable, ae.StatusCode)
	assert.Len(t, rec.requests(), 3, "1 attempt + 2 retries")
}

func TestRetryOnBrokenConnections(t *testing.T) {
	full := `{"workspace":"acme","workspace_token":"abc"}`
	tests := []struct {
		name string
		fail func(w http.ResponseWriter, r *http.Request)
	}{
		{"connection reset before response", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}},
		{"body cut short (content-length)", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(full)))
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(full[:len(full)/2]))
		}},
		{"body cut short (chunked)", func(w http.ResponseWriter, r *http.Request) {
			conn, bw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			_, _ = bw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
			_, _ = bw.WriteString(strconv.FormatInt(int64(len(full)/2), 16) + "\r\n" + full[:len(full)/2] + "\r\n")
			_ = bw.Flush()
			_ = conn.Close()
		}},
		{"complete response, incomplete JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/hal+json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(full[:len(full)/2]))
		}},
		{"attempt timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := serve(t, failThen(1, tt.fail))
			c := newTestClient(t, srv.URL, WithTimeout(200*time.Millisecond))
			v, err := c.Verify(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "acme", v.Workspace, "the retried answer, never a partial one")
			assert.Len(t, rec.requests(), 2)
			assert.Equal(t, int64(1), c.Stats().Retried)
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	date := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name     string
		header   string
		min, max time.Duration
	}{
		{"seconds", "7", 7 * time.Second, 7 * time.Second},
		{"fractional seconds", "0.5", 500 * time.Millisecond, 500 * time.Millisecond},
		{"http date", date, 1 * time.Second, 3 * time.Second},
		{"absurd value is capped", "86400", maxRetryAfter, maxRetryAfter},
		{"absent: backoff from min wait", "", 50 * time.Millisecond, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := serve(t, failThen(1, func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				status(http.StatusTooManyRequests)(w, r)
			}))
			var mu sync.Mutex
			var waits []time.Duration
			c := newTestClient(t, srv.URL,
				WithRetry(3, 100*time.Millisecond, time.Second),
				withWaitHook(func(d time.Duration) time.Duration {
					mu.Lock()
					waits = append(waits, d)
					mu.Unlock()
					return time.Millisecond
				}),
				withHoldHook(func(time.Duration) time.Duration { return 0 }))
			_, err := c.Verify(context.Background())
			require.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, waits, 1)
			assert.GreaterOrEqual(t, waits[0], tt.min)
			assert.LessOrEqual(t, waits[0], tt.max)
		})
	}
}

func TestExpJitterBounds(t *testing.T) {
	tests := []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{0, 500 * time.Millisecond, time.Second},
		{1, time.Second, 2 * time.Second},
		{3, 4 * time.Second, 8 * time.Second},
		{6, 30 * time.Second, 60 * time.Second}, // 64 s capped at 60 s
		{200, 30 * time.Second, 60 * time.Second},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.attempt), func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 200 {
				d := expJitter(time.Second, 60*time.Second, tt.attempt)
				assert.GreaterOrEqual(t, d, tt.lo)
				assert.LessOrEqual(t, d, tt.hi)
				seen[d] = true
			}
			assert.Greater(t, len(seen), 1, "waits are jittered")
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{" 10 ", 10 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestCancelDuringBackoff: a crawl cancelled while the client sleeps before
// a retry returns at once with the context's error.
func TestCancelDuringBackoff(t *testing.T) {
	tests := []struct {
		name   string
		header string
	}{
		{"exponential backoff", ""},
		{"long Retry-After", "30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hit := make(chan struct{}, 10)
			srv, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				status(http.StatusServiceUnavailable)(w, r)
				hit <- struct{}{}
			}))
			c := newTestClient(t, srv.URL, WithRetry(8, 30*time.Second, 60*time.Second))
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				<-hit
				time.Sleep(20 * time.Millisecond) // now inside the backoff sleep
				cancel()
			}()
			start := time.Now()
			_, err := c.Verify(ctx)
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
			assert.Less(t, elapsed, 150*time.Millisecond, "returns within ~100 ms of the cancel")
		})
	}
}

// TestCancelDuringRateLimitHold: the hold after a 429 also ends on cancel.
func TestCancelDuringRateLimitHold(t *testing.T) {
	srv, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		status(http.StatusTooManyRequests)(w, r)
	}))
	c := newTestClient(t, srv.URL, WithRateLimit(4), withWaitHook(func(time.Duration) time.Duration { return 0 }))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Verify(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 200*time.Millisecond)
	assert.Equal(t, int64(1), c.Stats().RateLimited)
}

// TestCancelStopsPromptly: cancellation ends a request that is in flight or
// waiting for the rate limiter, with the context's error.
func TestCancelStopsPromptly(t *testing.T) {
	tests := []struct {
		name string
		rps  float64
		slow bool
	}{
		{"in flight", 0, true},
		{"waiting for the limiter", 0.05, false}, // one slot per 20 s
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.slow {
					select {
					case <-r.Context().Done():
					case <-time.After(5 * time.Second):
					}
				}
				writeJSON(w, http.StatusOK, map[string]string{"workspace": "acme"})
			}))
			c := newTestClient(t, srv.URL, WithRateLimit(tt.rps))
			if !tt.slow {
				_, err := c.Verify(context.Background()) // takes the only token
				require.NoError(t, err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(30*time.Millisecond, cancel)
			start := time.Now()
			_, err := c.Verify(ctx)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Less(t, time.Since(start), 150*time.Millisecond)
		})
	}
}

func TestRetryableError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"EOF", io.EOF, true},
		{"unexpected EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{"refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, true},
		{"attempt timeout", &attemptError{op: "send request", err: errAttemptTimeout}, true},
		{"http2 goaway", errors.New("http2: server sent GOAWAY and closed the connection"), true},
		{"unknown host", &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}, false},
		{"read-only refusal", &ReadOnlyError{Method: http.MethodPost}, false},
		{"tls", errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, retryableError(tt.err))
		})
	}
}
