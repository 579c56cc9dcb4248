package modeapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/version"
)

func TestCredentialsNeverPrintSecret(t *testing.T) {
	type holder struct {
		Name  string
		Creds Credentials
	}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("x", "creds", testCreds)
	js, err := json.Marshal(holder{Creds: testCreds})
	require.NoError(t, err)

	outputs := map[string]string{
		"%v":           fmt.Sprintf("%v", testCreds),
		"%+v":          fmt.Sprintf("%+v", testCreds),
		"%#v":          fmt.Sprintf("%#v", testCreds),
		"%s":           fmt.Sprintf("%s", testCreds), //nolint:staticcheck // the verb itself is under test
		"nested %+v":   fmt.Sprintf("%+v", holder{Creds: testCreds}),
		"slog json":    logBuf.String(),
		"json marshal": string(js),
	}
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			assert.NotContains(t, out, testCreds.Secret)
			assert.Contains(t, out, testCreds.Token)
		})
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		url  string
		cr   Credentials
		opts []Option
		want string
	}{
		{"ok", "https://app.mode.com", testCreds, nil, ""},
		{"ok with /api", "https://app.mode.com/api/", testCreds, nil, ""},
		{"no secret", "https://app.mode.com", Credentials{Token: "t"}, nil, "token and secret"},
		{"relative url", "app.mode.com", testCreds, nil, "absolute"},
		{"userinfo in url", "https://u:p@app.mode.com", testCreds, nil, "credentials"},
		{"per_page too big", "https://app.mode.com", testCreds, []Option{WithPerPage(5000)}, "per_page"},
		{"negative rate", "https://app.mode.com", testCreds, []Option{WithRateLimit(-1)}, "rate limit"},
		{"bad waits", "https://app.mode.com", testCreds, []Option{WithRetry(1, 2, 1)}, "retry waits"},
		{"zero timeout", "https://app.mode.com", testCreds, []Option{WithTimeout(0)}, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.url, tt.cr, tt.opts...)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Equal(t, "https://app.mode.com", c.site.String())
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), testCreds.Secret)
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	tests := []struct {
		name   string
		opts   []Option
		wantUA string
	}{
		{"default user agent", nil, version.UserAgent()},
		{"custom user agent", []Option{WithUserAgent("acme-crawler/1")}, "acme-crawler/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, map[string]any{"workspace": "acme", "workspace_token": "abc"})
			}))
			c := newTestClient(t, srv.URL, tt.opts...)
			v, err := c.Verify(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "acme", v.Workspace)

			reqs := rec.requests()
			require.Len(t, reqs, 1)
			r := reqs[0]
			assert.Equal(t, http.MethodGet, r.Method)
			assert.Equal(t, "/api/verify", r.Path)
			assert.True(t, r.HasAuth)
			assert.Equal(t, testCreds.Token, r.User)
			assert.Equal(t, testCreds.Secret, r.Pass)
			assert.Equal(t, "application/hal+json", r.Accept)
			assert.Equal(t, tt.wantUA, r.UserAgent)
		})
	}
}

// TestReadOnlyByConstruction proves no method but GET can leave the client:
// even a caller that reaches the client's own HTTP stack with another method
// is refused before anything is sent.
func TestReadOnlyByConstruction(t *testing.T) {
	srv, rec := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{})
	}))
	c := newTestClient(t, srv.URL)
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions} {
		t.Run(method, func(t *testing.T) {
			req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+"/api/acme/reports/abc", strings.NewReader("{}"))
			require.NoError(t, err)
			// The bottom of the stack, through the limiter and the retry layer's client.
			resp, err := c.http.HTTPClient.Do(req)
			if resp != nil {
				_ = resp.Body.Close()
			}
			var ro *ReadOnlyError
			require.ErrorAs(t, err, &ro)
			assert.Equal(t, method, ro.Method)
		})
	}
	assert.Empty(t, rec.requests(), "no request may reach the server")

	// And every public method sends GET only.
	ctx := context.Background()
	_, _ = c.Verify(ctx)
	_, _ = c.Workspace(ctx, "acme")
	_, _ = c.Spaces(ctx, "acme", "all")
	_, _ = c.SpaceReports(ctx, "acme", "s1")
	_, _ = c.SpaceDatasets(ctx, "acme", "s1")
	_, _ = c.DataSources(ctx, "acme")
	_, _ = c.Definitions(ctx, "acme")
	_, _ = c.Report(ctx, "acme", "r1")
	_, _ = c.ReportQueries(ctx, "acme", "r1")
	_, _ = c.QueryCharts(ctx, "acme", "r1", "q1")
	_, _ = c.User(ctx, "jdoe")
	reqs := rec.requests()
	require.NotEmpty(t, reqs)
	for _, r := range reqs {
		assert.Equal(t, http.MethodGet, r.Method, r.Path)
	}
}

func TestAPIErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		ctype       string
		wantID      string
		wantMsg     string
		notFound    bool
		auth        bool
		rateLimited bool
	}{
		{"404 json", 404, `{"id":"not_found","message":"Report not found"}`, "application/json", "not_found", "Report not found", true, false, false},
		{"401 json", 401, `{"id":"unauthorized","message":"bad token"}`, "application/json", "unauthorized", "bad token", false, true, false},
		{"403 json", 403, `{"id":"forbidden","message":"nope"}`, "application/json", "forbidden", "nope", false, true, false},
		{"400 json", 400, `{"id":"bad_request","message":"bad filter"}`, "application/json", "bad_request", "bad filter", false, false, false},
		{"404 html", 404, "<html>\n<body>Not   Found</body></html>", "text/html", "", "<html> <body>Not Found</body></html>", true, false, false},
		{"422 empty", 422, "", "", "", "", false, false, false},
		{"429 exhausted", 429, `{"id":"rate_limited","message":"slow down"}`, "application/json", "rate_limited", "slow down", false, false, true},
		{"echoed secret is scrubbed", 400, "you sent " + testCreds.Secret, "text/plain", "", "you sent [REDACTED]", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			c := newTestClient(t, srv.URL)
			_, err := c.Report(context.Background(), "acme", "abc123")
			require.Error(t, err)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.StatusCode)
			assert.Equal(t, tt.wantID, ae.ID)
			assert.Equal(t, tt.wantMsg, ae.Message)
			assert.Equal(t, http.MethodGet, ae.Method)
			assert.Equal(t, "/api/acme/reports/abc123", ae.Path)
			assert.Equal(t, tt.notFound, IsNotFound(err))
			assert.Equal(t, tt.auth, IsAuth(err))
			assert.Equal(t, tt.rateLimited, IsRateLimited(err))
			assert.NotContains(t, err.Error(), testCreds.Secret)
			assert.Contains(t, err.Error(), "get report abc123: GET /api/acme/reports/abc123: status ")
		})
	}
	t.Run("not an API error", func(t *testing.T) {
		err := fmt.Errorf("wrap: %w", errors.New("boom"))
		assert.False(t, IsNotFound(err))
		assert.False(t, IsAuth(err))
	})
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name, base, ref, want string
	}{
		{"api path", "https://app.mode.com", "/api/acme/collections/abc", "https://app.mode.com/api/acme/collections/abc"},
		{"api path with query", "https://app.mode.com", "/api/acme/spaces?filter=custom", "https://app.mode.com/api/acme/spaces?filter=custom"},
		{"site-relative web path", "https://app.mode.com", "/acme/reports/abc", "https://app.mode.com/api/acme/reports/abc"},
		{"absolute same host", "https://app.mode.com", "https://app.mode.com/api/jdoe", "https://app.mode.com/api/jdoe"},
		{"absolute other host is re-rooted", "http://127.0.0.1:8080", "https://app.mode.com/api/acme/reports/abc", "http://127.0.0.1:8080/api/acme/reports/abc"},
		{"bare username", "https://app.mode.com", "jdoe", "https://app.mode.com/api/jdoe"},
		{"api-relative", "https://app.mode.com", "api/jdoe", "https://app.mode.com/api/jdoe"},
		{"base with /api", "https://app.mode.com/api", "/api/verify", "https://app.mode.com/api/verify"},
		{"base with prefix", "https://proxy.example/mode", "/api/verify", "https://proxy.example/mode/api/verify"},
		{"base with prefix, prefixed href", "https://proxy.example/mode", "/mode/api/verify", "https://proxy.example/mode/api/verify"},
		{"base with prefix, absolute href", "https://proxy.example/mode", "https://proxy.example/mode/api/x", "https://proxy.example/mode/api/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.base, testCreds)
			require.NoError(t, err)
			u, err := c.resolve(tt.ref)
			require.NoError(t, err)
			assert.Equal(t, tt.want, u.String())
		})
	}
}

