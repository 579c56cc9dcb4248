package crawl

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/fakemode"
	"github.com/modecrawl/modecrawl/internal/lineage"
	"github.com/modecrawl/modecrawl/internal/modeapi"
	"github.com/modecrawl/modecrawl/internal/output"
	"github.com/modecrawl/modecrawl/pkg/record"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// fixedNow is the clock of golden runs.
var fixedNow = time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)

// fake starts a fake Mode for ws with rate limiting off (tests that need
// it turn it on) and returns it with a client that retries quickly.
func fake(t testing.TB, ws *fakemode.Workspace, opts ...fakemode.Option) (*fakemode.Server, *modeapi.Client) {
	t.Helper()
	srv := fakemode.NewServer(ws, append([]fakemode.Option{fakemode.WithRateLimit(0, 0)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, newClient(t, srv, 0)
}

func newClient(t testing.TB, srv *fakemode.Server, rps float64) *modeapi.Client {
	t.Helper()
	c, err := modeapi.New(srv.URL(), modeapi.Credentials{Token: "demo-token", Secret: "demo-secret"},
		modeapi.WithRateLimit(rps),
		modeapi.WithRetry(3, time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	return c
}

func testOptions(ws *fakemode.Workspace, concurrency int) Options {
	o := DefaultOptions()
	o.Workspace = ws.Slug
	o.Concurrency = concurrency
	o.ToolVersion = "test"
	o.Now = func() time.Time { return fixedNow }
	return o
}

// crawlTo runs a crawl into an output set under a fresh directory.
func crawlTo(t testing.TB, client Client, opts Options) (string, *Result, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	w, err := output.Create(dir)
	require.NoError(t, err)
	res, err := Run(context.Background(), client, w, opts)
	if err != nil {
		require.NoError(t, w.Abort())
		return dir, nil, err
	}
	require.NoError(t, w.Commit(res.Manifest))
	return dir, res, nil
}

func tokens[T any](in []T, f func(T) string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	slices.Sort(out)
	return out
}

// expected is what a complete crawl must find in a fake workspace: every
// object the API can see (hidden personal collections excluded).
type expected struct {
	spaces, reports, datasets, queries, charts, creators, left []string
	personal, archived                                         []string
	zeroExplorationCharts                                      int
	datasetImports                                             int
}

func expect(ws *fakemode.Workspace) expected {
	var e expected
	hidden := map[string]bool{}
	users := map[string]*fakemode.User{}
	for _, u := range ws.Users {
		users[u.Username] = u
	}
	creators := map[string]bool{}
	for _, s := range ws.Spaces {
		if s.HiddenFromAPI {
			hidden[s.Token] = true
			continue
		}
		e.spaces = append(e.spaces, s.Token)
		if s.SpaceType == fakemode.SpacePrivate {
			e.personal = append(e.personal, s.Token)
		}
		creators[s.Creator] = true
	}
	datasets := map[string]bool{}
	for _, r := range ws.Reports {
		if hidden[r.SpaceToken] {
			continue
		}
		if r.IsDataset() {
			datasets[r.Token] = true
			e.datasets = append(e.datasets, r.Token)
		} else {
			e.reports = append(e.reports, r.Token)
		}
		if r.Archived {
			e.archived = append(e.archived, r.Token)
		}
		creators[r.Creator] = true
		for _, q := range r.Queries {
			e.queries = append(e.queries, q.Token)
			creators[q.Creator] = true
			for _, c := range q.Charts {
				e.charts = append(e.charts, c.Token)
				creators[c.Creator] = true
			}
			if q.ExplorationsCount == 0 {
				e.zeroExplorationCharts += len(q.Charts)
			}
		}
	}
	for _, r := range ws.Reports {
		if hidden[r.SpaceToken] {
			continue
		}
		for _, d := range r.ImportedDatasets {
			if datasets[d] {
				e.datasetImports++
			}
		}
	}
	for _, d := range ws.DataSources {
		creators[d.Creator] = true
	}
	for _, d := range ws.Definitions {
		creators[d.Creator] = true
	}
	delete(creators, "")
	for name := range creators {
		e.creators = append(e.creators, name)
		if u := users[name]; u == nil || u.Left {
			e.left = append(e.left, name)
		}
	}
	for _, s := range [][]string{e.spaces, e.reports, e.datasets, e.queries, e.charts, e.creators, e.left, e.personal, e.archived} {
		slices.Sort(s)
	}
	return e
}

func TestCrawlIsComplete(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 7, Spaces: 5, Reports: 60, DatasetsPerSpace: 1})
	srv, client := fake(t, ws)
	dir, res, err := crawlTo(t, client, testOptions(ws, 8))
	require.NoError(t, err)
	b, err := output.Read(dir)
	require.NoError(t, err)
	want := expect(ws)

	assert.Equal(t, record.StatusComplete, res.Manifest.Status, "errors: %v", res.Manifest.Errors)
	assert.Equal(t, want.spaces, tokens(b.Spaces, func(s record.Space) string { return s.Token }), "spaces")
	assert.Equal(t, want.reports, tokens(b.Reports, func(r record.Report) string { return r.Token }), "reports")
	assert.Equal(t, want.datasets, tokens(b.Datasets, func(r record.Report) string { return r.Token }), "datasets")
	assert.Equal(t, want.queries, tokens(b.Queries, func(q record.Query) string { return q.Token }), "queries")
	assert.Equal(t, want.charts, tokens(b.Charts, func(c record.Chart) string { return c.Token }), "charts")
	assert.Equal(t, want.creators, tokens(b.Users, func(u record.User) string { return u.Username }), "users")
	assert.Positive(t, want.zeroExplorationCharts, "the fake must plant charts under explorations_count 0")

	var personal, archived, left []string
	for _, s := range b.Spaces {
		if s.Personal {
			personal = append(personal, s.Token)
		}
	}
	for _, r := range append(slices.Clone(b.Reports), b.Datasets...) {
		if r.Archived {
			archived = append(archived, r.Token)
		}
		assert.NotNil(t, r.QueryTokens, "query tokens of %s", r.Token)
		require.NotNil(t, r.Popularity)
		assert.Equal(t, record.PopularityRESTViewCount, r.Popularity.Source)
		assert.Nil(t, r.Popularity.WindowDays)
		assert.Equal(t, r.ViewCount, r.Popularity.Views)
		assert.Equal(t, record.SourceREST, r.Source)
	}
	for _, u := range b.Users {
		if u.Left {
			left = append(left, u.Username)
		}
	}
	slices.Sort(personal)
	slices.Sort(archived)
	slices.Sort(left)
	assert.NotEmpty(t, want.personal)
	assert.Equal(t, want.personal, personal, "personal collections flagged")
	assert.NotEmpty(t, want.archived)
	assert.Equal(t, want.archived, archived, "archived reports kept and flagged")
	assert.NotEmpty(t, want.left)
	assert.Equal(t, want.left, left, "users who left")

	// Every query's charts are edges query→chart→parent.
	kinds := map[string]int{}
	for _, e := range b.Edges {
		kinds[e.Source.Kind+">"+e.Target.Kind]++
	}
	assert.Equal(t, len(want.charts), kinds["query>chart"])
	assert.Equal(t, len(want.charts), kinds["chart>report"]+kinds["chart>dataset"])
	assert.Equal(t, want.datasetImports, kinds["dataset>report"])
	assert.Positive(t, kinds["query>dataset"])

	// One imported dataset token is planted deleted: a warning, no edge.
	assert.True(t, slices.ContainsFunc(res.Manifest.Warnings, func(i record.Issue) bool {
		return i.Kind == record.KindDataset && strings.Contains(i.Message, "not found")
	}), "warnings: %v", res.Manifest.Warnings)
	assert.Equal(t, int64(srv.Stats().Total), res.Manifest.Requests.Total)

	// The token secret never reaches the output.
	for name, content := range readSetBytes(t, dir) {
		assert.NotContains(t, content, "demo-secret", name)
	}
}

func TestCrawlRecordsAndURLs(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 3, Reports: 12})
	_, client := fake(t, ws)
	opts := testOptions(ws, 4)
	opts.BaseURL = "https://mode.example.com"
	dir, _, err := crawlTo(t, client, opts)
	require.NoError(t, err)
	b, err := output.Read(dir)
	require.NoError(t, err)
	base := "https://mode.example.com/" + ws.Slug

	for _, s := range b.Spaces {
		assert.Equal(t, s.SpaceType == "private", s.Personal)
	}
	for _, d := range b.Datasets {
		assert.Equal(t, base+"/datasets/"+d.Token, d.URL)
	}
	for _, q := range b.Queries {
		assert.Equal(t, base+"/reports/"+q.ParentToken+"/details/queries/"+q.Token, q.URL)
		assert.Contains(t, []string{record.ParentReport, record.ParentDataset}, q.ParentKind)
	}
	for _, c := range b.Charts {
		assert.Equal(t, base+"/reports/"+c.ReportToken+"/viz/"+c.Token, c.URL)
		assert.NotNil(t, c.ChartType, "chart %s type", c.Token)
	}
	for _, d := range b.DataSources {
		assert.Equal(t, Platform(d.Adapter), d.Platform)
	}
	for _, d := range b.Definitions {
		assert.NotContains(t, d.SQL, `\n`, "definition SQL unescaped")
	}
}

func TestPlatform(t *testing.T) {
	tests := map[string]string{
		"jdbc:snowflake": "snowflake", "jdbc:bigquery": "bigquery", "jdbc:postgresql": "postgres",
		"jdbc:redshift": "redshift", "jdbc:mysql": "mysql", "jdbc:databricks": "databricks",
		"jdbc:spark": "databricks", "jdbc:hive": "databricks", "jdbc:trino": "trino",
		"jdbc:presto": "presto", "jdbc:athena": "athena", "jdbc:sqlserver": "sqlserver",
		"jdbc:vertica": "vertica", "jdbc:modedatasets": "modedatasets",
	}
	for adapter, want := range tests {
		t.Run(adapter, func(t *testing.T) { assert.Equal(t, want, Platform(adapter)) })
	}
}

func TestChartRecordNames(t *testing.T) {
	v1, v2 := modeapi.Number(1), modeapi.Number(2)
	tests := []struct {
		name             string
		chart            modeapi.Chart
		wantTitle, wantT string
	}{
		{"vegas", modeapi.Chart{Token: "c", ViewVersion: &v2, View: []byte(`{}`),
			ViewVegas: []byte(`{"title":"Revenue","chartType":"bar"}`)}, "Revenue", "bar"},
		{"legacy", modeapi.Chart{Token: "c", ViewVersion: &v1, View: []byte(`{"chartTitle":"Old","selectedChart":"pie"}`),
			ViewVegas: []byte(`{}`)}, "Old", "pie"},
		{"no version, vegas present", modeapi.Chart{Token: "c",
			ViewVegas: []byte(`{"title":"T","chartType":"line"}`)}, "T", "line"},
		{"vegas empty falls back to legacy", modeapi.Chart{Token: "c", ViewVersion: &v2,
			View: []byte(`{"chartTitle":"L","selectedChart":"table"}`), ViewVegas: []byte(`{}`)}, "L", "table"},
		{"config wrapped in a string", modeapi.Chart{Token: "c", ViewVersion: &v2,
			ViewVegas: []byte(`"{\"title\":\"S\",\"chartType\":\"area\"}"`)}, "S", "area"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := chartRecord(&tt.chart, "q", "r", urls{base: "https://b", ws: "w"})
			require.NotNil(t, r.Title)
			require.NotNil(t, r.ChartType)
			assert.Equal(t, tt.wantTitle, *r.Title)
			assert.Equal(t, tt.wantT, *r.ChartType)
		})
	}
}

