package output

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/pkg/record"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func ptr[T any](v T) *T { return &v }

var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// sampleBundle is a small set with deliberately unsorted input, duplicate
// edges and SQL that HTML escaping would mangle.
func sampleBundle() *Bundle {
	return &Bundle{
		Manifest: record.Manifest{
			SchemaVersion: record.SchemaVersion,
			ToolVersion:   "test",
			Workspace:     "acme",
			BaseURL:       "https://app.mode.com",
			StartedAt:     fixedTime,
			FinishedAt:    fixedTime.Add(time.Minute),
			Status:        record.StatusPartial,
			Requests:      record.Requests{Total: 12, Retried: 1, RateLimited: 1},
			Errors:        []record.Issue{{Kind: record.KindReport, Token: "bbb", Message: "list queries: 500"}},
			Warnings: []record.Issue{
				{Kind: record.KindUser, Token: "zed", Message: "user left"},
				{Kind: record.KindReport, Token: "aaa", Message: "deleted mid-crawl"},
			},
		},
		Spaces: []record.Space{
			{Token: "s2", ID: 2, Name: ptr("Personal"), SpaceType: "private", Personal: true, URL: "https://app.mode.com/acme/spaces/s2"},
			{Token: "s1", ID: 1, Name: ptr("Finance"), SpaceType: "custom", URL: "https://app.mode.com/acme/spaces/s1"},
		},
		Reports: []record.Report{
			{Token: "r2", ID: 20, Name: ptr("B"), SpaceToken: "s1", QueryTokens: []string{"q2"}, ImportedDatasetTokens: []string{}},
			{Token: "r1", ID: 10, Name: nil, SpaceToken: "s1", QueryTokens: []string{"q1"}, ImportedDatasetTokens: []string{"d1"},
				Popularity: &record.Popularity{Source: record.PopularityRESTViewCount, Views: ptr[int64](3)}, Source: record.SourceREST},
		},
		Datasets: []record.Report{{Token: "d1", ID: 30, SpaceToken: "s2", QueryTokens: []string{}, ImportedDatasetTokens: []string{}}},
		Queries: []record.Query{
			{Token: "q2", ParentToken: "r2", ParentKind: record.ParentReport, RawSQL: "SELECT 1 WHERE a < b && c > d"},
			{Token: "q1", ParentToken: "r1", ParentKind: record.ParentReport, RawSQL: "SELECT * FROM orders"},
		},
		Charts: []record.Chart{
			{Token: "c2", QueryToken: "q1", ReportToken: "r1", Title: ptr("Revenue")},
			{Token: "c1", QueryToken: "q1", ReportToken: "r1", ChartType: ptr("bar")},
		},
		DataSources: []record.DataSource{
			{ID: 100, Token: "ds100", Adapter: "jdbc:snowflake", Platform: "snowflake"},
			{ID: 9, Token: "ds9", Adapter: "jdbc:postgresql", Platform: "postgres"},
		},
		Definitions: []record.Definition{{Token: "def1", ID: 1, Name: "orders_clean", SQL: "SELECT *\nFROM raw.orders"}},
		Users:       []record.User{{Username: "zed", Left: true}, {Username: "amy", Name: ptr("Amy")}},
		Edges: []record.Edge{
			{Source: record.Node{Kind: record.NodeQuery, ID: "q1"}, Target: record.Node{Kind: record.NodeChart, ID: "c2"}, Origin: record.OriginModeAPI},
			{Source: record.Node{Kind: record.NodeChart, ID: "c1"}, Target: record.Node{Kind: record.NodeReport, ID: "r1"}, Origin: record.OriginModeAPI},
			{Source: record.Node{Kind: record.NodeQuery, ID: "q1"}, Target: record.Node{Kind: record.NodeChart, ID: "c1"}, Origin: record.OriginModeAPI},
			{Source: record.Node{Kind: record.NodeQuery, ID: "q1"}, Target: record.Node{Kind: record.NodeChart, ID: "c1"}, Origin: record.OriginModeAPI},
		},
	}
}

// readSet returns every file of an output set, by name.
func readSet(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = b
	}
	return out
}

func allFiles() []string {
	names := []string{record.ManifestFile}
	for _, fi := range fileInfo {
		names = append(names, fi.name)
	}
	return names
}

