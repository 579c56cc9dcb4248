package fakemode

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAuth(t *testing.T) {
	s := newTestServer(t, Sample(), WithCredentials("tok", "sec"))
	cases := []struct {
		name, user, pass string
		want             int
	}{
		{"no credentials", "", "", http.StatusUnauthorized},
		{"wrong secret", "tok", "nope", http.StatusUnauthorized},
		{"wrong token", "nope", "sec", http.StatusUnauthorized},
		{"default credentials are replaced", "demo-token", "demo-secret", http.StatusUnauthorized},
		{"right", "tok", "sec", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := doAuth(s, http.MethodGet, "/api/verify", tc.user, tc.pass)
			require.NoError(t, err)
			assert.Equal(t, tc.want, res.status)
			if tc.want == http.StatusUnauthorized {
				assert.Equal(t, "unauthorized", res.body["id"])
				assert.NotEmpty(t, res.body["message"])
				assert.NotContains(t, string(res.raw), "sec\"")
			} else {
				assert.Equal(t, "acme", res.body["workspace"])
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	ws := Sample()
	s := newTestServer(t, ws)
	fin := spaceByName(ws, "Finance", false)
	rev := reportByName(ws, "Revenue dashboard")
	orders := reportByName(ws, "Orders (clean)")
	q := rev.Queries[0]
	c := q.Charts[0]
	ds := ws.DataSources[0]
	def := ws.Definitions[0]
	api := "/api/acme"
	cases := []struct {
		name   string
		path   string
		status int
		key    string // _embedded key, if a list
		count  int    // expected list length, -1 = any
		check  func(t *testing.T, body map[string]any)
	}{
		{name: "verify", path: "/api/verify", status: 200, check: func(t *testing.T, b map[string]any) {
			assert.Equal(t, ws.Token, b["workspace_token"])
			assert.Equal(t, "/api/acme", href(b, "self"))
		}},
		{name: "workspace", path: api, status: 200, check: func(t *testing.T, b map[string]any) {
			assert.Equal(t, "acme", b["username"])
			assert.Equal(t, false, b["user"])
		}},
		{name: "spaces", path: api + "/spaces", status: 200, key: "spaces", count: 6},
		{name: "collections alias", path: api + "/collections?filter=all", status: 200, key: "spaces", count: 7},
		{name: "one space", path: api + "/spaces/" + fin.Token, status: 200, check: func(t *testing.T, b map[string]any) {
			assert.Equal(t, "Finance", b["name"])
			assert.Equal(t, api+"/collections/"+fin.Token, href(b, "self"))
			assert.Equal(t, api+"/collections/"+fin.Token+"/reports", href(b, "reports"))
			assert.Contains(t, b, "viewable?")
		}},
		{name: "space reports", path: api + "/spaces/" + fin.Token + "/reports", status: 200, key: "reports", count: 6},
		{name: "space reports via collections link", path: api + "/collections/" + fin.Token + "/reports?filter=all", status: 200, key: "reports", count: 6},
		{name: "space datasets under reports key", path: api + "/spaces/" + fin.Token + "/datasets", status: 200, key: "reports", count: 2},
		{name: "report", path: api + "/reports/" + rev.Token, status: 200, check: func(t *testing.T, b map[string]any) {
			assert.Equal(t, "Report", b["type"])
			assert.Equal(t, "https://app.mode.com/acme/reports/"+rev.Token, href(b, "web"))
			assert.Equal(t, "/api/alice_chen", href(b, "creator"))
			assert.EqualValues(t, 3, b["query_count"])
			imp := b["imported_datasets"].([]any)
			require.Len(t, imp, 1)
			assert.Equal(t, orders.Token, imp[0].(map[string]any)["token"])
			assert.Equal(t, "Orders (clean)", imp[0].(map[string]any)["name"])
		}},
		{name: "report path works for a dataset", path: api + "/reports/" + orders.Token, status: 200, check: func(t *testing.T, b map[string]any) {
			assert.Equal(t, "DatasetReport", b["type"])
			assert.Equal(t, fin.Token, b["collection_token"])
		}},
		{name: "queries unpaginated", path: api + "/reports/" + rev.Token + "/queries?page=2&per_page=1", status: 200, key: "queries", count: 3},
		{name: "one query", path: api + "/reports/" + rev.Token + "/queries/" + q.Token, status: 200, check: func(t *testing.T, b map[string]any) {
			assert.Equal(t, q.RawQuery, b["raw_query"])
			assert.EqualValues(t, q.DataSourceID, b["data_source_id"])
		}},
		{name: "charts", path: api + "/reports/" + rev.Token + "/queries/" + q.Token + "/charts", status: 200, key: "charts", count: 2},
		{name: "one chart", path: api + "/reports/" + rev.Token + "/queries/" + q.Token + "/charts/" + c.Token, status: 200, check: func(t *testing.T, b map[string]any) {
			assert.EqualValues(t, c.ViewVersion, b["view_version"])
			assert.Equal(t, "/acme/reports/"+rev.Token+"/viz/"+c.Token, href(b, "report_viz_web"))
		}},
		{name: "data sources", path: api + "/data_sources", status: 200, key: "data_sources", count: 8},
		{name: "one data source", path: api + "/data_sources/" + ds.Token, status: 200, check: func(t *testing.T, b map[string]any) {
			assert.Equal(t, "jdbc:snowflake", b["adapter"])
		}},
		{name: "data source reports", path: api + "/data_sources/" + ds.Token + "/reports", status: 200, key: "reports", count: -1},
		{name: "definitions", path: api + "/definitions", status: 200, key: "definitions", count: len(ws.Definitions)},
		{name: "definitions by tokens", path: api + "/definitions?filter=by_tokens&tokens=" + def.Token + ",ffffffffffff", status: 200, key: "definitions", count: 1},
		{name: "one definition", path: api + "/definitions/" + def.Token, status: 200, check: func(t *testing.T, b map[string]any) {
			assert.Equal(t, def.Name, b["name"])
		}},
		{name: "memberships exclude users who left", path: api + "/memberships", status: 200, key: "memberships", count: 8},
		{name: "dataset", path: api + "/datasets/" + orders.Token, status: 200, check: func(t *testing.T, b map[string]any) {
			assert.Equal(t, "https://app.mode.com/acme/datasets/"+orders.Token, href(b, "web"))
			assert.Equal(t, api+"/datasets/"+orders.Token+"/reports", href(b, "dataset_dependencies"))
		}},
		{name: "dataset importers", path: api + "/datasets/" + orders.Token + "/reports", status: 200, key: "reports", count: 2},
		{name: "report token is not a dataset", path: api + "/datasets/" + rev.Token, status: 404},
		{name: "user", path: "/api/alice_chen", status: 200, check: func(t *testing.T, b map[string]any) {
			assert.Equal(t, "alice.chen@acme.example.com", b["email"])
		}},
		{name: "user who left", path: "/api/ines_silva", status: 404},
		{name: "wrong workspace", path: "/api/other/spaces", status: 404},
		{name: "unknown report", path: api + "/reports/000000000000", status: 404},
		{name: "unknown query", path: api + "/reports/" + rev.Token + "/queries/000000000000", status: 404},
		{name: "unknown chart", path: api + "/reports/" + rev.Token + "/queries/" + q.Token + "/charts/000000000000", status: 404},
		{name: "outside the api", path: "/acme/reports", status: 404},
		{name: "bad report filter", path: api + "/spaces/" + fin.Token + "/reports?filter=bogus", status: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, s, tc.path)
			require.Equal(t, tc.status, res.status, "%s", res.raw)
			assert.True(t, strings.HasPrefix(res.header.Get("Content-Type"), "application/hal+json"))
			if tc.status == 404 {
				assert.Equal(t, "not_found", res.body["id"])
			}
			if tc.key != "" {
				items, ok := embedded(t, res, tc.key)
				require.True(t, ok, "missing _embedded.%s", tc.key)
				if tc.count >= 0 {
					assert.Len(t, items, tc.count)
				}
			}
			if tc.check != nil {
				tc.check(t, res.body)
			}
		})
	}
}

func TestSpaceFilters(t *testing.T) {
	ws := Sample()
	s := newTestServer(t, ws)
	hidden := spaceByName(ws, "Personal", true)
	require.NotNil(t, hidden)
	cases := []struct {
		filter       string
		wantPersonal bool
		wantCustom   int
	}{
		{"", false, 6},
		{"?filter=all", true, 6},
		{"?filter=custom", false, 6},
		{"?filter=editable", false, 6},
	}
	for _, tc := range cases {
		t.Run("filter"+tc.filter, func(t *testing.T) {
			res := get(t, s, "/api/acme/spaces"+tc.filter)
			items, _ := embedded(t, res, "spaces")
			custom, personal := 0, 0
			for _, it := range items {
				m := it.(map[string]any)
				assert.NotEqual(t, hidden.Token, m["token"], "hidden collection listed")
				if m["space_type"] == "private" {
					personal++
					assert.Equal(t, "Personal", m["name"])
				} else {
					custom++
				}
			}
			assert.Equal(t, tc.wantCustom, custom)
			assert.Equal(t, tc.wantPersonal, personal == 1)
		})
	}
	t.Run("hidden collection and its reports answer 404", func(t *testing.T) {
		assert.Equal(t, 404, get(t, s, "/api/acme/spaces/"+hidden.Token+"/reports").status)
		r := reportByName(ws, "Pricing experiments")
		assert.Equal(t, 404, get(t, s, "/api/acme/reports/"+r.Token).status)
	})
	t.Run("restricted collection keeps restricted false", func(t *testing.T) {
		exec := spaceByName(ws, "Exec", false)
		b := get(t, s, "/api/acme/spaces/"+exec.Token).body
		assert.Equal(t, false, b["restricted"])
		assert.Equal(t, "restricted", b["default_access_level"])
	})
}

func TestReportFiltersAndOrder(t *testing.T) {
	ws := Generate(GenOptions{Seed: 3, Spaces: 1, Reports: 40, DatasetsPerSpace: -1})
	s := newTestServer(t, ws)
	sp := ws.Spaces[0]
	all := ws.Reports
	mid := *all[len(all)/2].UpdatedAt
	want := 0
	for _, r := range all {
		if r.SpaceToken == sp.Token && r.UpdatedAt.After(mid) {
			want++
		}
	}
	base := "/api/acme/spaces/" + sp.Token + "/reports?per_page=1000"
	res := get(t, s, base+"&filter=updated_at.gt."+mid.Format(time.RFC3339Nano))
	items, _ := embedded(t, res, "reports")
	assert.Len(t, items, want)

	res = get(t, s, base+"&order_by=created_at&order=desc")
	items, _ = embedded(t, res, "reports")
	require.NotEmpty(t, items)
	for i := 1; i < len(items); i++ {
		a := items[i-1].(map[string]any)["created_at"].(string)
		b := items[i].(map[string]any)["created_at"].(string)
		assert.GreaterOrEqual(t, a, b)
	}
}

func TestTimestampsAndNumbers(t *testing.T) {
	ws := Sample()
	s := newTestServer(t, ws)
	rev := reportByName(ws, "Revenue dashboard")
	b := get(t, s, "/api/acme/reports/"+rev.Token).body
	re := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	for _, k := range []string{"created_at", "updated_at", "edited_at", "last_run_at"} {
		assert.Regexp(t, re, b[k], k)
	}
	assert.IsType(t, float64(0), b["id"])
	assert.IsType(t, float64(0), b["view_count"])
}

func TestMethodsAndHead(t *testing.T) {
	s := newTestServer(t, Sample())
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		t.Run(m, func(t *testing.T) {
			res, err := do(s, m, "/api/acme/spaces")
			require.NoError(t, err)
			assert.Equal(t, http.StatusMethodNotAllowed, res.status)
		})
	}
	res, err := do(s, http.MethodHead, "/api/acme/spaces")
	require.NoError(t, err)
	assert.Equal(t, 200, res.status)
	assert.Empty(t, res.raw)

	var nonGet []string
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			nonGet = append(nonGet, r.Method)
			assert.Equal(t, 405, r.Status)
			assert.Equal(t, "demo-token", r.Username)
		}
	}
	assert.Len(t, nonGet, 4, "every non-GET request is recorded")
}

