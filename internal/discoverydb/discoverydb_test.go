package discoverydb

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/fakesnowflake"
	"github.com/modecrawl/modecrawl/pkg/record"
)

var idStyles = []struct {
	name   string
	opts   []fakesnowflake.SchemaOption
	tokens bool
}{
	{name: "token ids", tokens: true},
	{name: "numeric ids", opts: []fakesnowflake.SchemaOption{fakesnowflake.WithNumericIDs()}},
}

func TestOpenChecksCapabilities(t *testing.T) {
	for _, style := range idStyles {
		t.Run(style.name, func(t *testing.T) {
			e := newEnv(t, style.opts...)
			db := e.open(t)
			caps := db.Capabilities()
			assert.Empty(t, caps.Missing)
			assert.Equal(t, style.tokens, caps.IDsAreTokens)
			assert.Empty(t, caps.ProbeError)
			var latest time.Time
			for _, v := range e.views(t) {
				if v.at.After(latest) {
					latest = v.at
				}
			}
			require.NotNil(t, caps.Freshness)
			assert.True(t, latest.Equal(*caps.Freshness), "freshness %v, want %v", caps.Freshness, latest)
			assert.Equal(t, 2, db.RoundTrips(), "catalog probe + sample")
			// Login sent the configured names; the fake saw one login.
			var logins int
			for _, r := range e.server.Requests() {
				if r.Path == "/session/v1/login-request" {
					logins++
					assert.True(t, r.Success)
				}
			}
			assert.Equal(t, 1, logins)
		})
	}
}

func TestOpenWrongPassword(t *testing.T) {
	e := newEnv(t)
	cfg := e.cfg
	cfg.Password = "wrong-" + testPassword
	_, err := Open(context.Background(), cfg)
	require.Error(t, err)
	var le *LoginError
	require.True(t, errors.As(err, &le), "error %T", err)
	assert.Contains(t, err.Error(), "Incorrect username or password")
	assert.Contains(t, err.Error(), testUser)
	assert.NotContains(t, err.Error(), cfg.Password)
	requireNoSecret(t, err.Error())
}

func TestPopularityMatchesEvents(t *testing.T) {
	for _, style := range idStyles {
		t.Run(style.name, func(t *testing.T) {
			e := newEnv(t, style.opts...)
			db := e.open(t)
			before, requestsBefore := db.RoundTrips(), len(e.server.QueryRequests())
			got, err := db.Popularity(context.Background(), testNow, 90)
			require.NoError(t, err)
			assert.Equal(t, 1, db.RoundTrips()-before, "one statement for all reports")
			reqs := e.server.QueryRequests()[requestsBefore:]
			require.Len(t, reqs, 1)
			assert.Contains(t, reqs[0].SQL, `"MODE"."ORGANIZATION_USAGE"."REPORT_VIEWS"`)
			require.Len(t, reqs[0].Bindings, 4, "window bounds are binds")
			assert.Equal(t, fakesnowflake.FormatTime(testNow.AddDate(0, 0, -90)), reqs[0].Bindings[0])
			assert.Equal(t, fakesnowflake.FormatTime(testNow), reqs[0].Bindings[1])

			want := computePopularity(t, e, testNow, 90)
			keys := e.reportKeys(t)
			require.Len(t, got, len(want))
			for id, w := range want {
				key := id
				if !style.tokens {
					key = keys[id]
				}
				p, ok := got[key]
				require.True(t, ok, "report %s (key %s) missing", id, key)
				assert.Equal(t, record.PopularityDiscoveryDB, p.Source)
				require.NotNil(t, p.WindowDays)
				assert.Equal(t, 90, *p.WindowDays)
				assert.Equal(t, w.views, *p.Views, "views of %s", key)
				assert.Equal(t, w.viewers, *p.Viewers, "viewers of %s", key)
				assert.Equal(t, w.runs, *p.Runs, "runs of %s", key)
				assert.Equal(t, w.scheduled, *p.ScheduledRuns, "scheduled runs of %s", key)
				assert.Equal(t, w.rank, *p.Rank, "rank of %s", key)
				assert.InDelta(t, w.percentile, *p.Percentile, 1e-9, "percentile of %s", key)
				if w.last == nil {
					assert.Nil(t, p.LastViewedAt)
				} else {
					require.NotNil(t, p.LastViewedAt)
					assert.True(t, w.last.Equal(*p.LastViewedAt), "last view of %s: %v want %v", key, p.LastViewedAt, w.last)
					assert.Equal(t, time.UTC, p.LastViewedAt.Location())
				}
			}
			// The seeded model's own figures hold too.
			assert.Equal(t, int64(40), *got["aaaaaaaaaa01"].Views)
			assert.Equal(t, int64(4), *got["aaaaaaaaaa01"].Viewers)
			assert.Equal(t, 1, *got["aaaaaaaaaa01"].Rank)
			assert.Equal(t, int64(0), *got["aaaaaaaaaa04"].Views)
		})
	}
}

