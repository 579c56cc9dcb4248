package modeapi

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// maxRetryAfter bounds a Retry-After header so a bogus value cannot park the
// crawl for hours; Mode's window is 10 s, so minutes are already generous.
const maxRetryAfter = 10 * time.Minute

// checkRetry decides whether an attempt is retried. Only transient failures
// are: 429, 500, 502, 503, 504 and network errors (resets, EOF, timeouts,
// truncated bodies). Every other 4xx is final — retrying a 404 or 401 only
// burns rate-limit budget.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if err != nil {
		ok := retryableError(err)
		if ok {
			c.log.Debug("mode request failed, will retry", "error", err)
		}
		return ok, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		c.log.Debug("mode answered a transient status, will retry", "status", resp.StatusCode)
		return true, nil
	}
	return false, nil
}

// retryableError reports whether a transport error is transient.
func retryableError(err error) bool {
	var ro *ReadOnlyError
	var ae *attemptError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &ro):
		return false
	case errors.As(err, &ae):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &dnsErr):
		// A name that does not exist will not start to exist in a minute.
		return !dnsErr.IsNotFound
	case errors.As(err, &netErr) && netErr.Timeout():
		return true
	}
	// net/http (and its HTTP/2 code) reports some connection failures only
	// as text.
	msg := err.Error()
	for _, s := range []string{"connection reset", "server closed idle connection", "broken pipe",
		"http2: server sent GOAWAY", "http2: client connection lost", "stream error"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// backoffFunc returns the retry layer's backoff: Retry-After when the server
// sent it (seconds or HTTP date), else exponential growth from minWait with
// "equal jitter" (half fixed, half random, so waits never collapse to zero),
// capped at maxWait. hook, when set, sees and replaces every wait (tests).
func backoffFunc(hook func(time.Duration) time.Duration) retryablehttp.Backoff {
	return func(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
		d, ok := time.Duration(0), false
		if resp != nil {
			d, ok = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		if !ok {
			d = expJitter(minWait, maxWait, attempt)
		}
		if hook != nil {
			d = hook(d)
		}
		return d
	}
}

// expJitter returns a wait in [e/2, e] where e = min(minWait·2^attempt, maxWait).
func expJitter(minWait, maxWait time.Duration, attempt int) time.Duration {
	e := maxWait
	if attempt < 40 && minWait > 0 {
		if v := minWait << attempt; v > 0 && v < maxWait {
			e = v
		}
	}
	if minWait == 0 {
		e = 0
	}
	half := e / 2
	if half <= 0 {
		return e
	}
	return half + rand.N(e-half+1)
}

// parseRetryAfter reads a Retry-After header: delta seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return min(time.Duration(secs*float64(time.Second)), maxRetryAfter), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxRetryAfter), true
}