func TestDelete(t *testing.T) {
	ws := Sample()
	fin := spaceByName(ws, "Finance", false)
	rev := reportByName(ws, "Revenue dashboard")
	q := rev.Queries[0]
	c := q.Charts[1]
	cases := []struct {
		name    string
		token   string
		gone    []string // paths that must 404
		list    string   // list path that must not contain token
		listKey string
	}{
		{"report", rev.Token, []string{"/api/acme/reports/" + rev.Token, "/api/acme/reports/" + rev.Token + "/queries"},
			"/api/acme/spaces/" + fin.Token + "/reports", "reports"},
		{"query", q.Token, []string{"/api/acme/reports/" + rev.Token + "/queries/" + q.Token + "/charts"},
			"/api/acme/reports/" + rev.Token + "/queries", "queries"},
		{"chart", c.Token, []string{"/api/acme/reports/" + rev.Token + "/queries/" + q.Token + "/charts/" + c.Token},
			"/api/acme/reports/" + rev.Token + "/queries/" + q.Token + "/charts", "charts"},
		{"space", fin.Token, []string{"/api/acme/spaces/" + fin.Token, "/api/acme/reports/" + rev.Token},
			"/api/acme/spaces?filter=all", "spaces"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, ws)
			items, _ := embedded(t, get(t, s, tc.list), tc.listKey)
			require.Contains(t, tokens(items), tc.token)
			s.Delete(tc.token)
			for _, p := range tc.gone {
				assert.Equal(t, 404, get(t, s, p).status, p)
			}
			items, _ = embedded(t, get(t, s, tc.list), tc.listKey)
			assert.NotContains(t, tokens(items), tc.token)
		})
	}
	t.Run("delete after N requests", func(t *testing.T) {
		s := newTestServer(t, ws, WithDeleteAfter(rev.Token, 3))
		for i := range 3 {
			assert.Equal(t, 200, get(t, s, "/api/acme/reports/"+rev.Token).status, "request %d", i+1)
		}
		assert.Equal(t, 404, get(t, s, "/api/acme/reports/"+rev.Token).status)
	})
}

