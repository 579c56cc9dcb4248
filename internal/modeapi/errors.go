package modeapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// ErrTooManyPages is returned when a listing exceeds the page guard, which
// only a misbehaving server can cause.
var ErrTooManyPages = errors.New("listing exceeds the page guard")

// maxErrorMessage bounds the message kept from an error body (HTML error
// pages from proxies can be large).
const maxErrorMessage = 300

// APIError is a non-2xx answer from Mode, after retries. Its text never
// contains credentials.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// ID is Mode's error id ("not_found", "rate_limited", ...), if the body
	// was Mode's JSON error.
	ID string
	// Message is Mode's message, or the start of a non-JSON body.
	Message string
	// Method and Path identify the request (no host, no query).
	Method, Path string
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: status %d", e.Method, e.Path, e.StatusCode)
	if e.ID != "" {
		b.WriteString(" " + e.ID)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// IsNotFound reports whether err is (or wraps) a 404 from Mode: the object
// (or the workspace it lives in) does not exist, e.g. deleted mid-crawl.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsAuth reports whether err is (or wraps) a 401 or 403 from Mode: bad
// credentials, or a token without access.
func IsAuth(err error) bool {
	return hasStatus(err, http.StatusUnauthorized) || hasStatus(err, http.StatusForbidden)
}

// IsRateLimited reports whether err is (or wraps) a 429 that outlived all
// retries.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

func hasStatus(err error, status int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == status
}

// newAPIError builds an APIError from a response whose body was read. Mode's
// error body is {"id": ..., "message": ...}; anything else is kept as a short
// message. Credentials are scrubbed in case a proxy echoed the request.
func newAPIError(resp *http.Response, body []byte, creds Credentials) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Method: http.MethodGet}
	if resp.Request != nil && resp.Request.URL != nil {
		e.Method = resp.Request.Method
		e.Path = resp.Request.URL.Path
	}
	var eb ErrorBody
	if err := json.Unmarshal(body, &eb); err == nil && (eb.ID != "" || eb.Message != "") {
		e.ID, e.Message = eb.ID, eb.Message
	} else {
		e.Message = strings.Join(strings.Fields(string(body)), " ")
	}
	e.Message = truncate(scrub(e.Message, creds), maxErrorMessage)
	return e
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// scrub removes the secret and the Basic credentials from s.
func scrub(s string, creds Credentials) string {
	if creds.Secret == "" {
		return s
	}
	basic := base64.StdEncoding.EncodeToString([]byte(creds.Token + ":" + creds.Secret))
	s = strings.ReplaceAll(s, basic, "[REDACTED]")
	return strings.ReplaceAll(s, creds.Secret, "[REDACTED]")
}