func TestUsernameFromHref(t *testing.T) {
	tests := map[string]string{
		"/api/jdoe":                       "jdoe",
		"https://app.mode.com/api/jdoe":   "jdoe",
		"/api/jdoe/":                      "jdoe",
		"":                                "",
		"/api/first.last%2Bx":             "first.last+x",
		"https://app.mode.com/api/a?b=1c": "a",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) { assert.Equal(t, want, usernameFromHref(in)) })
	}
}

// requestPlan is the request count a complete crawl of ws needs with page
// size perPage: the issue's minimum (1 verify + collection pages + report
// and dataset listing pages per collection + one queries call per report
// and dataset + one charts call per query + data sources + definitions +
// one per distinct user), the extra calls modecrawl makes on purpose (one
// GET per imported dataset no listing contained),
// and what the peer formula
// N ≈ 3 + ⌈S/30⌉ + Σ_s(⌈R_s/30⌉ + ⌈D_s/30⌉ + 2) + R·(1+Q) + I + D + U gives.
type requestPlan struct {
	minimum, extra, peer int
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func plan(ws *fakemode.Workspace, perPage int) requestPlan {
	e := expect(ws)
	pages := func(n int) int { return max(1, ceilDiv(n, perPage)) }
	visible := map[string]bool{}
	for _, s := range e.spaces {
		visible[s] = true
	}
	perSpaceR, perSpaceD := map[string]int{}, map[string]int{}
	imports := 0
	listed := map[string]bool{}
	for _, d := range e.datasets {
		listed[d] = true
	}
	unlisted := map[string]bool{}
	for _, r := range ws.Reports {
		if !visible[r.SpaceToken] {
			continue
		}
		if r.IsDataset() {
			perSpaceD[r.SpaceToken]++
			continue
		}
		perSpaceR[r.SpaceToken]++
		imports += len(r.ImportedDatasets)
		for _, d := range r.ImportedDatasets {
			if !listed[d] {
				unlisted[d] = true
			}
		}
	}
	p := requestPlan{extra: len(unlisted)}
	p.minimum = 1 + pages(len(e.spaces)) + 2
	for _, s := range e.spaces {
		p.minimum += pages(perSpaceR[s]) + pages(perSpaceD[s])
	}
	p.minimum += len(e.reports) + len(e.datasets) + len(e.queries) + len(e.creators)

	p.peer = 3 + ceilDiv(len(e.spaces), 30)
	for _, s := range e.spaces {
		p.peer += ceilDiv(perSpaceR[s], 30) + ceilDiv(perSpaceD[s], 30) + 2
	}
	p.peer += len(e.reports) + len(e.queries) + imports + len(e.datasets) + len(e.creators)
	return p
}

func TestRequestPlanIsMinimal(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 11, Spaces: 6, Reports: 150, DatasetsPerSpace: 1})
	srv, client := fake(t, ws)
	_, res, err := crawlTo(t, client, testOptions(ws, 8))
	require.NoError(t, err)
	p := plan(ws, modeapi.DefaultPerPage)
	got := srv.Stats().Total
	t.Logf("requests %d, minimum %d (+%d deliberate), peer formula %d", got, p.minimum, p.extra, p.peer)
	assert.LessOrEqual(t, float64(got), 1.05*float64(p.minimum))
	assert.Equal(t, p.minimum+p.extra, got, "exactly the plan: nothing skipped, nothing repeated")
	assert.Equal(t, int64(got), res.Manifest.Requests.Total)

	// No endpoint is skipped on a heuristic: every query's charts are asked for.
	charts := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/charts") {
			charts++
		}
	}
	assert.Len(t, expect(ws).queries, charts)
}