func TestPopularityWindowBoundaryAndTimezone(t *testing.T) {
	e := newEnv(t)
	start := testNow.AddDate(0, 0, -30)
	events := []struct {
		at      time.Time
		counted bool
	}{
		{start, true},                          // exactly now-30d: inclusive, like Mode's ">="
		{start.Add(-time.Nanosecond), false},   // just before the window
		{start.Add(time.Nanosecond), true},     // just inside
		{testNow, true},                        // exactly now
		{testNow.Add(time.Nanosecond), false},  // after the crawl time
		{testNow.Add(-12 * time.Hour), true},   // ordinary
		{testNow.AddDate(0, 0, -31), false},    // a day too old
		{testNow.Add(-time.Millisecond), true}, // sub-second precision survives
	}
	_, err := e.lite.Exec(`INSERT INTO REPORTS (ID, NAME, URL) VALUES ('bbbbbbbbbbbb', 'Boundary', 'https://app.mode.com/acme/reports/bbbbbbbbbbbb')`)
	require.NoError(t, err)
	want := 0
	for i, ev := range events {
		_, err := e.lite.Exec(`INSERT INTO REPORT_VIEWS (ID, REPORT_ID, VIEWER_ID, VIEWED_AT_UTC) VALUES (?, 'bbbbbbbbbbbb', ?, ?)`,
			900000+i, []string{"a0a0a0a0a0a1", "b0b0b0b0b0b2"}[i%2], fakesnowflake.FormatTime(ev.at))
		require.NoError(t, err)
		if ev.counted {
			want++
		}
	}
	db := e.open(t)
	for _, tc := range []struct {
		name string
		now  time.Time
	}{
		{"UTC", testNow},
		{"India", testNow.In(time.FixedZone("IST", 5*3600+1800))},
		{"Los Angeles", testNow.In(time.FixedZone("PST", -8*3600))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Popularity(context.Background(), tc.now, 30)
			require.NoError(t, err)
			p := got["bbbbbbbbbbbb"]
			require.NotNil(t, p.Views)
			assert.Equal(t, int64(want), *p.Views)
			assert.Equal(t, int64(2), *p.Viewers)
			require.NotNil(t, p.LastViewedAt)
			assert.True(t, testNow.Equal(*p.LastViewedAt), "last view %v", p.LastViewedAt)
			assert.Equal(t, time.UTC, p.LastViewedAt.Location())
			assert.Equal(t, 30, *p.WindowDays)
		})
	}
}

func TestQueryUsageMatchesEvents(t *testing.T) {
	for _, style := range idStyles {
		t.Run(style.name, func(t *testing.T) {
			e := newEnv(t, style.opts...)
			db := e.open(t)
			before := db.RoundTrips()
			got, err := db.QueryUsage(context.Background(), testNow, 90)
			require.NoError(t, err)
			assert.Equal(t, 1, db.RoundTrips()-before)
			runtimes := map[string][]float64{}
			want := map[string]*record.QueryUsage{}
			for id := range e.stringPairs(t, `SELECT CAST(ID AS TEXT), URL FROM QUERIES`) {
				want[id] = &record.QueryUsage{WindowDays: 90, FailedRuns: new(int64)}
			}
			for _, r := range e.runs(t) {
				if !inWindow(r.at, testNow, 90) {
					continue
				}
				w := want[r.query]
				w.Runs++
				if r.state == "failed" {
					*w.FailedRuns++
				}
				if w.LastRunAt == nil || r.at.After(*w.LastRunAt) {
					at := r.at
					w.LastRunAt = &at
				}
				runtimes[r.query] = append(runtimes[r.query], r.runtime.Float64)
			}
			urls := e.stringPairs(t, `SELECT CAST(ID AS TEXT), URL FROM QUERIES`)
			require.Len(t, got, len(want))
			for id, w := range want {
				key := id
				if !style.tokens {
					key = queryTokenInURL.FindStringSubmatch(urls[id])[1]
				}
				g, ok := got[key]
				require.True(t, ok, "query %s missing", key)
				assert.Equal(t, w.Runs, g.Runs, "runs of %s", key)
				if assert.NotNil(t, g.FailedRuns, "failed runs of %s", key) {
					assert.Equal(t, *w.FailedRuns, *g.FailedRuns, "failed runs of %s", key)
				}
				if w.LastRunAt == nil {
					assert.Nil(t, g.LastRunAt)
				} else {
					require.NotNil(t, g.LastRunAt)
					assert.True(t, w.LastRunAt.Equal(*g.LastRunAt))
				}
				if rt := runtimes[id]; len(rt) > 0 {
					sort.Float64s(rt)
					med := rt[len(rt)/2]
					if len(rt)%2 == 0 {
						med = (rt[len(rt)/2-1] + rt[len(rt)/2]) / 2
					}
					require.NotNil(t, g.MedianRuntimeSeconds, "median of %s", key)
					assert.InDelta(t, med, *g.MedianRuntimeSeconds, 1e-9, "median of %s", key)
				} else {
					assert.Nil(t, g.MedianRuntimeSeconds)
				}
			}
		})
	}
}