func TestRateLimit(t *testing.T) {
	cases := []struct {
		name       string
		retryAfter bool
		headers    bool
	}{
		{"defaults", false, true},
		{"retry-after and no headers", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Sample(), WithRateLimit(20, 200*time.Millisecond),
				WithRetryAfter(tc.retryAfter), WithRateLimitHeaders(tc.headers))
			var statuses []int
			var last result
			for range 25 {
				last = get(t, s, "/api/verify")
				statuses = append(statuses, last.status)
			}
			ok, limited := 0, 0
			for _, st := range statuses {
				switch st {
				case 200:
					ok++
				case 429:
					limited++
				}
			}
			// 25 requests are far faster than 200 ms on loopback.
			assert.Equal(t, 20, ok)
			assert.Equal(t, 5, limited)
			assert.Equal(t, "rate_limited", last.body["id"])
			if tc.retryAfter {
				assert.Equal(t, "1", last.header.Get("Retry-After"))
			} else {
				assert.Empty(t, last.header.Get("Retry-After"))
			}
			if tc.headers {
				assert.Equal(t, "20", last.header.Get("X-RateLimit-Limit"))
				assert.Equal(t, "0", last.header.Get("X-RateLimit-Remaining"))
			} else {
				assert.Empty(t, last.header.Get("X-RateLimit-Limit"))
			}
			st := s.Stats()
			assert.Equal(t, 5, st.RateLimited)
			assert.Equal(t, 25, st.MaxInWindow)
			assert.Equal(t, 25, st.MaxInWindowByUser["demo-token"])
			assert.Equal(t, 20, st.ByStatus[200])

			time.Sleep(250 * time.Millisecond)
			assert.Equal(t, 200, get(t, s, "/api/verify").status, "window slides")
		})
	}
	t.Run("remaining counts down", func(t *testing.T) {
		s := newTestServer(t, Sample(), WithRateLimit(20, time.Minute))
		for i := range 3 {
			res := get(t, s, "/api/verify")
			assert.Equal(t, []string{strconv.Itoa(19 - i)}, res.header.Values("X-RateLimit-Remaining"))
		}
	})
	t.Run("fake clock window", func(t *testing.T) {
		now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		s := newTestServer(t, Sample(), WithRateLimit(2, 10*time.Second), WithClock(clock), WithRetryAfter(true))
		assert.Equal(t, 200, get(t, s, "/api/verify").status)
		advance(4 * time.Second)
		assert.Equal(t, 200, get(t, s, "/api/verify").status)
		advance(4 * time.Second)
		res := get(t, s, "/api/verify")
		assert.Equal(t, 429, res.status)
		assert.Equal(t, "2", res.header.Get("Retry-After"), "first slot frees at t=10s")
		advance(2 * time.Second)
		assert.Equal(t, 200, get(t, s, "/api/verify").status)
		assert.Equal(t, 3, s.Stats().MaxInWindow)
	})
	t.Run("disabled", func(t *testing.T) {
		s := newTestServer(t, Sample(), WithRateLimit(0, 0))
		for range 60 {
			require.Equal(t, 200, get(t, s, "/api/verify").status)
		}
		assert.Empty(t, get(t, s, "/api/verify").header.Get("X-RateLimit-Limit"))
		assert.Equal(t, 61, s.Stats().MaxInWindow)
	})
}

func TestConcurrentRequests(t *testing.T) {
	ws := Sample()
	s := newTestServer(t, ws, WithRateLimit(0, 0))
	rev := reportByName(ws, "Revenue dashboard")
	paths := []string{"/api/verify", "/api/acme/spaces?filter=all", "/api/acme/reports/" + rev.Token + "/queries"}
	const workers, each = 8, 25
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				res, err := do(s, http.MethodGet, paths[(w+i)%len(paths)])
				if err == nil && res.status != 200 {
					err = assert.AnError
				}
				if err != nil {
					errs <- err
				}
				if i == each/2 && w == 0 {
					s.Delete("000000000000")
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	st := s.Stats()
	assert.Equal(t, workers*each, st.Total)
	assert.Len(t, s.Requests(), workers*each)
}
