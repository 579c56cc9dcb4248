package discoverydb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/fakemode"
	"github.com/modecrawl/modecrawl/internal/fakesnowflake"
	"github.com/modecrawl/modecrawl/pkg/record"
)

const (
	testUser     = "modecrawl_reader"
	testPassword = "s3cret-Pa55word"
)

// testNow is the crawl time of every test: a fixed instant, in UTC.
var testNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

func strPtr(s string) *string { return &s }

// fixtureWorkspace is a small hand-made workspace: shared and personal
// collections (one hidden from the REST API), an archived report, a
// report nobody viewed, a user who left, two data sources and a query on
// a deleted one.
func fixtureWorkspace() *fakemode.Workspace {
	created := testNow.AddDate(-1, 0, 0)
	users := []*fakemode.User{
		{Username: "ana", Name: "Ana Analyst", Email: "ana@example.com", ID: 101, Token: "a0a0a0a0a0a1", CreatedAt: created, Admin: true},
		{Username: "ben", Name: "Ben Builder", Email: "ben@example.com", ID: 102, Token: "b0b0b0b0b0b2", CreatedAt: created},
		{Username: "cai", Name: "Cai Curious", Email: "cai@example.com", ID: 103, Token: "c0c0c0c0c0c3", CreatedAt: created},
		{Username: "dee", Name: "Dee Departed", Email: "dee@example.com", ID: 104, Token: "d0d0d0d0d0d4", CreatedAt: created, Left: true},
		{Username: "eve", Name: "Eve Exec", Email: "eve@example.com", ID: 105, Token: "e0e0e0e0e0e5", CreatedAt: created},
	}
	spaces := []*fakemode.Space{
		{Token: "5a11e5f1a0c1", ID: 11, Name: strPtr("Finance"), SpaceType: fakemode.SpaceCustom, DefaultAccessLevel: "view"},
		{Token: "5a11e5f1a0c2", ID: 12, Name: strPtr("Personal"), SpaceType: fakemode.SpacePrivate, OwnerUsername: "ben", HiddenFromAPI: true},
	}
	sources := []*fakemode.DataSource{
		{ID: 7, Token: "d5d5d5d5d5d7", Name: "Warehouse", Adapter: "jdbc:snowflake"},
		{ID: 8, Token: "d5d5d5d5d5d8", Name: "Marketing PG", Adapter: "jdbc:postgresql"},
	}
	report := func(tok string, id int64, name, space string, views, viewers int64, queries ...*fakemode.Query) *fakemode.Report {
		c := created.Add(time.Duration(id) * time.Hour)
		return &fakemode.Report{Token: tok, ID: id, Name: strPtr(name), SpaceToken: space, Type: fakemode.TypeReport,
			CreatedAt: &c, EditedAt: &c, ViewCount: views * 3, Views90d: views, Viewers90d: viewers,
			Creator: "ana", Queries: queries}
	}
	query := func(tok string, id int64, ds int64, sql string) *fakemode.Query {
		return &fakemode.Query{Token: tok, ID: id, Name: strPtr("Query " + tok[:4]), RawQuery: sql, DataSourceID: ds, Creator: "ana"}
	}
	reports := []*fakemode.Report{
		report("aaaaaaaaaa01", 1001, "Revenue", spaces[0].Token, 40, 4,
			query("9a0000000001", 5001, 7, "SELECT * FROM analytics.revenue"),
			query("9a0000000002", 5002, 7, "SELECT region, SUM(amount) FROM analytics.orders GROUP BY 1")),
		report("aaaaaaaaaa02", 1002, "Churn", spaces[0].Token, 12, 3,
			query("9a0000000003", 5003, 8, "SELECT * FROM public.churn")),
		report("aaaaaaaaaa03", 1003, "Ben's scratch", spaces[1].Token, 12, 1,
			query("9a0000000004", 5004, 8, "SELECT user_id FROM public.events"),
			query("9a0000000005", 5005, 99, "SELECT 1 -- on a deleted connection")),
		report("aaaaaaaaaa04", 1004, "Nobody looks", spaces[0].Token, 0, 0,
			query("9a0000000006", 5006, 7, "SELECT * FROM analytics.unused")),
		report("aaaaaaaaaa05", 1005, "Old board", spaces[0].Token, 3, 2),
	}
	reports[4].Archived = true
	dataset := &fakemode.Report{Token: "da7a5e700001", ID: 1900, Name: strPtr("Orders dataset"), Type: fakemode.TypeDataset,
		SpaceToken: spaces[0].Token}
	return &fakemode.Workspace{Slug: "acme", Token: "ac3e00000001", Name: "Acme", Now: testNow,
		Spaces: spaces, Reports: append(reports, dataset), DataSources: sources, Users: users}
}

// dataSources is the fixture's data sources as crawl records.
func dataSources(ws *fakemode.Workspace) []record.DataSource {
	out := make([]record.DataSource, 0, len(ws.DataSources))
	for _, ds := range ws.DataSources {
		out = append(out, record.DataSource{ID: ds.ID, Name: strPtr(ds.Name)})
	}
	return out
}

// env is one fake Discovery Database behind a fake Snowflake endpoint.
type env struct {
	ws     *fakemode.Workspace
	lite   *sql.DB
	server *fakesnowflake.Server
	cfg    Config
}