func TestWriteGolden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, Write(dir, sampleBundle()))
	got := readSet(t, dir)
	assert.ElementsMatch(t, allFiles(), keys(got), "exactly the contract's files, no spill or temp files")

	golden := filepath.Join("testdata", "golden")
	if *update {
		require.NoError(t, os.MkdirAll(golden, 0o755))
		for name, b := range got {
			require.NoError(t, os.WriteFile(filepath.Join(golden, name), b, 0o644))
		}
	}
	for name, b := range got {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(golden, name))
			require.NoError(t, err, "run with -update to create golden files")
			assert.Equal(t, string(want), string(b))
		})
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestWriteSortsAndDedupes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, Write(dir, sampleBundle()))
	b, err := Read(dir)
	require.NoError(t, err)

	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"spaces by token", mapSlice(b.Spaces, func(s record.Space) string { return s.Token }), []string{"s1", "s2"}},
		{"reports by token", mapSlice(b.Reports, func(r record.Report) string { return r.Token }), []string{"r1", "r2"}},
		{"queries by token", mapSlice(b.Queries, func(q record.Query) string { return q.Token }), []string{"q1", "q2"}},
		{"charts by token", mapSlice(b.Charts, func(c record.Chart) string { return c.Token }), []string{"c1", "c2"}},
		{"data sources by numeric id", mapSlice(b.DataSources, func(d record.DataSource) string { return d.Token }), []string{"ds9", "ds100"}},
		{"users by username", mapSlice(b.Users, func(u record.User) string { return u.Username }), []string{"amy", "zed"}},
		{"edges by source then target, duplicates dropped", mapSlice(b.Edges, func(e record.Edge) string {
			return e.Source.ID + ">" + e.Target.ID
		}), []string{"c1>r1", "q1>c1", "q1>c2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, tt.got) })
	}

	assert.Equal(t, map[string]int{
		record.KindSpace: 2, record.KindReport: 2, record.KindDataset: 1, record.KindQuery: 2,
		record.KindChart: 2, record.KindDataSource: 2, record.KindDefinition: 1, record.KindUser: 2,
		record.KindLineage: 3,
	}, b.Manifest.Counts, "counts are lines written")
	assert.Equal(t, "aaa", b.Manifest.Warnings[0].Token, "warnings sorted by kind then token")
	assert.Equal(t, "SELECT 1 WHERE a < b && c > d", b.Queries[1].RawSQL)
}

func mapSlice[T any](in []T, f func(T) string) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}

func TestWriteIsOrderIndependent(t *testing.T) {
	base := t.TempDir()
	ref := filepath.Join(base, "ref")
	require.NoError(t, Write(ref, sampleBundle()))
	want := readSet(t, ref)

	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			b := sampleBundle()
			r := rand.New(rand.NewPCG(seed, seed))
			shuffle(r, b.Spaces)
			shuffle(r, b.Reports)
			shuffle(r, b.Queries)
			shuffle(r, b.Charts)
			shuffle(r, b.DataSources)
			shuffle(r, b.Users)
			shuffle(r, b.Edges)
			shuffle(r, b.Manifest.Warnings)
			dir := filepath.Join(base, fmt.Sprint("out", seed))
			require.NoError(t, Write(dir, b))
			assert.Equal(t, want, readSet(t, dir))
		})
	}
}

func shuffle[T any](r *rand.Rand, s []T) {
	r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
}

func TestWriterConcurrentAdds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	w, err := Create(dir)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				if err := w.AddChart(record.Chart{Token: fmt.Sprintf("c%02d-%03d", g, i), QueryToken: "q"}); err != nil {
					errs[g] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, w.Commit(record.Manifest{}))
	b, err := Read(dir)
	require.NoError(t, err)
	require.Len(t, b.Charts, 3200)
	assert.True(t, isSorted(mapSlice(b.Charts, func(c record.Chart) string { return c.Token })))
	assert.ErrorIs(t, w.AddChart(record.Chart{Token: "late"}), ErrClosed)
	assert.ErrorIs(t, w.Commit(record.Manifest{}), ErrClosed)
}

func isSorted(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			return false
		}
	}
	return true
}