func TestReportsIncludePersonal(t *testing.T) {
	for _, style := range idStyles {
		t.Run(style.name, func(t *testing.T) {
			e := newEnv(t, style.opts...)
			db := e.open(t)
			reports, queries, err := db.Reports(context.Background(), dataSources(e.ws))
			require.NoError(t, err)
			require.Len(t, reports, 5, "all reports, datasets excluded")
			byToken := map[string]record.Report{}
			for _, r := range reports {
				assert.Equal(t, record.SourceDiscoveryDB, r.Source)
				byToken[r.Token] = r
			}
			personal, ok := byToken["aaaaaaaaaa03"]
			require.True(t, ok, "hidden personal report emitted")
			assert.Equal(t, "Ben's scratch", *personal.Name)
			assert.Equal(t, []string{"9a0000000004", "9a0000000005"}, personal.QueryTokens)
			assert.Equal(t, "ana", *personal.Creator)
			assert.True(t, byToken["aaaaaaaaaa05"].Archived)
			if style.tokens {
				assert.Zero(t, personal.ID)
			} else {
				assert.Equal(t, int64(1003), personal.ID)
			}
			require.Len(t, queries, 6)
			qs := map[string]record.Query{}
			for _, q := range queries {
				qs[q.Token] = q
			}
			q := qs["9a0000000004"]
			assert.Equal(t, "SELECT user_id FROM public.events", q.RawSQL)
			assert.Equal(t, "aaaaaaaaaa03", q.ParentToken)
			assert.Equal(t, record.ParentReport, q.ParentKind)
			require.NotNil(t, q.DataSourceID)
			assert.Equal(t, int64(8), *q.DataSourceID)
			assert.Nil(t, qs["9a0000000005"].DataSourceID, "deleted connection stays unresolved")
			assert.Equal(t, record.SourceDiscoveryDB, q.Source)
		})
	}
}

func TestUsers(t *testing.T) {
	e := newEnv(t)
	db := e.open(t)
	users, err := db.Users(context.Background())
	require.NoError(t, err)
	require.Len(t, users, 5)
	assert.Equal(t, "ana", users[0].Username)
	assert.Equal(t, "ana@example.com", *users[0].Email)
	assert.Equal(t, "active", *users[0].MembershipState)
	require.NotNil(t, users[0].LastEngagedAt)
	assert.Equal(t, "removed", *users[3].MembershipState, "dee left")
}

