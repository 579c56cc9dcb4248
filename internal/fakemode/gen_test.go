package fakemode

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// serve answers one GET through the handler, without a network.
func serve(h http.Handler, path string) (int, []byte) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.SetBasicAuth("demo-token", "demo-secret")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// crawlAll walks every endpoint a crawler uses and concatenates the bodies.
func crawlAll(ws *Workspace) []byte {
	h := newServer(ws, WithRateLimit(0, 0), WithRequestLog(false))
	var out bytes.Buffer
	add := func(p string) {
		code, body := serve(h, p)
		out.WriteString(p)
		out.WriteByte(' ')
		out.WriteString(http.StatusText(code))
		out.Write(body)
		out.WriteByte('\n')
	}
	api := "/api/" + ws.Slug
	for _, p := range []string{"/api/verify", api, api + "/spaces?filter=all", api + "/data_sources", api + "/definitions", api + "/memberships"} {
		add(p)
	}
	for _, sp := range ws.Spaces {
		add(api + "/spaces/" + sp.Token + "/reports?per_page=1000")
		add(api + "/spaces/" + sp.Token + "/datasets?per_page=1000")
	}
	for _, r := range ws.Reports {
		add(api + "/reports/" + r.Token)
		add(api + "/reports/" + r.Token + "/queries")
		for _, q := range r.Queries {
			add(api + "/reports/" + r.Token + "/queries/" + q.Token + "/charts")
		}
	}
	for _, u := range ws.Users {
		add("/api/" + u.Username)
	}
	return out.Bytes()
}

func TestGenerateDeterministic(t *testing.T) {
	opts := GenOptions{Seed: 42, Reports: 60}
	a, b := crawlAll(Generate(opts)), crawlAll(Generate(opts))
	assert.True(t, bytes.Equal(a, b), "same seed gives byte-identical responses")
	opts.Seed = 43
	assert.False(t, bytes.Equal(a, crawlAll(Generate(opts))), "another seed gives another workspace")
	assert.True(t, bytes.Equal(crawlAll(Sample()), crawlAll(Sample())), "Sample is stable")
}

// quirks counts the oddities of a workspace that clients must survive.
type quirks struct {
	personal, hidden, restrictedBug, nullReportName, archived, datasets, imported,
	danglingImport, zeroExplorationsWithCharts, deletedConnection, leftCreator,
	legacyCharts, vegasCharts, nestedDefinitions, literalBackslashN, multiStatement,
	liquidForm, liquidIf, definitionRefs, nullLastSavedAt int
	adapters  map[string]bool
	bqDefault bool
}

func survey(ws *Workspace) quirks {
	q := quirks{adapters: map[string]bool{}}
	left := map[string]bool{}
	for _, u := range ws.Users {
		left[u.Username] = u.Left
	}
	ds := map[int64]bool{}
	for _, d := range ws.DataSources {
		ds[d.ID] = true
		q.adapters[d.Adapter] = true
		if d.Adapter == "jdbc:bigquery" && d.Database != nil && *d.Database == "default" && d.Host != nil {
			q.bqDefault = true
		}
	}
	for _, d := range ws.Definitions {
		if strings.Contains(d.Source, "{{ @") {
			q.nestedDefinitions++
		}
		if strings.Contains(d.Source, `\n`) {
			q.literalBackslashN++
		}
	}
	for _, s := range ws.Spaces {
		if s.SpaceType == SpacePrivate && s.Name != nil && *s.Name == "Personal" {
			q.personal++
		}
		if s.HiddenFromAPI {
			q.hidden++
		}
		if s.DefaultAccessLevel == "restricted" && !s.Restricted {
			q.restrictedBug++
		}
	}
	all := map[string]bool{}
	for _, r := range ws.Reports {
		all[r.Token] = true
	}
	defRef := regexp.MustCompile(`\{\{\s*@\w+(\s+(?i:as)\s+\w+)?\s*\}\}`)
	for _, r := range ws.Reports {
		switch {
		case r.IsDataset():
			q.datasets++
		case r.Name == nil:
			q.nullReportName++
		}
		if r.Archived {
			q.archived++
		}
		if r.LastSavedAt == nil {
			q.nullLastSavedAt++
		}
		if left[r.Creator] {
			q.leftCreator++
		}
		for _, d := range r.ImportedDatasets {
			q.imported++
			if !all[d] {
				q.danglingImport++
			}
		}
		for _, qu := range r.Queries {
			if !ds[qu.DataSourceID] {
				q.deletedConnection++
			}
			if qu.ExplorationsCount == 0 && len(qu.Charts) > 0 {
				q.zeroExplorationsWithCharts++
			}
			sql := qu.RawQuery
			if strings.Contains(sql, "{% form %}") {
				q.liquidForm++
			}
			if strings.Contains(sql, "{% if") {
				q.liquidIf++
			}
			if defRef.MatchString(sql) {
				q.definitionRefs++
			}
			if strings.Count(strings.TrimSpace(sql), ";") >= 1 {
				q.multiStatement++
			}
			for _, c := range qu.Charts {
				if c.ViewVersion == 1 {
					q.legacyCharts++
				} else {
					q.vegasCharts++
				}
			}
		}
	}
	return q
}

