package modeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"

	"github.com/modecrawl/modecrawl/internal/version"
)

// Defaults, from Mode's published limits and the behaviour of its API.
const (
	// DefaultRateLimit is Mode's published limit: about 40 requests per 10 s
	// per token.
	DefaultRateLimit = 4.0
	// DefaultPerPage is the largest page size Mode accepts; Mode's own
	// default (30) is what made other connectors lose reports.
	DefaultPerPage = 1000
	// DefaultTimeout bounds one attempt (connect, headers and whole body).
	DefaultTimeout = 60 * time.Second
	// DefaultMaxRetries is the number of retries after the first attempt.
	DefaultMaxRetries = 8
	// DefaultMinWait and DefaultMaxWait bound the exponential backoff.
	DefaultMinWait = time.Second
	// DefaultMaxWait caps one backoff sleep (Retry-After may ask for more).
	DefaultMaxWait = 60 * time.Second
	// DefaultMaxPages is the last-resort guard against a server that pages
	// forever.
	DefaultMaxPages = 100_000

	// paceFactor keeps the client slightly under the published rate so that
	// clock skew and network jitter never push a window over Mode's limit.
	paceFactor = 0.975
	// maxBodyBytes guards memory against a runaway response.
	maxBodyBytes = 512 << 20
)

// Credentials are a Mode API token ("Key ID") and its secret. String,
// GoString and LogValue never reveal the secret.
type Credentials struct {
	Token  string
	Secret string
}

// String returns the token and a redacted secret.
func (c Credentials) String() string {
	return "Credentials{Token: " + c.Token + ", Secret: " + redacted(c.Secret) + "}"
}

// GoString keeps %#v from printing the secret.
func (c Credentials) GoString() string { return c.String() }

// LogValue makes slog print the token and a redacted secret.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token", c.Token), slog.String("secret", redacted(c.Secret)))
}

// MarshalJSON keeps the secret out of any JSON the credentials end up in.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"token": c.Token, "secret": redacted(c.Secret)})
}

func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "[REDACTED]"
}

// Stats counts what the client has done since it was created.
type Stats struct {
	// Total is the number of attempts sent to Mode (retries included).
	Total int64
	// Retried is the number of attempts that were retries.
	Retried int64
	// RateLimited is the number of 429 responses seen.
	RateLimited int64
}

// counters are the live, concurrency-safe form of Stats.
type counters struct {
	total, retried, rateLimited atomic.Int64
}

// Client is a read-only Mode REST client. It is safe for concurrent use; all
// goroutines share one rate limiter.
type Client struct {
	site     *url.URL // scheme, host and optional path prefix (no trailing slash)
	creds    Credentials
	ua       string
	perPage  int
	maxPages int
	log      *slog.Logger
	http     *retryablehttp.Client
	stats    *counters
}

// config collects the options before New validates them.
type config struct {
	rps        float64
	httpClient *http.Client
	ua         string
	timeout    time.Duration
	maxRetries int
	minWait    time.Duration
	maxWait    time.Duration
	perPage    int
	maxPages   int
	log        *slog.Logger
	// waitHook, when set, replaces every computed backoff; tests use it to
	// record waits and sleep for microseconds instead.
	waitHook func(time.Duration) time.Duration
	// holdHook, when set, replaces every rate-limit hold (tests).
	holdHook func(time.Duration) time.Duration
}

// Option configures a Client.
type Option func(*config)

// WithRateLimit sets Mode's limit for the token in requests per second
// (default 4, i.e. 40 per 10 s). The client paces at 97.5% of it. A value of
// 0 disables client-side pacing.
func WithRateLimit(rps float64) Option { return func(c *config) { c.rps = rps } }

// WithHTTPClient sets the HTTP client whose transport, cookie jar and
// redirect policy are used underneath the limiter and retry layers. Its
// Timeout is ignored; use WithTimeout.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithUserAgent sets the User-Agent header (default version.UserAgent()).
func WithUserAgent(ua string) Option { return func(c *config) { c.ua = ua } }

// WithTimeout bounds each attempt, body included (default 60 s).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithRetry sets the number of retries and the backoff bounds
// (default 8, 1 s, 60 s).
func WithRetry(maxRetries int, minWait, maxWait time.Duration) Option {
	return func(c *config) { c.maxRetries, c.minWait, c.maxWait = maxRetries, minWait, maxWait }
}

// WithPerPage sets the page size sent as per_page (default and maximum 1000).
func WithPerPage(n int) Option { return func(c *config) { c.perPage = n } }

// WithLogger sets the logger for retries and paging warnings (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// withMaxPages lowers the page guard (tests).
func withMaxPages(n int) Option { return func(c *config) { c.maxPages = n } }

// withWaitHook intercepts every backoff wait (tests).
func withWaitHook(f func(time.Duration) time.Duration) Option {
	return func(c *config) { c.waitHook = f }
}

// withHoldHook intercepts every rate-limit hold (tests).
func withHoldHook(f func(time.Duration) time.Duration) Option {
	return func(c *config) { c.holdHook = f }
}