func TestRefToken(t *testing.T) {
	tests := []struct {
		name, ref string
		kinds     []string
		want      string
		wantErr   bool
	}{
		{"bare token", "abc123", []string{"spaces", "collections"}, "abc123", false},
		{"collections href", "/api/acme/collections/abc123", []string{"spaces", "collections"}, "abc123", false},
		{"collections reports href", "/api/acme/collections/abc123/reports", []string{"spaces", "collections"}, "abc123", false},
		{"spaces href", "https://app.mode.com/api/acme/spaces/abc123", []string{"spaces", "collections"}, "abc123", false},
		{"report href", "/api/acme/reports/r1/queries/q1", []string{"reports", "datasets"}, "r1", false},
		{"dataset web href", "https://app.mode.com/acme/datasets/d1", []string{"reports", "datasets"}, "d1", false},
		{"query href", "/api/acme/reports/r1/queries/q1", []string{"queries"}, "q1", false},
		{"no token", "/api/acme/spaces", []string{"spaces", "collections"}, "", true},
		{"empty", " ", []string{"spaces"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := refToken(tt.ref, tt.kinds...)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestEndpointPaths(t *testing.T) {
	srv, rec := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"token": "x", "username": "jdoe"})
	}))
	c := newTestClient(t, srv.URL)
	ctx := context.Background()
	tests := []struct {
		name     string
		call     func() error
		wantPath string
	}{
		{"workspace", func() error { _, err := c.Workspace(ctx, "acme"); return err }, "/api/acme"},
		{"report", func() error { _, err := c.Report(ctx, "acme", "r1"); return err }, "/api/acme/reports/r1"},
		{"report from dataset href", func() error { _, err := c.Report(ctx, "acme", "/api/acme/datasets/d1"); return err }, "/api/acme/reports/d1"},
		{"user by href", func() error { _, err := c.User(ctx, "/api/jdoe"); return err }, "/api/jdoe"},
		{"user by name", func() error { _, err := c.User(ctx, "jdoe"); return err }, "/api/jdoe"},
		{"user by absolute href", func() error { _, err := c.User(ctx, "https://app.mode.com/api/jdoe"); return err }, "/api/jdoe"},
		{"generic get", func() error { var v map[string]any; return c.Get(ctx, "/api/acme/memberships", &v) }, "/api/acme/memberships"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(rec.requests())
			require.NoError(t, tt.call())
			reqs := rec.requests()
			require.Len(t, reqs, before+1)
			assert.Equal(t, tt.wantPath, reqs[before].Path)
		})
	}
}

// TestWithHTTPClientTransportIsUsed: the caller's transport sits under the
// client's own layers (so read-only and pacing still apply).
func TestWithHTTPClientTransportIsUsed(t *testing.T) {
	srv, rec := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"workspace": "acme"})
	}))
	var seen atomic.Int64
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	}), Timeout: time.Nanosecond}
	c := newTestClient(t, srv.URL, WithHTTPClient(hc))
	_, err := c.Verify(context.Background())
	require.NoError(t, err, "the caller's Timeout does not apply")
	assert.Equal(t, int64(1), seen.Load())
	assert.Len(t, rec.requests(), 1)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestNoSecretInLogsOrErrors runs retries, paging warnings and errors with a
// debug logger against a server that echoes the Authorization header, and
// checks that neither the secret nor the Basic credentials show up.
func TestNoSecretInLogsOrErrors(t *testing.T) {
	var calls atomic.Int64
	srv, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := "you sent " + r.Header.Get("Authorization")
		switch calls.Add(1) {
		case 1:
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"id": "service_unavailable", "message": echo})
		default:
			writeJSON(w, http.StatusUnauthorized, map[string]string{"id": "unauthorized", "message": echo})
		}
	}))
	var logs bytes.Buffer
	c := newTestClient(t, srv.URL, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.SpaceReports(context.Background(), "acme", "s1")
	require.Error(t, err)
	assert.True(t, IsAuth(err))
	basic := base64.StdEncoding.EncodeToString([]byte(testCreds.Token + ":" + testCreds.Secret))
	for name, out := range map[string]string{"error": err.Error(), "logs": logs.String()} {
		assert.NotContains(t, out, testCreds.Secret, name)
		assert.NotContains(t, out, basic, name)
	}
	assert.Contains(t, err.Error(), "[REDACTED]")
	assert.Contains(t, logs.String(), "will retry")
}