func TestGeneratedQuirks(t *testing.T) {
	for name, ws := range map[string]*Workspace{
		"sample":    Sample(),
		"generated": Generate(GenOptions{Seed: 7, Reports: 120}),
		"tiny":      Generate(GenOptions{Seed: 1, Spaces: 1, Reports: 3, Users: 3}),
	} {
		t.Run(name, func(t *testing.T) {
			q := survey(ws)
			assert.GreaterOrEqual(t, q.personal, 1, "personal collections")
			assert.GreaterOrEqual(t, q.restrictedBug, 1, "restricted collection with restricted=false")
			assert.GreaterOrEqual(t, q.archived, 1, "archived reports")
			assert.GreaterOrEqual(t, q.datasets, 1, "datasets")
			assert.GreaterOrEqual(t, q.deletedConnection, 1, "query on a deleted connection")
			assert.GreaterOrEqual(t, q.leftCreator, 1, "creator who left")
			assert.GreaterOrEqual(t, q.zeroExplorationsWithCharts, 1, "explorations_count 0 with charts")
			assert.GreaterOrEqual(t, q.nestedDefinitions, 1)
			assert.GreaterOrEqual(t, q.literalBackslashN, 1)
			assert.True(t, q.bqDefault, "BigQuery database \"default\" with the project in host")
			for _, a := range []string{"jdbc:snowflake", "jdbc:bigquery", "jdbc:postgresql", "jdbc:redshift",
				"jdbc:mysql", "jdbc:databricks", "jdbc:trino", "jdbc:sqlserver"} {
				assert.True(t, q.adapters[a], a)
			}
			if name == "tiny" {
				return
			}
			assert.GreaterOrEqual(t, q.hidden, 1, "personal collection hidden from the API")
			assert.GreaterOrEqual(t, q.nullReportName, 1, "reports without a name")
			assert.GreaterOrEqual(t, q.imported, 1, "imported datasets")
			assert.GreaterOrEqual(t, q.legacyCharts, 1)
			assert.GreaterOrEqual(t, q.vegasCharts, 1)
			assert.GreaterOrEqual(t, q.liquidForm, 1)
			assert.GreaterOrEqual(t, q.liquidIf, 1)
			assert.GreaterOrEqual(t, q.definitionRefs, 1)
			assert.GreaterOrEqual(t, q.multiStatement, 1)
		})
	}
}

func TestGeneratedTokensAndIDs(t *testing.T) {
	ws := Generate(GenOptions{Seed: 9, Reports: 500, Spaces: 14, Users: 40})
	hex12 := regexp.MustCompile(`^[0-9a-f]{12}$`)
	seen := map[string]bool{}
	ids := map[int64]bool{}
	check := func(tok string, id int64) {
		assert.Regexp(t, hex12, tok)
		assert.False(t, seen[tok], "duplicate token %s", tok)
		seen[tok] = true
		if id != 0 {
			assert.False(t, ids[id], "duplicate id %d", id)
			ids[id] = true
		}
	}
	check(ws.Token, 0)
	for _, s := range ws.Spaces {
		check(s.Token, s.ID)
	}
	for _, r := range ws.Reports {
		check(r.Token, r.ID)
		assert.False(t, r.CreatedAt.After(ws.Now))
		for _, q := range r.Queries {
			check(q.Token, q.ID)
			for _, c := range q.Charts {
				check(c.Token, 0)
				assert.True(t, json.Valid(c.View) && json.Valid(c.ViewVegas))
			}
		}
	}
	for _, u := range ws.Users {
		check(u.Token, u.ID)
	}
	for _, d := range ws.DataSources {
		check(d.Token, d.ID)
	}
	for _, d := range ws.Definitions {
		check(d.Token, d.ID)
	}
	reports := 0
	for _, r := range ws.Reports {
		if !r.IsDataset() {
			reports++
		}
	}
	assert.Equal(t, 500, reports)
}