func TestFailurePolicy(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 5, Spaces: 3, Reports: 20})
	want := expect(ws)
	// A report with queries, to fail or delete.
	var victim *fakemode.Report
	for _, r := range ws.Reports {
		if !r.IsDataset() && len(r.Queries) > 0 && !slices.Contains(want.archived, r.Token) {
			victim = r
			break
		}
	}
	require.NotNil(t, victim)

	t.Run("report deleted mid-crawl is a warning", func(t *testing.T) {
		srv, client := fake(t, ws)
		// Deleted after the listings, before its queries are read.
		opts := testOptions(ws, 1)
		w, err := output.Create(filepath.Join(t.TempDir(), "out"))
		require.NoError(t, err)
		defer w.Abort()
		res, err := Run(context.Background(), &deleteOnQueries{Client: client, srv: srv, token: victim.Token}, w, opts)
		require.NoError(t, err)
		assert.Equal(t, record.StatusComplete, res.Manifest.Status)
		assert.Empty(t, res.Manifest.Errors)
		assert.Contains(t, res.Manifest.Warnings, record.Issue{Kind: record.KindReport, Token: victim.Token,
			Message: "list queries: not found (deleted during the crawl)"})
		assert.Equal(t, len(want.reports)-1, res.Manifest.Counts[record.KindReport])
	})

	t.Run("persistent 500 on one report fails that report only", func(t *testing.T) {
		_, client := fake(t, ws, fakemode.WithFault(fakemode.Fault{
			PathContains: "/reports/" + victim.Token + "/queries", Status: http.StatusInternalServerError}))
		dir, res, err := crawlTo(t, client, testOptions(ws, 4))
		require.NoError(t, err)
		assert.Equal(t, record.StatusPartial, res.Manifest.Status)
		assert.True(t, res.Partial())
		require.Len(t, res.Manifest.Errors, 1)
		assert.Equal(t, record.KindReport, res.Manifest.Errors[0].Kind)
		assert.Equal(t, victim.Token, res.Manifest.Errors[0].Token)
		assert.Contains(t, res.Manifest.Errors[0].Message, "500")

		b, err := output.Read(dir)
		require.NoError(t, err)
		assert.Equal(t, want.reports, tokens(b.Reports, func(r record.Report) string { return r.Token }),
			"the failed report is still listed")
		var otherQueries []string
		for _, r := range ws.Reports {
			if r.Token != victim.Token {
				for _, q := range r.Queries {
					if !slices.Contains(want.queries, q.Token) {
						continue
					}
					otherQueries = append(otherQueries, q.Token)
				}
			}
		}
		slices.Sort(otherQueries)
		assert.Equal(t, otherQueries, tokens(b.Queries, func(q record.Query) string { return q.Token }),
			"every other report is complete")
		for _, r := range b.Reports {
			if r.Token == victim.Token {
				assert.Nil(t, r.QueryTokens, "unknown queries are null, not empty")
			}
		}
	})

	t.Run("403 on one collection listing fails that collection only", func(t *testing.T) {
		space := victim.SpaceToken
		_, client := fake(t, ws, fakemode.WithFault(fakemode.Fault{
			PathContains: "/spaces/" + space + "/reports", Status: http.StatusForbidden}))
		dir, res, err := crawlTo(t, client, testOptions(ws, 4))
		require.NoError(t, err)
		assert.Equal(t, record.StatusPartial, res.Manifest.Status)
		require.Len(t, res.Manifest.Errors, 1)
		assert.Equal(t, record.Issue{Kind: record.KindSpace, Token: space}, record.Issue{
			Kind: res.Manifest.Errors[0].Kind, Token: res.Manifest.Errors[0].Token})
		b, err := output.Read(dir)
		require.NoError(t, err)
		n := 0
		for _, r := range ws.Reports {
			if !r.IsDataset() && r.SpaceToken != space && slices.Contains(want.reports, r.Token) {
				n++
			}
		}
		assert.Len(t, b.Reports, n, "reports of every other collection")
	})

	t.Run("collection deleted mid-crawl is a warning", func(t *testing.T) {
		space := victim.SpaceToken
		_, client := fake(t, ws, fakemode.WithFault(fakemode.Fault{
			PathContains: "/spaces/" + space + "/datasets", Status: http.StatusNotFound}))
		_, res, err := crawlTo(t, client, testOptions(ws, 4))
		require.NoError(t, err)
		assert.Equal(t, record.StatusComplete, res.Manifest.Status)
		assert.Contains(t, res.Manifest.Warnings, record.Issue{Kind: record.KindSpace, Token: space,
			Message: "list datasets: not found (deleted during the crawl)"})
	})

	t.Run("401 on verify aborts with an auth error", func(t *testing.T) {
		srv, _ := fake(t, ws)
		bad, err := modeapi.New(srv.URL(), modeapi.Credentials{Token: "demo-token", Secret: "wrong"},
			modeapi.WithRateLimit(0), modeapi.WithRetry(0, time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		_, _, err = crawlTo(t, bad, testOptions(ws, 4))
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrAuth)
		assert.True(t, modeapi.IsAuth(err))
		assert.NotContains(t, err.Error(), "wrong", "the secret never appears in errors")
	})

	t.Run("401 mid-crawl aborts", func(t *testing.T) {
		_, client := fake(t, ws, fakemode.WithFault(fakemode.Fault{
			PathContains: "/charts", Status: http.StatusUnauthorized}))
		_, _, err := crawlTo(t, client, testOptions(ws, 4))
		assert.ErrorIs(t, err, ErrAuth)
	})

	t.Run("workspace mismatch is a warning, never a switch", func(t *testing.T) {
		srv, client := fake(t, ws)
		w, err := output.Create(filepath.Join(t.TempDir(), "out"))
		require.NoError(t, err)
		defer w.Abort()
		res, err := Run(context.Background(), &otherVerify{Client: client}, w, testOptions(ws, 4))
		require.NoError(t, err)
		i := slices.IndexFunc(res.Manifest.Warnings, func(i record.Issue) bool { return i.Kind == record.KindWorkspace })
		require.GreaterOrEqual(t, i, 0, "warnings: %v", res.Manifest.Warnings)
		assert.Contains(t, res.Manifest.Warnings[i].Message, `"elsewhere"`)
		for _, r := range srv.Requests() {
			assert.NotContains(t, r.Path, "elsewhere")
		}
	})

	t.Run("no /api/verify endpoint is a warning", func(t *testing.T) {
		_, client := fake(t, ws, fakemode.WithFault(fakemode.Fault{PathContains: "/api/verify", Status: http.StatusNotFound}))
		dir, res, err := crawlTo(t, client, testOptions(ws, 4))
		require.NoError(t, err)
		assert.Equal(t, record.StatusComplete, res.Manifest.Status)
		assert.Contains(t, fmt.Sprint(res.Manifest.Warnings), "/api/verify answered 404")
		assert.DirExists(t, dir)
	})

	t.Run("canceled context stops the crawl", func(t *testing.T) {
		_, client := fake(t, ws, fakemode.WithLatency(5*time.Millisecond))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		w, err := output.Create(filepath.Join(t.TempDir(), "out"))
		require.NoError(t, err)
		defer w.Abort()
		_, err = Run(ctx, client, w, testOptions(ws, 2))
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	})
}