func TestReplaceKeepsPreviousSetOnFailure(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(b *Bundle)
		wantErr string
	}{
		{
			name: "unencodable record mid-write",
			mutate: func(b *Bundle) {
				b.Queries = append(b.Queries, record.Query{Token: "bad", Params: map[string]any{"x": math.NaN()}})
			},
			wantErr: "encode query record",
		},
		{
			name:   "successful replace",
			mutate: func(b *Bundle) { b.Manifest.ToolVersion = "v2" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			require.NoError(t, Write(dir, sampleBundle()))
			before := readSet(t, dir)

			b := sampleBundle()
			tt.mutate(b)
			err := Write(dir, b)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				assert.Equal(t, before, readSet(t, dir), "previous set untouched")
			} else {
				require.NoError(t, err)
				assert.Contains(t, string(readSet(t, dir)[record.ManifestFile]), `"tool_version": "v2"`)
			}
			entries, err := os.ReadDir(parent)
			require.NoError(t, err)
			assert.Equal(t, []string{"out"}, mapSlice(entries, func(e os.DirEntry) string { return e.Name() }),
				"no temporary or aside directories left")
		})
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	w, err := Create(filepath.Join(parent, "out"))
	require.NoError(t, err)
	require.NoError(t, w.AddUser(record.User{Username: "amy"}))
	require.NoError(t, w.Abort())
	require.NoError(t, w.Abort(), "abort twice is harmless")
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestCreateRestoresSetLeftAside(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	require.NoError(t, Write(dir, sampleBundle()))
	want := readSet(t, dir)
	// Simulate a run killed between "rename old aside" and "rename new in".
	require.NoError(t, os.Rename(dir, filepath.Join(parent, ".out.old-1-x")))
	require.NoError(t, os.MkdirAll(filepath.Join(parent, ".out.tmp-123"), 0o755))

	w, err := Create(dir)
	require.NoError(t, err)
	require.NoError(t, w.Abort())
	assert.Equal(t, want, readSet(t, dir))
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

// helperEnv makes the test binary act as a writer process that the test
// kills with SIGKILL at arbitrary moments.
const helperEnv = "MODECRAWL_OUTPUT_KILL_HELPER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		runWriterForever(dir)
		return
	}
	os.Exit(m.Run())
}

func runWriterForever(dir string) {
	for gen := 0; ; gen++ {
		b := sampleBundle()
		b.Manifest.ToolVersion = fmt.Sprint("gen", gen)
		for i := range 20000 {
			b.Queries = append(b.Queries, record.Query{Token: fmt.Sprintf("q%06d", i), ParentToken: "r1",
				RawSQL: strings.Repeat("SELECT x FROM t; ", 8)})
		}
		if err := Write(dir, b); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
}

// checkComplete asserts dir holds one complete set: every file present and
// every count in the manifest equal to the file's line count.
func checkComplete(t *testing.T, dir string) {
	t.Helper()
	b, err := Read(dir)
	require.NoError(t, err)
	for _, fi := range fileInfo {
		f, err := os.Open(filepath.Join(dir, fi.name))
		require.NoError(t, err)
		n := 0
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			n++
		}
		require.NoError(t, sc.Err())
		_ = f.Close()
		assert.Equal(t, b.Manifest.Counts[fi.kind], n, fi.name)
	}
}

func TestKilledWriterNeverLeavesHalfSet(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns writer processes")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	require.NoError(t, Write(dir, sampleBundle()))

	for i, delay := range []time.Duration{30, 90, 150, 220, 300, 410} {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+dir)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		time.Sleep(delay * time.Millisecond)
		require.NoError(t, cmd.Process.Kill())
		_ = cmd.Wait()
		require.Empty(t, stderr.String(), "helper %d failed", i)

		// The next run's Create repairs a set left aside by a kill between
		// the two renames; whatever the kill point, one complete set remains.
		w, err := Create(dir)
		require.NoError(t, err)
		require.NoError(t, w.Abort())
		checkComplete(t, dir)
	}
}

func TestExternalMergeAcrossRuns(t *testing.T) {
	// Enough data for several sorted runs per file, with duplicates that
	// land in different runs.
	r := rand.New(rand.NewPCG(1, 2))
	title := strings.Repeat("t", 200)
	var charts []record.Chart
	for i := range 30000 {
		charts = append(charts, record.Chart{Token: fmt.Sprintf("c%06d", r.IntN(1_000_000)), QueryToken: fmt.Sprint("q", i%7), Title: &title})
	}
	dups := charts[:500]
	charts = append(charts, dups...)
	shuffle(r, charts)

	want := map[string]bool{}
	for _, c := range charts {
		want[c.Token+"\x00"+c.QueryToken] = true
	}
	dir := filepath.Join(t.TempDir(), "out")
	w, err := Create(dir)
	require.NoError(t, err)
	for _, c := range charts {
		require.NoError(t, w.AddChart(c))
	}
	require.Greater(t, len(w.spills[fileCharts].runs), 2, "the test must exercise the merge")
	require.NoError(t, w.Commit(record.Manifest{}))

	b, err := Read(dir)
	require.NoError(t, err)
	keys := mapSlice(b.Charts, func(c record.Chart) string { return c.Token + "\x00" + c.QueryToken })
	assert.Len(t, keys, len(want), "duplicates dropped across runs")
	assert.True(t, isSorted(keys))
	assert.Equal(t, len(want), b.Manifest.Counts[record.KindChart])
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 10, "no run files left in the output set")
}