func TestChartViewsUseQueryColumns(t *testing.T) {
	for _, kit := range connKits() {
		for _, tpl := range kit.queries {
			for st := chartStyle(0); st < numChartStyles; st++ {
				v, view, vegas := chartView(tpl, st)
				var m map[string]any
				if v == 1 {
					require.NoError(t, json.Unmarshal(view, &m))
					assert.Contains(t, m, "selectedChart")
					assert.Contains(t, m, "chartTitle")
					assert.Equal(t, "{}", string(vegas))
				} else {
					require.NoError(t, json.Unmarshal(vegas, &m))
					assert.Contains(t, m, "chartType")
					assert.Contains(t, m, "encoding")
					assert.Contains(t, m, "fieldFormats")
					assert.Equal(t, "{}", string(view))
				}
				// Every bracketed column must be an output column of the SQL.
				cols := map[string]bool{}
				for _, c := range tpl.cols() {
					cols[c] = true
				}
				for _, mm := range regexp.MustCompile(`\[(\w+)\]`).FindAllStringSubmatch(string(vegas), -1) {
					assert.True(t, cols[mm[1]], "%s: chart column %s not in query output", tpl.title, mm[1])
				}
			}
		}
	}
}

func TestGolden(t *testing.T) {
	ws := Generate(GenOptions{Seed: 1, Slug: "goldenco", Spaces: 2, PersonalSpaces: 1, Reports: 4, Users: 4,
		QueriesPerReport: 2, ChartsPerQuery: 1.5})
	h := newServer(ws, WithRateLimit(0, 0))
	var withCharts *Report
	var chartQuery *Query
	for _, r := range ws.Reports {
		for _, q := range r.Queries {
			if len(q.Charts) > 0 && chartQuery == nil {
				withCharts, chartQuery = r, q
			}
		}
	}
	require.NotNil(t, chartQuery)
	api := "/api/goldenco"
	cases := []struct{ name, path string }{
		{"verify", "/api/verify"},
		{"spaces_all", api + "/spaces?filter=all"},
		{"space_reports_page1", api + "/spaces/" + ws.Spaces[0].Token + "/reports?per_page=1&page=1"},
		{"space_datasets", api + "/spaces/" + ws.Spaces[0].Token + "/datasets"},
		{"report_queries", api + "/reports/" + withCharts.Token + "/queries"},
		{"query_charts", api + "/reports/" + withCharts.Token + "/queries/" + chartQuery.Token + "/charts"},
		{"data_sources", api + "/data_sources"},
		{"definitions", api + "/definitions"},
		{"user", "/api/" + ws.Users[0].Username},
		{"unauthorized", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.path == "" {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, api+"/spaces", nil))
				body = rec.Body.Bytes()
			} else {
				code, b := serve(h, tc.path)
				require.Equal(t, 200, code, "%s", b)
				body = b
			}
			var pretty bytes.Buffer
			require.NoError(t, json.Indent(&pretty, body, "", "  "))
			pretty.WriteByte('\n')
			file := filepath.Join("testdata", tc.name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(file, pretty.Bytes(), 0o644))
			}
			want, err := os.ReadFile(file)
			require.NoError(t, err, "run go test -update to create %s", file)
			assert.Equal(t, string(want), pretty.String())
		})
	}
}

func TestGenerateLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large workspace")
	}
	ws := Generate(GenOptions{Seed: 11, Spaces: 200, Reports: 50_000, Users: 300})
	reports, queries := 0, 0
	for _, r := range ws.Reports {
		if !r.IsDataset() {
			reports++
		}
		queries += len(r.Queries)
	}
	assert.Equal(t, 50_000, reports)
	assert.InDelta(t, 2.5, float64(queries)/float64(len(ws.Reports)), 0.3)
	s := newServer(ws, WithRateLimit(0, 0))
	code, body := serve(s, "/api/"+ws.Slug+"/spaces/"+ws.Spaces[0].Token+"/reports?per_page=1000&page=2")
	require.Equal(t, 200, code)
	assert.Contains(t, string(body), `"next_page"`)
}

func BenchmarkGenerate50k(b *testing.B) {
	opts := GenOptions{Seed: 11, Spaces: 200, Reports: 50_000, Users: 300}
	b.ReportAllocs()
	for b.Loop() {
		Generate(opts)
	}
	b.StopTimer()
	// Retained heap of one workspace: what the crawl's memory benchmark
	// carries while the fake runs in-process.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ws := Generate(opts)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-retained")
	runtime.KeepAlive(ws)
}

func BenchmarkServeReportsPage(b *testing.B) {
	ws := Generate(GenOptions{Seed: 11, Spaces: 50, Reports: 5000})
	s := newServer(ws, WithRateLimit(0, 0), WithRequestLog(false))
	path := "/api/" + ws.Slug + "/spaces/" + ws.Spaces[0].Token + "/reports?per_page=30&page=2"
	b.ReportAllocs()
	for b.Loop() {
		if code, _ := serve(s, path); code != 200 {
			b.Fatal(code)
		}
	}
}