// deleteOnQueries deletes a report in the fake right before the crawl asks
// for its queries: the deletion happens between listing and detail.
type deleteOnQueries struct {
	Client
	srv   *fakemode.Server
	token string
}

func (d *deleteOnQueries) ReportQueries(ctx context.Context, ws, report string) ([]modeapi.Query, error) {
	if report == d.token {
		d.srv.Delete(report)
	}
	return d.Client.ReportQueries(ctx, ws, report)
}

// otherVerify answers /api/verify with another workspace.
type otherVerify struct{ Client }

func (o *otherVerify) Verify(ctx context.Context) (*modeapi.Verify, error) {
	v, err := o.Client.Verify(ctx)
	if err != nil {
		return nil, err
	}
	v.Workspace = "elsewhere"
	return v, nil
}

func TestFilters(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 9, Spaces: 4, Reports: 30})
	want := expect(ws)
	names := map[string]string{}
	for _, s := range ws.Spaces {
		if s.Name != nil {
			names[s.Token] = *s.Name
		}
	}
	var excluded *fakemode.Report
	for _, r := range ws.Reports {
		if !r.IsDataset() && !r.Archived && r.Name != nil && !slices.Contains(want.personal, r.SpaceToken) {
			excluded = r
			break
		}
	}
	require.NotNil(t, excluded)

	tests := []struct {
		name  string
		setup func(o *Options)
		check func(t *testing.T, b *output.Bundle, m record.Manifest)
	}{
		{"exclude personal", func(o *Options) { o.IncludePersonal = false }, func(t *testing.T, b *output.Bundle, _ record.Manifest) {
			for _, s := range b.Spaces {
				assert.False(t, s.Personal)
			}
			for _, r := range b.Reports {
				assert.NotContains(t, want.personal, r.SpaceToken)
			}
		}},
		{"exclude archived", func(o *Options) { o.IncludeArchived = false }, func(t *testing.T, b *output.Bundle, _ record.Manifest) {
			for _, r := range b.Reports {
				assert.False(t, r.Archived)
			}
			assert.Len(t, b.Reports, len(want.reports)-countIn(want.archived, want.reports))
		}},
		{"exclude report by name", func(o *Options) { o.ExcludeReports = []string{*excluded.Name} }, func(t *testing.T, b *output.Bundle, m record.Manifest) {
			for _, r := range b.Reports {
				assert.NotEqual(t, excluded.Token, r.Token)
			}
			for _, q := range b.Queries {
				assert.NotEqual(t, excluded.Token, q.ParentToken, "no queries fetched for a skipped report")
			}
			assert.Contains(t, m.Warnings, record.Issue{Kind: record.KindReport, Token: excluded.Token, Message: "skipped: matches exclude_reports"})
		}},
		{"collection include regex", func(o *Options) {
			o.IncludeCollections = mustRegexps("^" + regexpQuote(names[excluded.SpaceToken]) + "$")
		}, func(t *testing.T, b *output.Bundle, _ record.Manifest) {
			require.Len(t, b.Spaces, 1)
			for _, r := range b.Reports {
				assert.Equal(t, excluded.SpaceToken, r.SpaceToken)
			}
		}},
		{"collection exclude regex", func(o *Options) {
			o.ExcludeCollections = mustRegexps("^" + regexpQuote(names[excluded.SpaceToken]) + "$")
		}, func(t *testing.T, b *output.Bundle, _ record.Manifest) {
			for _, r := range b.Reports {
				assert.NotEqual(t, excluded.SpaceToken, r.SpaceToken)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, client := fake(t, ws)
			opts := testOptions(ws, 4)
			tt.setup(&opts)
			dir, res, err := crawlTo(t, client, opts)
			require.NoError(t, err)
			b, err := output.Read(dir)
			require.NoError(t, err)
			tt.check(t, b, res.Manifest)
		})
	}
}

