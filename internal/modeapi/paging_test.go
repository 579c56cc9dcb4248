package modeapi

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/fakemode"
)

// fakeCreds are fakemode's default credentials.
var fakeCreds = Credentials{Token: "demo-token", Secret: "demo-secret"}

// startFake serves ws with opts (rate limiting off unless opts set it).
func startFake(t *testing.T, ws *fakemode.Workspace, opts ...fakemode.Option) *fakemode.Server {
	t.Helper()
	srv := fakemode.NewServer(ws, append([]fakemode.Option{fakemode.WithRateLimit(0, 0)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// fakeClient returns a fast-retrying, unpaced client for srv.
func fakeClient(t *testing.T, srv *fakemode.Server, opts ...Option) *Client {
	t.Helper()
	base := []Option{WithRetry(3, 0, 0), WithRateLimit(0)}
	c, err := New(srv.URL(), fakeCreds, append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// bigSpace returns the shared collection with the most reports and the
// tokens Mode lists for it (filter=all: archived ones included).
func bigSpace(ws *fakemode.Workspace) (string, []string) {
	count := map[string][]string{}
	for _, r := range ws.Reports {
		if r.Type == fakemode.TypeReport {
			count[r.SpaceToken] = append(count[r.SpaceToken], r.Token)
		}
	}
	best := ""
	for _, sp := range ws.Spaces {
		if sp.SpaceType == fakemode.SpaceCustom && len(count[sp.Token]) > len(count[best]) {
			best = sp.Token
		}
	}
	return best, count[best]
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// TestPagingAgainstFakeMode lists a 130-report collection under every paging
// behaviour of the fake and checks both completeness and request count.
func TestPagingAgainstFakeMode(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 7, Spaces: 1, Reports: 130, Users: 4})
	space, want := bigSpace(ws)
	n := len(want)
	require.Greater(t, n, 80, "a collection spanning several pages")

	tests := []struct {
		name    string
		mode    fakemode.PagingMode
		perPage int
		// size is the page size the server really uses; probe is whether an
		// extra (empty) page must be asked for because nothing says the
		// listing has ended.
		size  int
		probe bool
	}{
		// Honoured with pagination: total_pages ends the listing, no empty probe.
		{"honour, one page", fakemode.PagingHonour, 1000, 1000, false},
		{"honour, 50 per page", fakemode.PagingHonour, 50, 50, false},
		{"ignores per_page (30)", fakemode.PagingIgnorePerPage, 1000, 30, false},
		{"clamps per_page at 40", fakemode.PagingClamp(40), 1000, 40, false},
		// No signals: keep going past short pages until an empty one.
		{"no pagination or links", fakemode.PagingNoLinks, 1000, 1000, true},
		{"no links, 50 per page", fakemode.PagingNoLinks, 50, 50, true},
		{"absent key past the end", fakemode.PagingAbsentKey, 50, 50, false},
		{"repeats last page", fakemode.PagingRepeatLast, 50, 50, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startFake(t, ws, fakemode.WithPaging(tt.mode))
			c := fakeClient(t, srv, WithPerPage(tt.perPage))
			got, err := c.SpaceReports(context.Background(), ws.Slug, space)
			require.NoError(t, err)
			assert.Equal(t, sorted(want), sorted(tokensOf(got)), "every report exactly once")

			var wantPages []string
			for p := 1; p <= (n+tt.size-1)/tt.size || tt.probe && p == (n+tt.size-1)/tt.size+1; p++ {
				wantPages = append(wantPages, strconv.Itoa(p))
			}
			reqs := srv.Requests()
			var pages []string
			for _, r := range reqs {
				assert.Equal(t, http.MethodGet, r.Method)
				assert.Equal(t, "/api/"+ws.Slug+"/spaces/"+space+"/reports", r.Path)
				assert.Contains(t, r.RawQuery, "filter=all")
				assert.Contains(t, r.RawQuery, "per_page=")
				pages = append(pages, queryParam(r.RawQuery, "page"))
			}
			assert.Equal(t, wantPages, pages, "minimal requests")
		})
	}
}

// TestPagingWithoutSignals covers misbehaviours the fake combines with
// pagination objects: here the server sends no pagination and no links, so
// only the pager's own rules stand between the caller and a truncated list.
func TestPagingWithoutSignals(t *testing.T) {
	const n = 95
	tests := []struct {
		name     string
		mode     pagingMode
		perPage  int
		wantReqs int
		wantWarn string
	}{
		{"honoured, short last page is not the end", pagingMode{defaultPer: 30}, 40, 4, ""},
		{"honoured, exact multiple", pagingMode{defaultPer: 30}, 19, 6, ""},
		{"ignores per_page", pagingMode{defaultPer: 30, ignorePerPage: true}, 1000, 5, ""},
		{"clamps per_page", pagingMode{defaultPer: 30, clamp: 25}, 1000, 5, ""},
		{"absent key past the end", pagingMode{defaultPer: 30, absentKey: true}, 40, 4, ""},
		{"repeats last page past the end", pagingMode{defaultPer: 30, repeatLast: true}, 40, 4, "repeated a page"},
		{"ignores page entirely", pagingMode{defaultPer: 30, ignorePage: true, clamp: 1000}, 1000, 2, "repeated a page"},
		{"with next_page links", pagingMode{defaultPer: 30, links: true}, 40, 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := serve(t, pagedHandler(n, tt.mode))
			var logs bytes.Buffer
			c := newTestClient(t, srv.URL, WithPerPage(tt.perPage),
				WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
			got, err := c.SpaceReports(context.Background(), "acme", "s1")
			require.NoError(t, err)
			want := wantTokens(n)
			if tt.mode.ignorePage {
				want = wantTokens(n) // the whole list fits on one page
			}
			assert.Equal(t, want, tokensOf(got), "complete, in server order, no duplicates")
			assert.Len(t, rec.requests(), tt.wantReqs)
			if tt.wantWarn != "" {
				assert.Contains(t, logs.String(), tt.wantWarn)
			} else {
				assert.Empty(t, logs.String())
			}
		})
	}
}

// TestPagingDedupesAndWarnsOnShortTotals: overlapping pages (an item moved
// between requests) are deduped by token, and a listing that ends before its
// announced total is reported.
func TestPagingDedupesAndWarnsOnShortTotals(t *testing.T) {
	pages := map[string]string{
		"1": `{"_embedded":{"reports":[{"token":"a"},{"token":"b"}]},"pagination":{"total_pages":3,"total_count":5}}`,
		"2": `{"_embedded":{"reports":[{"token":"b"},{"token":"c"}]},"pagination":{"total_pages":3,"total_count":5}}`,
		"3": `{"_embedded":{"reports":[]},"pagination":{"total_pages":3,"total_count":5}}`,
	}
	srv, rec := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(pages[r.URL.Query().Get("page")]))
	}))
	var logs bytes.Buffer
	c := newTestClient(t, srv.URL, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	got, err := c.SpaceReports(context.Background(), "acme", "s1")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c"}, tokensOf(got))
	assert.Len(t, rec.requests(), 3)
	assert.Contains(t, logs.String(), "ended before its announced total")
}

// TestPagingTotalsMustAllAgree: reaching total_pages is not enough when
// total_count says items are still missing; one more page settles it.
func TestPagingTotalsMustAllAgree(t *testing.T) {
	tests := []struct {
		name     string
		page1    string
		wantReqs int
	}{
		{"both reached", `{"_embedded":{"reports":[{"token":"a"},{"token":"b"}]},"pagination":{"total_pages":1,"total_count":2}}`, 1},
		{"pages reached, count not", `{"_embedded":{"reports":[{"token":"a"},{"token":"b"}]},"pagination":{"total_pages":1,"total_count":3}}`, 2},
		{"count reached, pages not", `{"_embedded":{"reports":[{"token":"a"},{"token":"b"}]},"pagination":{"total_pages":2,"total_count":2}}`, 2},
		{"only pages", `{"_embedded":{"reports":[{"token":"a"},{"token":"b"}]},"pagination":{"total_pages":1}}`, 1},
		{"only count", `{"_embedded":{"reports":[{"token":"a"},{"token":"b"}]},"pagination":{"total_count":2}}`, 1},
		{"counts as strings", `{"_embedded":{"reports":[{"token":"a"},{"token":"b"}]},"pagination":{"total_pages":"1","total_count":"2"}}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.URL.Query().Get("page") == "1" {
					_, _ = w.Write([]byte(tt.page1))
					return
				}
				_, _ = w.Write([]byte(`{"_embedded":{"reports":[]}}`))
			}))
			c := newTestClient(t, srv.URL)
			got, err := c.SpaceReports(context.Background(), "acme", "s1")
			require.NoError(t, err)
			assert.Equal(t, []string{"a", "b"}, tokensOf(got))
			assert.Len(t, rec.requests(), tt.wantReqs)
		})
	}
}

func TestPagingFollowsNextPageNumber(t *testing.T) {
	// The server numbers pages its own way (here: 1, 5, 9) and says so in
	// _links.next_page; the pager follows it.
	pages := map[string]string{
		"1": `{"_embedded":{"reports":[{"token":"a"}]},"_links":{"next_page":{"href":"/api/acme/spaces/s1/reports?page=5&per_page=1"}}}`,
		"5": `{"_embedded":{"reports":[{"token":"b"}]},"_links":{"next_page":{"href":"/api/acme/spaces/s1/reports?page=9&per_page=1"}}}`,
		"9": `{"_embedded":{"reports":[{"token":"c"}]},"pagination":{"total_pages":3}}`,
	}
	srv, rec := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Query().Get("page")]
		if !ok {
			body = `{"_embedded":{"reports":[]}}`
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	c := newTestClient(t, srv.URL)
	got, err := c.SpaceReports(context.Background(), "acme", "s1")
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c"}, tokensOf(got))
	var seen []string
	for _, r := range rec.requests() {
		seen = append(seen, queryParam(r.RawQuery, "page"))
	}
	assert.Equal(t, []string{"1", "5", "9"}, seen)
}

func TestPageGuard(t *testing.T) {
	// A server that invents a new page forever.
	srv, _ := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"_embedded": map[string]any{"reports": []map[string]string{{"token": "p" + r.URL.Query().Get("page")}}}})
	}))
	c := newTestClient(t, srv.URL, withMaxPages(20))
	_, err := c.SpaceReports(context.Background(), "acme", "s1")
	require.ErrorIs(t, err, ErrTooManyPages)
}

func TestUnpagedListsFollowNextPage(t *testing.T) {
	tests := []struct {
		name     string
		bodies   map[string]string // by raw query
		want     []string
		wantReqs int
	}{
		{"one full list", map[string]string{
			"": `{"_embedded":{"queries":[{"token":"q1"},{"token":"q2"}]}}`,
		}, []string{"q1", "q2"}, 1},
		{"absent key", map[string]string{"": `{"_embedded":{}}`}, nil, 1},
		{"next_page link followed", map[string]string{
			"":       `{"_embedded":{"queries":[{"token":"q1"}]},"_links":{"next_page":{"href":"/api/acme/reports/r1/queries?page=2"}}}`,
			"page=2": `{"_embedded":{"queries":[{"token":"q2"}]}}`,
		}, []string{"q1", "q2"}, 2},
		{"next_page loop stops", map[string]string{
			"":       `{"_embedded":{"queries":[{"token":"q1"}]},"_links":{"next_page":{"href":"/api/acme/reports/r1/queries?page=2"}}}`,
			"page=2": `{"_embedded":{"queries":[{"token":"q1"}]},"_links":{"next_page":{"href":"/api/acme/reports/r1/queries?page=2"}}}`,
		}, []string{"q1"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tt.bodies[r.URL.RawQuery]))
			}))
			c := newTestClient(t, srv.URL)
			got, err := c.ReportQueries(context.Background(), "acme", "r1")
			require.NoError(t, err)
			var toks []string
			for _, q := range got {
				toks = append(toks, q.Token)
			}
			assert.Equal(t, tt.want, toks)
			reqs := rec.requests()
			assert.Len(t, reqs, tt.wantReqs)
			assert.Empty(t, reqs[0].RawQuery, "no page parameters on unpaginated endpoints")
		})
	}
}

// TestWalkFakeWorkspace walks a whole generated workspace through every
// endpoint and compares with the model.
func TestWalkFakeWorkspace(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 3, Spaces: 4, Reports: 60})
	srv := startFake(t, ws, fakemode.WithPagingFor("/data_sources", fakemode.PagingIgnorePerPage))
	c := fakeClient(t, srv)
	ctx := context.Background()

	v, err := c.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, ws.Slug, v.Workspace)
	w, err := c.Workspace(ctx, ws.Slug)
	require.NoError(t, err)
	assert.Equal(t, ws.Token, w.Token)

	ds, err := c.DataSources(ctx, ws.Slug)
	require.NoError(t, err)
	assert.Len(t, ds, len(ws.DataSources))
	defs, err := c.Definitions(ctx, ws.Slug)
	require.NoError(t, err)
	assert.Len(t, defs, len(ws.Definitions))

	all, err := c.Spaces(ctx, ws.Slug, "all")
	require.NoError(t, err)
	custom, err := c.Spaces(ctx, ws.Slug, "custom")
	require.NoError(t, err)
	var wantAll, wantCustom int
	for _, sp := range ws.Spaces {
		if !sp.HiddenFromAPI {
			wantAll++
			if sp.SpaceType == fakemode.SpaceCustom {
				wantCustom++
			}
		}
	}
	assert.Len(t, all, wantAll)
	assert.Len(t, custom, wantCustom)
	assert.Greater(t, wantAll, wantCustom, "filter=all includes personal collections")

	var reports, datasets, queries, charts int
	for _, sp := range all {
		// Follow the collection's own link (it says "collections").
		rs, err := c.SpaceReports(ctx, ws.Slug, sp.Links.Href("self"))
		require.NoError(t, err)
		dss, err := c.SpaceDatasets(ctx, ws.Slug, sp.Token)
		require.NoError(t, err)
		for _, d := range dss {
			assert.True(t, d.IsDataset())
		}
		reports += len(rs)
		datasets += len(dss)
		for _, r := range append(rs, dss...) {
			qs, err := c.ReportQueries(ctx, ws.Slug, r.Token)
			require.NoError(t, err)
			queries += len(qs)
			for _, q := range qs {
				cs, err := c.QueryCharts(ctx, ws.Slug, r.Token, q.Token)
				require.NoError(t, err)
				charts += len(cs)
			}
		}
	}
	var wantR, wantD, wantQ, wantC int
	hidden := map[string]bool{}
	for _, sp := range ws.Spaces {
		hidden[sp.Token] = sp.HiddenFromAPI
	}
	for _, r := range ws.Reports {
		if hidden[r.SpaceToken] {
			continue
		}
		if r.IsDataset() {
			wantD++
		} else {
			wantR++
		}
		wantQ += len(r.Queries)
		for _, q := range r.Queries {
			wantC += len(q.Charts)
		}
	}
	assert.Equal(t, wantR, reports)
	assert.Equal(t, wantD, datasets)
	assert.Equal(t, wantQ, queries)
	assert.Equal(t, wantC, charts)

	// Creators, including one who left.
	var left, present int
	for _, u := range ws.Users {
		_, err := c.User(ctx, "/api/"+u.Username)
		if u.Left {
			assert.True(t, IsNotFound(err), "user %s left: %v", u.Username, err)
			left++
		} else {
			require.NoError(t, err)
			present++
		}
	}
	assert.Positive(t, left)
	assert.Positive(t, present)

	st := srv.Stats()
	assert.Equal(t, st.Total, int(c.Stats().Total))
	for _, r := range srv.Requests() {
		require.Equal(t, http.MethodGet, r.Method)
	}
}

func TestFakeModeFaults(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 11, Spaces: 1, Reports: 50})
	space, want := bigSpace(ws)
	tests := []struct {
		name  string
		fault fakemode.Fault
	}{
		{"truncated body", fakemode.Fault{PathContains: "/reports", Truncate: true, Times: 2}},
		{"connection reset", fakemode.Fault{PathContains: "/reports", ResetConn: true, Times: 2}},
		{"503 twice", fakemode.Fault{PathContains: "/reports", Status: 503, Times: 2}},
		{"502 once", fakemode.Fault{PathContains: "/reports", Status: 502, Times: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startFake(t, ws, fakemode.WithFault(tt.fault))
			c := fakeClient(t, srv)
			got, err := c.SpaceReports(context.Background(), ws.Slug, space)
			require.NoError(t, err)
			assert.Equal(t, sorted(want), sorted(tokensOf(got)))
			assert.Equal(t, int64(max(tt.fault.Times, 1)), c.Stats().Retried)
		})
	}
	t.Run("deleted report is not found", func(t *testing.T) {
		srv := startFake(t, ws)
		c := fakeClient(t, srv)
		srv.Delete(want[0])
		_, err := c.Report(context.Background(), ws.Slug, want[0])
		assert.True(t, IsNotFound(err), "%v", err)
		assert.Equal(t, int64(1), c.Stats().Total, "a 404 is not retried")
	})
	t.Run("wrong secret is an auth error", func(t *testing.T) {
		srv := startFake(t, ws)
		c, err := New(srv.URL(), Credentials{Token: "demo-token", Secret: "wrong-secret-XYZ"}, WithRetry(3, 0, 0))
		require.NoError(t, err)
		_, err = c.Verify(context.Background())
		assert.True(t, IsAuth(err), "%v", err)
		assert.NotContains(t, err.Error(), "wrong-secret-XYZ")
	})
}

// queryParam returns the value of key in a raw query.
func queryParam(raw, key string) string {
	for _, kv := range strings.Split(raw, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

func TestDecodePage(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		key     string
		want    []string
		wantErr bool
	}{
		{"known key", `{"_embedded":{"reports":[{"token":"a"},{"token":"b"}]}}`, "reports", []string{"a", "b"}, false},
		{"absent key", `{"_embedded":{}}`, "reports", nil, false},
		{"absent embedded", `{"_links":{}}`, "reports", nil, false},
		{"null list", `{"_embedded":{"reports":null}}`, "reports", nil, false},
		{"other key only", `{"_embedded":{"spaces":[{"token":"s"}]}}`, "reports", nil, false},
		{"odd sibling key falls back", `{"_embedded":{"reports":[{"token":"a"}],"spaces":"odd"}}`, "reports", []string{"a"}, false},
		{"unknown key", `{"_embedded":{"report_runs":[{"token":"r"}]}}`, "report_runs", []string{"r"}, false},
		{"numbers as strings", `{"_embedded":{"reports":[{"token":"a","id":"7","query_count":"2"}]}}`, "reports", []string{"a"}, false},
		{"bad item", `{"_embedded":{"reports":[{"token":"a","created_at":"yesterday"}]}}`, "reports", nil, true},
		{"not json", `<html>`, "reports", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, env, err := decodePage[Report]([]byte(tt.body), tt.key)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, env)
			var toks []string
			for _, it := range items {
				toks = append(toks, it.Token)
			}
			assert.Equal(t, tt.want, toks)
		})
	}
}