func TestDegradesFeatureByFeature(t *testing.T) {
	tests := []struct {
		name        string
		opts        []fakesnowflake.SchemaOption
		missing     []string
		popularity  bool // Popularity works
		runs        bool // runs are filled
		viewers     bool
		usage       bool
		reports     bool
		usersWork   bool
		freshnessOK bool
	}{
		{name: "no QUERY_RUNS", opts: []fakesnowflake.SchemaOption{fakesnowflake.WithoutTables("QUERY_RUNS")},
			missing: []string{"QUERY_RUNS"}, popularity: true, viewers: true, reports: true, usersWork: true, freshnessOK: true},
		{name: "no REPORT_VIEWS", opts: []fakesnowflake.SchemaOption{fakesnowflake.WithoutTables("REPORT_VIEWS")},
			missing: []string{"REPORT_VIEWS"}, usage: true, reports: true, usersWork: true},
		{name: "no VIEWER_ID", opts: []fakesnowflake.SchemaOption{fakesnowflake.WithoutColumns("REPORT_VIEWS.VIEWER_ID")},
			missing: []string{"REPORT_VIEWS.VIEWER_ID"}, popularity: true, runs: true, usage: true, reports: true, usersWork: true, freshnessOK: true},
		{name: "no USERS nor REPORTS", opts: []fakesnowflake.SchemaOption{fakesnowflake.WithoutTables("USERS", "REPORTS")},
			missing: []string{"REPORTS", "USERS"}, popularity: true, runs: true, viewers: true, usage: true, freshnessOK: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.opts...)
			db := e.open(t)
			caps := db.Capabilities()
			assert.Equal(t, tc.missing, caps.Missing)
			info := db.Info(context.Background())
			assert.True(t, info.Used)
			assert.Equal(t, tc.missing, info.MissingTables)
			assert.Equal(t, tc.freshnessOK, info.Freshness != nil)

			pop, err := db.Popularity(context.Background(), testNow, 0)
			if tc.popularity {
				require.NoError(t, err)
				p := pop["aaaaaaaaaa01"]
				assert.Equal(t, int64(40), *p.Views)
				assert.Equal(t, 90, *p.WindowDays, "config window by default")
				assert.Equal(t, tc.runs, p.Runs != nil)
				assert.Equal(t, tc.viewers, p.Viewers != nil)
			} else {
				require.ErrorIs(t, err, ErrUnavailable)
				var me *MissingError
				require.ErrorAs(t, err, &me)
				assert.Equal(t, tc.missing, me.Missing)
			}
			_, err = db.QueryUsage(context.Background(), testNow, 90)
			assert.Equal(t, tc.usage, err == nil, "usage err %v", err)
			_, _, err = db.Reports(context.Background(), nil)
			assert.Equal(t, tc.reports, err == nil, "reports err %v", err)
			_, err = db.Users(context.Background())
			assert.Equal(t, tc.usersWork, err == nil, "users err %v", err)
			if err != nil {
				assert.ErrorIs(t, err, ErrUnavailable)
			}
		})
	}
}