func countIn(sub, in []string) int {
	n := 0
	for _, s := range sub {
		if slices.Contains(in, s) {
			n++
		}
	}
	return n
}

// readSetBytes returns every file of an output set; the manifest's
// timestamps are blanked.
func readSetBytes(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = string(b)
	}
	return out
}

func TestDeterministicAcrossConcurrency(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 21, Spaces: 5, Reports: 80, DatasetsPerSpace: 1})
	var sets []map[string]string
	for _, conc := range []int{1, 16} {
		_, client := fake(t, ws)
		opts := testOptions(ws, conc)
		opts.Lineage = SQLLineage{Options: lineage.Options{Now: func() time.Time { return fixedNow }}}
		// A real clock: timestamps differ between runs and are blanked.
		opts.Now = time.Now
		dir, _, err := crawlTo(t, client, opts)
		require.NoError(t, err)
		set := readSetBytes(t, dir)
		set[record.ManifestFile] = blankTimes(t, set[record.ManifestFile])
		sets = append(sets, set)
	}
	require.Len(t, sets[0], 10)
	for name := range sets[0] {
		assert.Equal(t, sets[0][name], sets[1][name], "%s differs between concurrency 1 and 16", name)
	}
}

func blankTimes(t *testing.T, manifest string) string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(manifest, "\n") {
		if strings.Contains(l, `"started_at"`) || strings.Contains(l, `"finished_at"`) {
			continue
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

func TestGolden(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 1, Spaces: 2, Reports: 6, Users: 5})
	_, client := fake(t, ws)
	dir, _, err := crawlTo(t, client, testOptions(ws, 4))
	require.NoError(t, err)
	got := readSetBytes(t, dir)
	// Request counts depend on the client's page size, not on the crawl's
	// output; they are kept, since the fake is deterministic.
	golden := filepath.Join("testdata", "golden")
	if *update {
		require.NoError(t, os.RemoveAll(golden))
		require.NoError(t, os.MkdirAll(golden, 0o755))
		for name, b := range got {
			require.NoError(t, os.WriteFile(filepath.Join(golden, name), []byte(b), 0o644))
		}
	}
	for name, b := range got {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(golden, name))
			require.NoError(t, err, "run go test -update to create golden files")
			assert.Equal(t, string(want), b)
		})
	}
}

