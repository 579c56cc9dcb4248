package modeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ReadOnlyError is returned when anything tries to send a request other than
// GET through the client's transport.
type ReadOnlyError struct {
	Method string
}

// Error implements error.
func (e *ReadOnlyError) Error() string {
	return "refuse " + e.Method + " request: modecrawl only reads from Mode"
}

// errAttemptTimeout is the cancellation cause of a per-attempt deadline, so
// a timed-out attempt can be told apart from the caller's own deadline.
var errAttemptTimeout = errors.New("attempt timed out")

// attemptError marks a transport failure of one attempt that is worth
// retrying: a per-attempt timeout or a body that ended early or is not
// complete JSON.
type attemptError struct {
	op  string
	err error
}

func (e *attemptError) Error() string { return e.op + ": " + e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

// readOnlyTransport is the bottom of the stack. It refuses every method but
// GET, bounds each attempt with a timeout, and reads the whole body before
// returning, so that a connection closed mid-body surfaces as an error the
// retry layer sees (rather than as partial JSON handed to a decoder).
type readOnlyTransport struct {
	next    http.RoundTripper
	timeout time.Duration
}

// RoundTrip implements http.RoundTripper.
func (t *readOnlyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, &ReadOnlyError{Method: req.Method}
	}
	parent := req.Context()
	ctx, cancel := context.WithTimeoutCause(parent, t.timeout, errAttemptTimeout)
	defer cancel()

	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return nil, t.attemptErr(ctx, parent, "send request", err)
	}
	body, err := readBody(resp.Body, resp.ContentLength)
	_ = resp.Body.Close()
	if err != nil {
		return nil, t.attemptErr(ctx, parent, "read body", err)
	}
	if len(body) > maxBodyBytes {
		return nil, fmt.Errorf("read body: response exceeds %d bytes", maxBodyBytes)
	}
	// A 2xx JSON body that does not parse was cut short somewhere (a proxy,
	// a dropped connection with a lying Content-Length): retry it rather than
	// decode a prefix of the list.
	if resp.StatusCode/100 == 2 && len(body) > 0 && isJSON(resp.Header.Get("Content-Type")) && !json.Valid(body) {
		return nil, &attemptError{op: "read body", err: errors.New("incomplete JSON body")}
	}
	resp.Body = &bufferedBody{Reader: bytes.NewReader(body), data: body}
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// bufferedBody is a response body already read into memory; the client
// takes data directly instead of copying it a second time.
type bufferedBody struct {
	*bytes.Reader
	data []byte
}

// Close implements io.Closer.
func (*bufferedBody) Close() error { return nil }

// readBody reads a whole body (at most maxBodyBytes+1 bytes), sized up
// front when the server announced a length.
func readBody(r io.Reader, length int64) ([]byte, error) {
	lr := io.LimitReader(r, maxBodyBytes+1)
	if length <= 0 || length > maxBodyBytes {
		return io.ReadAll(lr)
	}
	// bytes.Buffer wants MinRead (512) bytes of spare room before it reads.
	buf := bytes.NewBuffer(make([]byte, 0, length+bytes.MinRead))
	_, err := buf.ReadFrom(lr)
	return buf.Bytes(), err
}

// attemptErr classifies a transport error: the caller's own cancellation is
// returned as is; our per-attempt deadline becomes a retryable attemptError.
func (t *readOnlyTransport) attemptErr(ctx, parent context.Context, op string, err error) error {
	if parent.Err() != nil {
		return err
	}
	if errors.Is(context.Cause(ctx), errAttemptTimeout) {
		return &attemptError{op: op, err: fmt.Errorf("%w after %v", errAttemptTimeout, t.timeout)}
	}
	if op == "read body" {
		return &attemptError{op: op, err: err}
	}
	return err
}