// New returns a client for the Mode instance at baseURL (e.g.
// "https://app.mode.com"; a trailing "/api" is accepted).
func New(baseURL string, creds Credentials, opts ...Option) (*Client, error) {
	cfg := config{
		rps:        DefaultRateLimit,
		ua:         version.UserAgent(),
		timeout:    DefaultTimeout,
		maxRetries: DefaultMaxRetries,
		minWait:    DefaultMinWait,
		maxWait:    DefaultMaxWait,
		perPage:    DefaultPerPage,
		maxPages:   DefaultMaxPages,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("configure mode client: %w", err)
	}
	if creds.Token == "" || creds.Secret == "" {
		return nil, errors.New("configure mode client: token and secret are required")
	}
	site, err := parseSite(baseURL)
	if err != nil {
		return nil, fmt.Errorf("configure mode client: %w", err)
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}

	c := &Client{
		site:     site,
		creds:    creds,
		ua:       cfg.ua,
		perPage:  cfg.perPage,
		maxPages: cfg.maxPages,
		log:      cfg.log,
		stats:    &counters{},
	}

	base := http.RoundTripper(nil)
	hc := &http.Client{}
	if cfg.httpClient != nil {
		base = cfg.httpClient.Transport
		hc.Jar = cfg.httpClient.Jar
		hc.CheckRedirect = cfg.httpClient.CheckRedirect
		// hc.Timeout is not copied: it would also bound the time spent
		// waiting for the rate limiter. WithTimeout bounds each attempt.
	}
	if base == nil {
		base = cleanhttp.DefaultPooledTransport()
	}
	lt := newLimitTransport(&readOnlyTransport{next: base, timeout: cfg.timeout}, cfg.rps, c.stats)
	lt.holdHook = cfg.holdHook
	hc.Transport = lt

	c.http = &retryablehttp.Client{
		HTTPClient:     hc,
		Logger:         nil, // logging goes through c.log in the hooks below
		RetryWaitMin:   cfg.minWait,
		RetryWaitMax:   cfg.maxWait,
		RetryMax:       cfg.maxRetries,
		CheckRetry:     c.checkRetry,
		Backoff:        backoffFunc(cfg.waitHook),
		ErrorHandler:   giveUp,
		RequestLogHook: c.beforeAttempt,
	}
	return c, nil
}

func (cfg *config) validate() error {
	switch {
	case cfg.rps < 0:
		return fmt.Errorf("rate limit %v must not be negative", cfg.rps)
	case cfg.timeout <= 0:
		return fmt.Errorf("timeout %v must be positive", cfg.timeout)
	case cfg.maxRetries < 0:
		return fmt.Errorf("max retries %d must not be negative", cfg.maxRetries)
	case cfg.minWait < 0 || cfg.maxWait < cfg.minWait:
		return fmt.Errorf("retry waits %v..%v are not a valid range", cfg.minWait, cfg.maxWait)
	case cfg.perPage < 1 || cfg.perPage > 1000:
		// Mode rejects or clamps larger pages; 1000 is the documented maximum.
		return fmt.Errorf("per_page %d must be within 1..1000", cfg.perPage)
	case cfg.maxPages < 1:
		return fmt.Errorf("page guard %d must be positive", cfg.maxPages)
	}
	return nil
}

// Stats returns a snapshot of the request counters.
func (c *Client) Stats() Stats {
	return Stats{
		Total:       c.stats.total.Load(),
		Retried:     c.stats.retried.Load(),
		RateLimited: c.stats.rateLimited.Load(),
	}
}

// beforeAttempt runs before every attempt; attempt > 0 is a retry.
func (c *Client) beforeAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	if attempt > 0 {
		c.stats.retried.Add(1)
		c.log.Debug("retrying mode request", "path", req.URL.Path, "attempt", attempt+1)
	}
}

// giveUp is the retry layer's final word. A response (e.g. the last 503) is
// handed back so the caller turns it into an *APIError with its status; a
// transport error is annotated with the number of attempts.
func giveUp(resp *http.Response, err error, attempts int) (*http.Response, error) {
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		return nil, fmt.Errorf("give up after %d attempts: %w", attempts, err)
	}
	return resp, nil
}

// get sends one logical GET (with retries) for ref and returns the body of a
// 2xx answer. ref is anything resolve accepts; query values are merged into
// the URL's own query.
func (c *Client) get(ctx context.Context, ref string, query url.Values) ([]byte, error) {
	u, err := c.resolve(ref)
	if err != nil {
		return nil, err
	}
	if len(query) > 0 {
		q := u.Query()
		for k, vs := range query {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	req, err := c.newGET(ctx, u)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("GET %s: %w", u.Path, err)
	}
	// readOnlyTransport has already read the whole body into memory.
	var body []byte
	if bb, ok := resp.Body.(*bufferedBody); ok {
		body = bb.data
	} else if body, err = io.ReadAll(resp.Body); err != nil {
		_ = resp.Body.Close()
		return nil, fmt.Errorf("GET %s: read body: %w", u.Path, err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAPIError(resp, body, c.creds)
	}
	return body, nil
}

// newGET is the only request builder in the package, and it builds GET only.
func (c *Client) newGET(ctx context.Context, u *url.URL) (*retryablehttp.Request, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("build request for %s: %w", u.Path, err)
	}
	req.SetBasicAuth(c.creds.Token, c.creds.Secret)
	req.Header.Set("Accept", "application/hal+json")
	req.Header.Set("User-Agent", c.ua)
	return req, nil
}

// parseSite normalizes the base URL to scheme://host[/prefix] without "/api".
func parseSite(baseURL string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil {
		return nil, fmt.Errorf("parse base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base URL %q must be an absolute http(s) URL", baseURL)
	}
	if u.User != nil {
		return nil, errors.New("base URL must not carry credentials; pass them as Credentials")
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/api")
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: p}, nil
}

// limiterFor builds the token bucket for rps requests per second.
func limiterFor(rps float64) *rate.Limiter {
	if rps == 0 {
		return rate.NewLimiter(rate.Inf, 1)
	}
	// Burst 1: a burst would let a window see more than the paced rate.
	return rate.NewLimiter(rate.Limit(paceFactor*rps), 1)
}
