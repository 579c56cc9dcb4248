package crawl

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/discoverydb"
	"github.com/modecrawl/modecrawl/internal/fakemode"
	"github.com/modecrawl/modecrawl/internal/fakesnowflake"
	"github.com/modecrawl/modecrawl/internal/lineage"
	"github.com/modecrawl/modecrawl/internal/output"
	"github.com/modecrawl/modecrawl/pkg/record"
)

var _ Discovery = (*discoverydb.DB)(nil)

// discoveryEnv serves ws's Discovery Database from a fake Snowflake over
// SQLite, seeded from the same workspace the fake REST API serves.
func discoveryEnv(t *testing.T, ws *fakemode.Workspace, schema ...fakesnowflake.SchemaOption) *discoverydb.DB {
	t.Helper()
	ctx := context.Background()
	lite, err := fakesnowflake.Open(ctx, schema...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })
	require.NoError(t, fakesnowflake.Seed(ctx, lite, ws, ws.Now, fakesnowflake.SeedOptions{Seed: 3}))
	srv := fakesnowflake.NewServer(lite, fakesnowflake.WithCredentials("reader", "pw-not-logged"))
	t.Cleanup(srv.Close)
	db, err := discoverydb.Open(ctx, discoverydb.Config{
		Account: "acme", User: "reader", Password: "pw-not-logged",
		Host: srv.Host(), Port: srv.Port(), Protocol: "http",
		LoginTimeout: 10 * time.Second, QueryTimeout: 30 * time.Second,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestCrawlWithDiscoveryDatabase(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 13, Spaces: 3, Reports: 30, Users: 8})
	hidden := map[string]bool{}
	for _, s := range ws.Spaces {
		if s.HiddenFromAPI {
			hidden[s.Token] = true
		}
	}
	var hiddenReports []string
	for _, r := range ws.Reports {
		if hidden[r.SpaceToken] && !r.IsDataset() {
			hiddenReports = append(hiddenReports, r.Token)
		}
	}
	require.NotEmpty(t, hiddenReports, "the generator hides a personal collection from the API")

	db := discoveryEnv(t, ws)
	_, client := fake(t, ws)
	opts := testOptions(ws, 8)
	opts.Now = func() time.Time { return ws.Now }
	opts.Discovery = db
	opts.Lineage = SQLLineage{Options: lineage.Options{Now: opts.Now}}
	dir, res, err := crawlTo(t, client, opts)
	require.NoError(t, err)
	b, err := output.Read(dir)
	require.NoError(t, err)

	require.NotNil(t, res.Manifest.Discovery)
	assert.True(t, res.Manifest.Discovery.Used, "%+v", res.Manifest.Discovery)
	assert.Equal(t, record.StatusComplete, res.Manifest.Status, "errors: %v", res.Manifest.Errors)

	bySource := map[string][]string{}
	reports := map[string]record.Report{}
	for _, r := range b.Reports {
		bySource[r.Source] = append(bySource[r.Source], r.Token)
		reports[r.Token] = r
		require.NotNil(t, r.Popularity, r.Token)
		assert.Equal(t, record.PopularityDiscoveryDB, r.Popularity.Source, r.Token)
		require.NotNil(t, r.Popularity.WindowDays)
		assert.Equal(t, DefaultPopularityWindowDays, *r.Popularity.WindowDays)
	}
	for _, tok := range hiddenReports {
		r, ok := reports[tok]
		if assert.True(t, ok, "report %s of a hidden personal collection found through the Discovery Database", tok) {
			assert.Equal(t, record.SourceDiscoveryDB, r.Source)
		}
	}
	assert.NotEmpty(t, bySource[record.SourceBoth], "reports both sources saw")
	assert.Empty(t, bySource[record.SourceREST], "the Discovery Database holds every report")

	// Reports' windowed views match the workspace's truth.
	for _, r := range ws.Reports {
		if got, ok := reports[r.Token]; ok && got.Popularity.Views != nil {
			assert.Equal(t, r.Views90d, *got.Popularity.Views, "views of %s", r.Token)
		}
	}

	hiddenQueries := 0
	for _, q := range b.Queries {
		if q.Source == record.SourceDiscoveryDB {
			hiddenQueries++
			assert.Contains(t, hiddenReports, q.ParentToken)
			assert.NotEmpty(t, q.Dialect, "discovery-only queries are analysed for lineage")
		}
	}
	assert.Positive(t, hiddenQueries)

	enriched := 0
	for _, u := range b.Users {
		if u.MembershipState != nil {
			enriched++
		}
	}
	assert.Positive(t, enriched, "users enriched from the Discovery Database")
}