func TestCrawlWithSQLLineage(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 4, Spaces: 3, Reports: 25})
	_, client := fake(t, ws)
	opts := testOptions(ws, 8)
	opts.Lineage = SQLLineage{Options: lineage.Options{Now: func() time.Time { return fixedNow }}}
	dir, res, err := crawlTo(t, client, opts)
	require.NoError(t, err)
	assert.Equal(t, record.StatusComplete, res.Manifest.Status)
	b, err := output.Read(dir)
	require.NoError(t, err)

	withTables := 0
	for _, q := range b.Queries {
		assert.NotEmpty(t, q.Dialect, "query %s analysed", q.Token)
		assert.NotNil(t, q.LineageConfidence, "query %s", q.Token)
		if len(q.Tables) > 0 {
			withTables++
		}
	}
	assert.Greater(t, withTables, len(b.Queries)/2, "most generated queries read tables")

	origins := map[string]int{}
	for _, e := range b.Edges {
		origins[e.Source.Kind+">"+e.Target.Kind+"/"+e.Origin]++
	}
	assert.Positive(t, origins["table>query/sql"], "table → query edges: %v", origins)
	withFields := 0
	for _, c := range b.Charts {
		if len(c.Fields) > 0 {
			withFields++
		}
	}
	assert.Positive(t, withFields, "chart fields matched to query columns")
	assert.Positive(t, origins["query>chart/chart_config"])
}

func TestRunRejectsMissingWorkspace(t *testing.T) {
	_, err := Run(context.Background(), nil, nil, Options{})
	assert.ErrorContains(t, err, "no workspace")
}

func mustRegexps(exprs ...string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(exprs))
	for i, e := range exprs {
		out[i] = regexp.MustCompile(e)
	}
	return out
}

func regexpQuote(s string) string { return regexp.QuoteMeta(s) }
