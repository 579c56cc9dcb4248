package fakemode

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Option configures a Server.
type Option func(*config)

// config is the server configuration built from Options.
type config struct {
	token, secret  string
	rateN          int
	rateWindow     time.Duration
	retryAfter     bool
	rateHeaders    bool
	paging         PagingMode
	pagingFor      []pathPaging
	faults         []Fault
	deleteAfter    []deleteAfter
	latency        time.Duration
	webBase        string
	recordRequests bool
	clock          func() time.Time
}

type pathPaging struct {
	contains string
	mode     PagingMode
}

type deleteAfter struct {
	token string
	after int
}

func defaultConfig() config {
	return config{
		token:          "demo-token",
		secret:         "demo-secret",
		rateN:          40,
		rateWindow:     10 * time.Second,
		rateHeaders:    true,
		webBase:        "https://app.mode.com",
		recordRequests: true,
		clock:          time.Now,
	}
}

// WithCredentials sets the accepted Basic-auth token (username) and secret
// (password). The default is "demo-token"/"demo-secret".
func WithCredentials(token, secret string) Option {
	return func(c *config) { c.token, c.secret = token, secret }
}

// WithRateLimit allows n requests per sliding window per Basic-auth username
// (Mode: about 40 per 10 s). n == 0 disables limiting; the window is still
// used to measure Stats.MaxInWindow.
func WithRateLimit(n int, window time.Duration) Option {
	return func(c *config) {
		c.rateN = n
		if window > 0 {
			c.rateWindow = window
		}
	}
}

// WithRetryAfter makes 429 responses carry Retry-After (whole seconds, at
// least 1). Mode does not document the header, so it is off by default.
func WithRetryAfter(on bool) Option { return func(c *config) { c.retryAfter = on } }

// WithRateLimitHeaders turns X-RateLimit-Limit and X-RateLimit-Remaining on
// or off (default on).
func WithRateLimitHeaders(on bool) Option { return func(c *config) { c.rateHeaders = on } }

// WithPaging sets the paging behaviour of every paged list.
func WithPaging(m PagingMode) Option { return func(c *config) { c.paging = m } }

// WithPagingFor sets the paging behaviour of lists whose path contains
// substr; the first matching WithPagingFor wins over WithPaging.
func WithPagingFor(substr string, m PagingMode) Option {
	return func(c *config) { c.pagingFor = append(c.pagingFor, pathPaging{substr, m}) }
}

// WithFault injects a fault; faults are checked in the order given and the
// first one that matches (and has Times left) applies.
func WithFault(f Fault) Option { return func(c *config) { c.faults = append(c.faults, f) } }

// WithDeleteAfter deletes the object with the given token (as Delete does)
// once afterRequests requests have been received, imitating an edit made
// while a crawl runs.
func WithDeleteAfter(token string, afterRequests int) Option {
	return func(c *config) { c.deleteAfter = append(c.deleteAfter, deleteAfter{token, afterRequests}) }
}

// WithLatency delays every response by d.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithWebBase sets the host of absolute web links (default
// "https://app.mode.com").
func WithWebBase(base string) Option {
	return func(c *config) { c.webBase = strings.TrimRight(base, "/") }
}

// WithRequestLog turns the request log behind Requests on or off (default
// on). Large benchmarks turn it off to keep memory flat; Stats still counts.
func WithRequestLog(on bool) Option { return func(c *config) { c.recordRequests = on } }

// WithClock replaces time.Now for rate-limit windows and request times.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// Fault is an injected failure. A request matches when every set matcher
// matches: Match (if non-nil) and PathContains (if non-empty, a substring of
// the path plus query string). Faults act before authentication and rate
// limiting, like a proxy or network failure in front of Mode: a faulted
// request uses no rate-limit slot, though it counts in Stats.MaxInWindow.
type Fault struct {
	// Match selects requests; nil matches all.
	Match func(*http.Request) bool
	// PathContains selects requests whose path?query contains it.
	PathContains string
	// Status, when non-zero, is answered with a Mode-style JSON error body
	// instead of the real response.
	Status int
	// Times is how many requests the fault applies to; 0 means all.
	Times int
	// Delay is waited before answering (or failing).
	Delay time.Duration
	// Truncate sends the real status and headers (with the full
	// Content-Length) but only half the body, then closes the connection.
	Truncate bool
	// ResetConn closes the connection with a TCP reset before answering.
	ResetConn bool
}

// matches reports whether f selects r.
func (f *Fault) matches(r *http.Request) bool {
	if f.PathContains != "" && !strings.Contains(r.URL.RequestURI(), f.PathContains) {
		return false
	}
	return f.Match == nil || f.Match(r)
}

// PagingMode is how the server pages lists: honestly (PagingHonour, the
// default) or in one of the ways real servers and proxies misbehave.
type PagingMode int

// Paging modes. Use PagingClamp for a per_page cap.
const (
	// PagingHonour honours page/per_page (default 30, max 1000); adds
	// "pagination" and _links.next_page/prev_page only when page or per_page
	// was given; past the end the _embedded list is empty.
	PagingHonour PagingMode = iota
	// PagingIgnorePerPage always uses 30 per page, even on lists that are
	// unpaged by default (data sources, definitions, memberships).
	PagingIgnorePerPage
	// PagingNoLinks pages like PagingHonour but never sends pagination or
	// next/prev links.
	PagingNoLinks
	// PagingAbsentKey answers past the end with "_embedded": {}.
	PagingAbsentKey
	// PagingRepeatLast answers past the end with the last page again.
	PagingRepeatLast

	pagingClampBase PagingMode = 1 << 20
)

// PagingClamp caps per_page at n (and the default page size at min(30, n)).
func PagingClamp(n int) PagingMode {
	if n < 1 {
		n = 1
	}
	return pagingClampBase + PagingMode(n)
}

// clamp returns the per_page cap of a PagingClamp mode, or 0.
func (m PagingMode) clamp() int {
	if m > pagingClampBase {
		return int(m - pagingClampBase)
	}
	return 0
}

// String names the mode.
func (m PagingMode) String() string {
	switch m {
	case PagingHonour:
		return "honour"
	case PagingIgnorePerPage:
		return "ignore-per-page"
	case PagingNoLinks:
		return "no-links"
	case PagingAbsentKey:
		return "absent-key"
	case PagingRepeatLast:
		return "repeat-last"
	}
	if n := m.clamp(); n > 0 {
		return "clamp-" + strconv.Itoa(n)
	}
	return "paging(" + strconv.Itoa(int(m)) + ")"
}