func newEnv(t *testing.T, schema ...fakesnowflake.SchemaOption) *env {
	t.Helper()
	ctx := context.Background()
	lite, err := fakesnowflake.Open(ctx, schema...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })
	ws := fixtureWorkspace()
	require.NoError(t, fakesnowflake.Seed(ctx, lite, ws, testNow, fakesnowflake.SeedOptions{Seed: 7}))
	srv := fakesnowflake.NewServer(lite, fakesnowflake.WithCredentials(testUser, testPassword))
	t.Cleanup(srv.Close)
	return &env{ws: ws, lite: lite, server: srv, cfg: Config{
		Account: "acme", User: testUser, Password: testPassword,
		Host: srv.Host(), Port: srv.Port(), Protocol: "http",
		LoginTimeout: 10 * time.Second, QueryTimeout: 30 * time.Second,
	}}
}

func (e *env) open(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), e.cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// events read straight from the embedded tables, for expectations
// computed in Go.
type viewEvent struct {
	report, viewer string
	at             time.Time
}

type runEvent struct {
	query, state string
	scheduled    bool
	runtime      sql.NullFloat64
	at           time.Time
}

func parseStored(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(fakesnowflake.TimeFormat, s)
	require.NoError(t, err)
	return at
}

func (e *env) views(t *testing.T) []viewEvent {
	t.Helper()
	rows, err := e.lite.Query(`SELECT CAST(REPORT_ID AS TEXT), CAST(VIEWER_ID AS TEXT), VIEWED_AT_UTC FROM REPORT_VIEWS`)
	require.NoError(t, err)
	defer rows.Close()
	var out []viewEvent
	for rows.Next() {
		var v viewEvent
		var at string
		require.NoError(t, rows.Scan(&v.report, &v.viewer, &at))
		v.at = parseStored(t, at)
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	return out
}

func (e *env) runs(t *testing.T) []runEvent {
	t.Helper()
	rows, err := e.lite.Query(`SELECT CAST(QUERY_ID AS TEXT), STATE, IS_SCHEDULED, RUNTIME_IN_SECONDS, STARTED_AT_UTC FROM QUERY_RUNS`)
	require.NoError(t, err)
	defer rows.Close()
	var out []runEvent
	for rows.Next() {
		var r runEvent
		var at string
		var sched int64
		require.NoError(t, rows.Scan(&r.query, &r.state, &sched, &r.runtime, &at))
		r.scheduled = sched == 1
		r.at = parseStored(t, at)
		out = append(out, r)
	}
	require.NoError(t, rows.Err())
	return out
}

// stringPairs reads two text columns of a table into a map.
func (e *env) stringPairs(t *testing.T, stmt string) map[string]string {
	t.Helper()
	rows, err := e.lite.Query(stmt)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		require.NoError(t, rows.Scan(&k, &v))
		out[k] = v
	}
	require.NoError(t, rows.Err())
	return out
}

// expectedPopularity is the popularity of every report computed in Go
// from raw events, keyed by report id as stored.
type expectedPop struct {
	views, viewers, runs, scheduled int64
	last                            *time.Time
	rank                            int
	percentile                      float64
}

func inWindow(at, now time.Time, days int) bool {
	start := now.Add(-time.Duration(days) * 24 * time.Hour)
	return !at.Before(start) && !at.After(now)
}

func computePopularity(t *testing.T, e *env, now time.Time, days int) map[string]*expectedPop {
	t.Helper()
	out := map[string]*expectedPop{}
	get := func(id string) *expectedPop {
		if out[id] == nil {
			out[id] = &expectedPop{}
		}
		return out[id]
	}
	for id := range e.stringPairs(t, `SELECT CAST(ID AS TEXT), CAST(ID AS TEXT) FROM REPORTS`) {
		get(id)
	}
	viewers := map[string]map[string]bool{}
	for _, v := range e.views(t) {
		if !inWindow(v.at, now, days) {
			continue
		}
		p := get(v.report)
		p.views++
		if viewers[v.report] == nil {
			viewers[v.report] = map[string]bool{}
		}
		viewers[v.report][v.viewer] = true
		if p.last == nil || v.at.After(*p.last) {
			at := v.at
			p.last = &at
		}
	}
	for id, set := range viewers {
		out[id].viewers = int64(len(set))
	}
	queryReport := e.stringPairs(t, `SELECT CAST(ID AS TEXT), CAST(REPORT_ID AS TEXT) FROM QUERIES`)
	for _, r := range e.runs(t) {
		if !inWindow(r.at, now, days) {
			continue
		}
		p := get(queryReport[r.query])
		p.runs++
		if r.scheduled {
			p.scheduled++
		}
	}
	// Competition rank and cumulative share, by views.
	all := make([]*expectedPop, 0, len(out))
	for _, p := range out {
		all = append(all, p)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].views > all[j].views })
	for _, p := range all {
		higher, notMore := 0, 0
		for _, q := range all {
			if q.views > p.views {
				higher++
			} else {
				notMore++
			}
		}
		p.rank = higher + 1
		p.percentile = 100 * float64(notMore) / float64(len(all))
	}
	return out
}

// reportKey maps a stored report id to the key Popularity uses.
func (e *env) reportKeys(t *testing.T) map[string]string {
	t.Helper()
	urls := e.stringPairs(t, `SELECT CAST(ID AS TEXT), URL FROM REPORTS`)
	out := map[string]string{}
	for id, url := range urls {
		m := reportTokenInURL.FindStringSubmatch(url)
		require.NotNil(t, m, "url %s", url)
		out[id] = m[1]
	}
	return out
}

func requireNoSecret(t *testing.T, s string) {
	t.Helper()
	require.NotContains(t, s, testPassword, fmt.Sprintf("secret leaked in %q", s))
}