func TestCheckFallsBackToTableProbes(t *testing.T) {
	// The catalog answers for another schema, so Check must probe tables.
	ctx := context.Background()
	lite, err := fakesnowflake.Open(ctx, fakesnowflake.WithoutTables("USERS"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })
	require.NoError(t, fakesnowflake.Seed(ctx, lite, fixtureWorkspace(), testNow, fakesnowflake.SeedOptions{}))
	srv := fakesnowflake.NewServer(lite, fakesnowflake.WithNames("MODE", "ELSEWHERE"))
	t.Cleanup(srv.Close)
	db, err := Open(ctx, Config{Host: srv.Host(), Port: srv.Port(), Protocol: "http", User: "u", Password: "p"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	caps := db.Capabilities()
	assert.NotEmpty(t, caps.ProbeError)
	assert.Equal(t, []string{"USERS"}, caps.Missing)
	assert.True(t, caps.Has("REPORT_VIEWS", "REPORT_ID", "VIEWER_ID", "VIEWED_AT_UTC"))
	assert.Contains(t, db.Info(ctx).Message, "probed tables")
}

func TestConfig(t *testing.T) {
	var c Config
	c.SetDefaults()
	assert.Equal(t, Config{Role: "PUBLIC", Warehouse: "WAREHOUSE_XS_MODE", Database: "MODE", Schema: "ORGANIZATION_USAGE",
		WindowDays: 90, LoginTimeout: DefaultLoginTimeout, QueryTimeout: DefaultQueryTimeout}, c)
	assert.False(t, c.Enabled())
	require.NoError(t, c.Validate())

	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"ok password", func(c *Config) { c.Account, c.User, c.Password = "xy123", "u", "p" }, ""},
		{"ok key", func(c *Config) { c.Host, c.User, c.PrivateKeyPath = "h.example.com", "u", "/k.pem" }, ""},
		{"no user", func(c *Config) { c.Account, c.Password = "xy123", "p" }, "discovery.user is required"},
		{"no secret", func(c *Config) { c.Account, c.User = "xy123", "u" }, "discovery.password or discovery.private_key_path"},
		{"bad protocol", func(c *Config) { c.Host, c.User, c.Password, c.Protocol = "h", "u", "p", "ftp" }, "must be http or https"},
		{"bad window", func(c *Config) { c.Account, c.User, c.Password, c.WindowDays = "a", "u", "p", 5000 }, "between 1 and 3650"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{}
			tc.mutate(&cfg)
			cfg.SetDefaults()
			err := cfg.Validate()
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}

	secret := Config{Account: "a", User: "u", Password: testPassword, Host: "h", Protocol: "http"}
	secret.SetDefaults()
	assert.Equal(t, 80, secret.Port)
	for _, s := range []string{secret.String(), secret.GoString(), secret.LogValue().String()} {
		requireNoSecret(t, s)
		assert.Contains(t, s, "[redacted]")
	}
	assert.Equal(t, `"MODE"."ORGANIZATION_USAGE"."REPORT_VIEWS"`,
		(&DB{cfg: Config{Database: "mode", Schema: "organization_usage"}}).table("report_views"))
	assert.Equal(t, `"my-db"`, quoteIdent("my-db"))
}

func TestPercentileAndRankTies(t *testing.T) {
	// Four reports with 5, 5, 2, 0 views: competition ranks 1, 1, 3, 4 and
	// percentiles 100, 100, 50, 25.
	ctx := context.Background()
	lite, err := fakesnowflake.Open(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })
	views := map[string]int{"r00000000001": 5, "r00000000002": 5, "r00000000003": 2, "r00000000004": 0}
	n := 0
	for id, v := range views {
		_, err := lite.Exec(`INSERT INTO REPORTS (ID) VALUES (?)`, id)
		require.NoError(t, err)
		for i := 0; i < v; i++ {
			n++
			_, err := lite.Exec(`INSERT INTO REPORT_VIEWS (ID, REPORT_ID, VIEWER_ID, VIEWED_AT_UTC) VALUES (?, ?, 'u1', ?)`,
				n, id, fakesnowflake.FormatTime(testNow.Add(-time.Duration(n)*time.Hour)))
			require.NoError(t, err)
		}
	}
	srv := fakesnowflake.NewServer(lite)
	t.Cleanup(srv.Close)
	db, err := Open(ctx, Config{Host: srv.Host(), Port: srv.Port(), Protocol: "http", User: "u", Password: "p"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	got, err := db.Popularity(ctx, testNow, 90)
	require.NoError(t, err)
	want := map[string][2]float64{"r00000000001": {1, 100}, "r00000000002": {1, 100}, "r00000000003": {3, 50}, "r00000000004": {4, 25}}
	for id, w := range want {
		assert.Equal(t, int(w[0]), *got[id].Rank, "rank of %s", id)
		assert.InDelta(t, w[1], *got[id].Percentile, 1e-9, "percentile of %s", id)
	}
	assert.Nil(t, got["r00000000004"].LastViewedAt)
	assert.Equal(t, int64(0), *got["r00000000004"].Views)
}

func TestSQLIsSnowflakeShaped(t *testing.T) {
	e := newEnv(t)
	db := e.open(t)
	for _, stmt := range []func() (string, error){
		func() (string, error) { s, _, err := db.PopularityStatement(); return s, err },
		db.QueryUsageStatement,
	} {
		s, err := stmt()
		require.NoError(t, err)
		assert.NotContains(t, strings.ToUpper(s), "MEDIAN(", "portable median")
		assert.NotContains(t, s, "'20", "no literal timestamps: window bounds are binds")
		assert.Equal(t, 0, strings.Count(s, `"REPORT_VIEWS"`)-strings.Count(s, `"MODE"."ORGANIZATION_USAGE"."REPORT_VIEWS"`),
			"every table reference fully qualified")
	}
}

// TestFailedRunsUnknownWithoutState: without QUERY_RUNS.STATE a query's
// failed runs are unknown (null), not zero.
func TestFailedRunsUnknownWithoutState(t *testing.T) {
	e := newEnv(t, fakesnowflake.WithoutColumns("QUERY_RUNS.STATE"))
	db := e.open(t)
	assert.Contains(t, db.Capabilities().Missing, "QUERY_RUNS.STATE")
	usage, err := db.QueryUsage(context.Background(), testNow, 90)
	require.NoError(t, err)
	require.NotEmpty(t, usage)
	for key, u := range usage {
		assert.Nil(t, u.FailedRuns, "failed runs of %s", key)
	}
}