func TestDiscoveryFailureIsAWarning(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 14, Spaces: 2, Reports: 8})
	// A share without the tables modecrawl reads: every read fails.
	db := discoveryEnv(t, ws, fakesnowflake.WithoutTables("REPORTS", "REPORT_VIEWS", "QUERIES", "QUERY_RUNS", "USERS"))
	_, client := fake(t, ws)
	opts := testOptions(ws, 4)
	opts.Discovery = db
	dir, res, err := crawlTo(t, client, opts)
	require.NoError(t, err, "a Discovery Database failure never stops the crawl")
	assert.Equal(t, record.StatusComplete, res.Manifest.Status)

	warned := 0
	for _, w := range res.Manifest.Warnings {
		if w.Kind == record.KindDiscovery {
			warned++
			assert.NotContains(t, w.Message, "pw-not-logged")
		}
	}
	assert.Positive(t, warned)
	require.NotNil(t, res.Manifest.Discovery)
	assert.False(t, res.Manifest.Discovery.Used)
	b, err := output.Read(dir)
	require.NoError(t, err)
	for _, r := range b.Reports {
		assert.Equal(t, record.PopularityRESTViewCount, r.Popularity.Source, "falls back to view_count")
		assert.Equal(t, record.SourceREST, r.Source)
	}
}

func TestDiscoveryOnlyReportsRespectFilters(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 13, Spaces: 3, Reports: 30, Users: 8})
	db := discoveryEnv(t, ws)
	_, client := fake(t, ws)
	opts := testOptions(ws, 4)
	opts.Now = func() time.Time { return ws.Now }
	opts.Discovery = db
	opts.IncludePersonal = false
	dir, _, err := crawlTo(t, client, opts)
	require.NoError(t, err)
	b, err := output.Read(dir)
	require.NoError(t, err)
	personal := map[string]bool{}
	for _, s := range ws.Spaces {
		if s.SpaceType == fakemode.SpacePrivate {
			personal[s.Token] = true
		}
	}
	for _, r := range b.Reports {
		assert.False(t, personal[r.SpaceToken], "report %s of a personal collection", r.Token)
		assert.NotEqual(t, record.SourceDiscoveryDB, r.Source)
	}
	for _, q := range b.Queries {
		assert.NotEqual(t, record.SourceDiscoveryDB, q.Source)
	}
}

// TestDiscoveryOnlyReportsSurviveUnrelatedFilters: a collection filter that
// does not match a Discovery-only report's collection (known by its name and
// type from the Discovery Database) keeps the report.
func TestDiscoveryOnlyReportsSurviveUnrelatedFilters(t *testing.T) {
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 13, Spaces: 3, Reports: 30, Users: 8})
	db := discoveryEnv(t, ws)
	_, client := fake(t, ws)
	opts := testOptions(ws, 4)
	opts.Now = func() time.Time { return ws.Now }
	opts.Discovery = db
	opts.ExcludeCollections = mustRegexps("^No such collection$")
	dir, _, err := crawlTo(t, client, opts)
	require.NoError(t, err)
	b, err := output.Read(dir)
	require.NoError(t, err)
	var only []record.Report
	for _, r := range b.Reports {
		if r.Source == record.SourceDiscoveryDB {
			only = append(only, r)
		}
	}
	require.NotEmpty(t, only, "the hidden personal collection's reports are kept")
	for _, r := range only {
		require.NotNil(t, r.SpaceName, "report %s", r.Token)
		assert.Equal(t, "personal", r.SpaceType, "report %s", r.Token)
	}

	// Excluding that collection by its name drops them.
	opts.ExcludeCollections = mustRegexps("^Personal$")
	dir, _, err = crawlTo(t, client, opts)
	require.NoError(t, err)
	b, err = output.Read(dir)
	require.NoError(t, err)
	for _, r := range b.Reports {
		assert.NotEqual(t, record.SourceDiscoveryDB, r.Source, "report %s", r.Token)
	}
}
