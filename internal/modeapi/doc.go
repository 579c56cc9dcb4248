// Package modeapi is modecrawl's read-only client for Mode's REST API
// (https://app.mode.com/api).
//
// The client is built as a stack of layers, each with one job:
//
//	endpoint methods (Spaces, SpaceReports, ...)   typed results, HAL paging
//	  └ retry layer (go-retryablehttp)             429/5xx/network/truncation, Retry-After, backoff
//	     └ limitTransport                          one token bucket per Client, 429/Remaining feedback
//	        └ readOnlyTransport                    GET only, per-attempt timeout, whole-body read
//	           └ the caller's http.RoundTripper
//
// Read-only by construction: the only request builder always builds GET, and
// the bottom transport refuses every other method, so no code path in modecrawl
// can mutate a Mode workspace.
//
// Pacing: Mode allows about 40 requests per 10 s per token ("username"). The
// limiter paces at 0.975 × the configured rate with a burst of 1, so any window
// of W seconds sees at most 1 + 0.975·rps·W requests, which stays under Mode's
// rps·W for every W ≥ 10 s while keeping ≥ 97% of the allowed throughput. The
// limiter sits below the retry layer, so retries are paced too. Mode's budget
// is per token, so another job using the same token eats into it unseen: an
// X-RateLimit-Remaining of 0 holds every worker for one slot (window/limit),
// a 429 holds them for max(slot, Retry-After) and halves the pace, and each
// later answer wins 2% of the configured rate back.
//
// Errors: a non-2xx answer after retries is an *APIError (IsNotFound,
// IsAuth, IsRateLimited). Only 429, 500, 502, 503, 504 and transient
// network failures are retried; a cancelled context stops waits, backoffs
// and requests at once and is returned as ctx.Err().
//
// Paging: Mode's list endpoints are HAL collections whose paging signals are
// inconsistent (pagination objects and next_page links are sometimes absent,
// page sizes may be clamped or ignored). The one generic pager keeps asking
// until it sees an empty page, cross-checks totals when present, dedupes by
// token and stops on a repeated page, so a listing is never truncated silently.
package modeapi