func isJSON(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// limitTransport applies the client's single token bucket to every attempt,
// retries included, and reacts to Mode's rate-limit feedback by holding every
// worker back.
type limitTransport struct {
	next     http.RoundTripper
	lim      *rate.Limiter
	base     float64       // configured paced rate; the adaptive rate never exceeds it
	interval time.Duration // window/limit: the time for one request slot to free up
	stats    *counters
	sem      chan struct{}                     // one waiter holds a reservation at a time
	holdHook func(time.Duration) time.Duration // tests: replaces every hold

	mu        sync.Mutex // guards holdUntil and read-modify-write of the limiter's rate
	holdUntil time.Time
}

func newLimitTransport(next http.RoundTripper, rps float64, stats *counters) *limitTransport {
	t := &limitTransport{next: next, lim: limiterFor(rps), stats: stats, sem: make(chan struct{}, 1)}
	if rps > 0 {
		t.base = paceFactor * rps
		t.interval = time.Duration(float64(time.Second) / rps)
	}
	return t
}

// RoundTrip implements http.RoundTripper.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := t.waitToken(ctx); err != nil {
		return nil, err
	}
	t.stats.total.Add(1)
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	remaining, hasRemaining := -1, false
	if v := strings.TrimSpace(resp.Header.Get("X-RateLimit-Remaining")); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			remaining, hasRemaining = n, true
		}
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		t.stats.rateLimited.Add(1)
		hold := t.interval
		if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && ra > hold {
			hold = ra
		}
		t.hold(hold)
		t.adapt(decreaseOn429)
	case hasRemaining && remaining <= 0:
		// When another job shares the token, Mode's bucket can be full even
		// though our own pacing is within limits. Remaining 0 means the next
		// request would be refused: wait about one slot for it to drain. The
		// pace itself is left alone: paced at 97.5% of the limit, our own
		// traffic keeps Remaining near zero, so jitter alone can empty it.
		t.hold(t.interval)
	default:
		t.adapt(increase)
	}
	return resp, nil
}

// waitToken waits out any hold, then takes the next slot of the bucket and
// sleeps until it is due.
//
// Only one goroutine at a time holds a reservation (sem). With
// rate.Limiter.Wait, every worker reserves a future slot and sleeps; when
// the process stalls (GC, CPU contention) or a hold ends, all sleepers wake
// together and their past-due slots go out as one burst that Mode's sliding
// window counts together. A single sleeper keeps the schedule (a late
// wake-up does not lose throughput) while a stall or hold can release at
// most two requests back to back.
func (t *limitTransport) waitToken(ctx context.Context) error {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-t.sem }()
	if err := t.waitHold(ctx); err != nil {
		return err
	}
	r := t.lim.Reserve()
	if !r.OK() {
		return errors.New("rate limiter cannot grant a request")
	}
	if d := r.Delay(); d > 0 {
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			r.Cancel()
			return ctx.Err()
		case <-timer.C:
		}
	}
	// A response that arrived while we slept may have asked for a hold.
	return t.waitHold(ctx)
}

// Adaptive pacing (AIMD): Mode's budget is per token, so another job using
// the same token shrinks our share without telling us. A 429 halves the
// pace and every other answer wins back a little, never above the configured rate and never below a
// floor that keeps the crawl moving.
const (
	decreaseOn429   = -0.5
	increase        = 0.02 // of the configured rate per answer
	minPaceFraction = 0.1
)

// adapt applies one AIMD step: a negative delta multiplies the current rate
// by (1+delta); a positive one adds delta×base.
func (t *limitTransport) adapt(delta float64) {
	if t.base <= 0 {
		return // pacing disabled
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := float64(t.lim.Limit())
	next := cur
	if delta < 0 {
		next = max(cur*(1+delta), t.base*minPaceFraction)
	} else if cur < t.base {
		next = min(cur+delta*t.base, t.base)
	}
	if next != cur {
		t.lim.SetLimit(rate.Limit(next))
	}
}

// hold keeps every worker from sending before now+d.
func (t *limitTransport) hold(d time.Duration) {
	if t.holdHook != nil {
		d = t.holdHook(d)
	}
	if d <= 0 {
		return
	}
	until := time.Now().Add(d)
	t.mu.Lock()
	if until.After(t.holdUntil) {
		t.holdUntil = until
	}
	t.mu.Unlock()
}

// waitHold sleeps until the current hold has passed or ctx is done.
func (t *limitTransport) waitHold(ctx context.Context) error {
	for {
		t.mu.Lock()
		d := time.Until(t.holdUntil)
		t.mu.Unlock()
		if d <= 0 {
			return nil
		}
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
			// Loop: another response may have extended the hold meanwhile.
		}
	}
}
