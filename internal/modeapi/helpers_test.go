package modeapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testCreds are the credentials every test client sends. The secret is
// distinctive so leak checks can grep for it.
var testCreds = Credentials{Token: "tok123", Secret: "s3cr3t-DO-NOT-LEAK"}

// newTestClient returns a client for url with fast retries and no pacing,
// then applies opts.
func newTestClient(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	base := []Option{WithRetry(3, time.Millisecond, 5*time.Millisecond), WithRateLimit(0)}
	c, err := New(url, testCreds, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// seenRequest is what a test server records about one request.
type seenRequest struct {
	Method, Path, RawQuery string
	User, Pass             string
	HasAuth                bool
	Accept, UserAgent      string
	At                     time.Time
}

// recorder wraps a handler and records every request it sees.
type recorder struct {
	mu   sync.Mutex // guards reqs
	reqs []seenRequest
	next http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	u, p, ok := req.BasicAuth()
	r.mu.Lock()
	r.reqs = append(r.reqs, seenRequest{
		Method: req.Method, Path: req.URL.Path, RawQuery: req.URL.RawQuery,
		User: u, Pass: p, HasAuth: ok,
		Accept: req.Header.Get("Accept"), UserAgent: req.Header.Get("User-Agent"),
		At: time.Now(),
	})
	r.mu.Unlock()
	r.next.ServeHTTP(w, req)
}

func (r *recorder) requests() []seenRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seenRequest(nil), r.reqs...)
}

// serve starts an httptest server around h, recording requests.
func serve(t *testing.T, h http.Handler) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{next: h}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return srv, rec
}

// writeJSON writes v as HAL JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/hal+json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// pagingMode is how pagedServer misbehaves.
type pagingMode struct {
	defaultPer    int  // page size without per_page (Mode: 30)
	ignorePerPage bool // always defaultPer
	clamp         int  // caps per_page when > 0
	links         bool // send pagination + next_page
	absentKey     bool // past the end: "_embedded": {}
	repeatLast    bool // past the end: the last page again
	ignorePage    bool // always page 1
}

// pagedServer serves n reports under /api/ws/spaces/s/reports with the
// paging behaviour of m.
func pagedHandler(n int, m pagingMode) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		per := m.defaultPer
		if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 && !m.ignorePerPage {
			per = v
		}
		if m.clamp > 0 && per > m.clamp {
			per = m.clamp
		}
		page := 1
		if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 && !m.ignorePage {
			page = v
		}
		pages := (n + per - 1) / per
		if page > pages && m.repeatLast && pages > 0 {
			page = pages
		}
		lo, hi := (page-1)*per, page*per
		lo, hi = min(lo, n), min(hi, n)
		items := make([]map[string]any, 0, hi-lo)
		for i := lo; i < hi; i++ {
			items = append(items, map[string]any{"token": fmt.Sprintf("r%05d", i), "id": i, "name": nil})
		}
		env := map[string]any{"_embedded": map[string]any{"reports": items}}
		if len(items) == 0 && m.absentKey {
			env["_embedded"] = map[string]any{}
		}
		if m.links {
			links := map[string]any{"self": map[string]string{"href": r.URL.Path}}
			if page < pages {
				links["next_page"] = map[string]string{"href": fmt.Sprintf("%s?page=%d&per_page=%d", r.URL.Path, page+1, per)}
			}
			env["_links"] = links
			env["pagination"] = map[string]any{"page": page, "per_page": per, "count": len(items), "total_pages": pages, "total_count": n}
		}
		writeJSON(w, http.StatusOK, env)
	})
}

// tokensOf returns the tokens of reports.
func tokensOf(rs []Report) []string {
	out := make([]string, len(rs))
	for i := range rs {
		out[i] = rs[i].Token
	}
	return out
}

// wantTokens returns r00000..r{n-1}.
func wantTokens(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("r%05d", i)
	}
	return out
}
