package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/internal/config"
	"github.com/modecrawl/modecrawl/internal/crawl"
	"github.com/modecrawl/modecrawl/internal/fakemode"
	"github.com/modecrawl/modecrawl/internal/fakesnowflake"
	"github.com/modecrawl/modecrawl/internal/modeapi"
	"github.com/modecrawl/modecrawl/pkg/record"
)

const testSecret = "s3cr3t-never-printed"

// run executes modecrawl with args and returns the exit code and streams.
func run(ctx context.Context, t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Execute(ctx, args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// fakeWorkspace starts a fake Mode with a small generated workspace and
// sets the credentials in the environment.
func fakeWorkspace(t *testing.T, opts ...fakemode.Option) (*fakemode.Workspace, *fakemode.Server) {
	t.Helper()
	t.Chdir(t.TempDir()) // no stray ./modecrawl.yaml
	ws := fakemode.Generate(fakemode.GenOptions{Seed: 7, Spaces: 3, Reports: 12, Users: 5})
	opts = append([]fakemode.Option{fakemode.WithCredentials("tok", testSecret), fakemode.WithRateLimit(0, 0)}, opts...)
	srv := fakemode.NewServer(ws, opts...)
	t.Cleanup(srv.Close)
	t.Setenv("MODECRAWL_TOKEN", "tok")
	t.Setenv("MODECRAWL_SECRET", testSecret)
	// Keep persistent-failure cases fast: one retry after 10 ms.
	t.Setenv("MODECRAWL_MAX_RETRIES", "1")
	t.Setenv("MODECRAWL_RETRY_WAIT_MIN", "10ms")
	t.Setenv("MODECRAWL_RETRY_WAIT_MAX", "20ms")
	return ws, srv
}

func readManifest(t *testing.T, dir string) record.Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, record.ManifestFile))
	require.NoError(t, err)
	var m record.Manifest
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

func TestSyncEndToEnd(t *testing.T) {
	ws, srv := fakeWorkspace(t)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := run(t.Context(), t, "", "sync", "--workspace", ws.Slug, "--base-url", srv.URL(),
		"--out", out, "--rate-limit", "200", "--log-level", "warn")
	require.Equal(t, ExitOK, code, "stdout: %s\nstderr: %s", stdout, stderr)
	m := readManifest(t, out)
	assert.Equal(t, record.StatusComplete, m.Status)
	assert.Equal(t, ws.Slug, m.Workspace)
	assert.Positive(t, m.Counts[record.KindReport])
	assert.Positive(t, m.Counts[record.KindQuery])
	assert.Contains(t, stdout, "complete")
	for _, f := range []string{record.SpacesFile, record.ReportsFile, record.QueriesFile, record.ChartsFile, record.LineageFile} {
		assert.FileExists(t, filepath.Join(out, f))
	}
	// The secret never reaches the output, the logs or the summary.
	assertNoSecret(t, out, stdout+stderr)
	// Read-only: the fake saw nothing but GET.
	for _, r := range srv.Requests() {
		assert.Equal(t, "GET", r.Method, r.Path)
	}
}

func assertNoSecret(t *testing.T, dir, text string) {
	t.Helper()
	assert.NotContains(t, text, testSecret)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		assert.NotContains(t, string(b), testSecret, e.Name())
	}
}

func TestSyncExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		fake     []fakemode.Option
		env      map[string]string
		args     []string
		want     int
		stderr   string
		noOutput bool
	}{
		{name: "wrong secret", env: map[string]string{"MODECRAWL_SECRET": "wrong"}, want: ExitAuth, stderr: "expire", noOutput: true},
		{name: "missing secret", env: map[string]string{"MODECRAWL_SECRET": ""}, want: ExitUsage, stderr: "MODECRAWL_SECRET", noOutput: true},
		{name: "unknown flag", args: []string{"--no-such-flag"}, want: ExitUsage, stderr: "unknown flag", noOutput: true},
		{name: "wrong workspace slug", args: []string{"--workspace", "not-our-ws"}, want: ExitAuth, stderr: "not found or not readable", noOutput: true},
		{name: "bad regex", args: []string{"--collection-include", "(("}, want: ExitUsage, stderr: "regular expression", noOutput: true},
		{name: "one report fails", fake: []fakemode.Option{fakemode.WithFault(fakemode.Fault{PathContains: "/queries", Status: 500, Times: 1000})},
			want: ExitPartial, stderr: "partial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, srv := fakeWorkspace(t, tt.fake...)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"sync", "--workspace", ws.Slug, "--base-url", srv.URL(), "--out", out,
				"--rate-limit", "200", "--log-level", "error"}, tt.args...)
			code, stdout, stderr := run(t.Context(), t, "", args...)
			assert.Equal(t, tt.want, code, "stdout: %s\nstderr: %s", stdout, stderr)
			assert.Contains(t, stderr, tt.stderr)
			assert.NotContains(t, stdout+stderr, testSecret)
			if tt.noOutput {
				assert.NoDirExists(t, out)
			} else {
				m := readManifest(t, out)
				assert.Equal(t, record.StatusPartial, m.Status)
				assert.NotEmpty(t, m.Errors)
			}
		})
	}
}

func TestSyncInterrupted(t *testing.T) {
	ws, srv := fakeWorkspace(t, fakemode.WithLatency(50*time.Millisecond))
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	code, _, stderr := run(ctx, t, "", "sync", "--workspace", ws.Slug, "--base-url", srv.URL(), "--out", out, "--log-level", "error")
	// A deadline is not an interrupt; cancel the parent the way SIGINT does.
	if code != ExitInterrupted {
		ctx2, cancel2 := context.WithCancel(t.Context())
		go func() { time.Sleep(300 * time.Millisecond); cancel2() }()
		code, _, stderr = run(ctx2, t, "", "sync", "--workspace", ws.Slug, "--base-url", srv.URL(), "--out", out, "--log-level", "error")
	}
	assert.Equal(t, ExitInterrupted, code, stderr)
	assert.NoDirExists(t, out, "an interrupted run must not leave an output set")
}

func TestVerify(t *testing.T) {
	t.Run("ok", func(t *testing.T) {
		ws, srv := fakeWorkspace(t)
		code, stdout, stderr := run(t.Context(), t, "", "verify", "--workspace", ws.Slug, "--base-url", srv.URL(), "--rate-limit", "200")
		assert.Equal(t, ExitOK, code, "stdout: %s\nstderr: %s", stdout, stderr)
		assert.Contains(t, stdout, "credentials")
		assert.Contains(t, stdout, "personal")
		assert.Contains(t, stdout, "All checks passed")
	})
	t.Run("wrong workspace slug", func(t *testing.T) {
		_, srv := fakeWorkspace(t)
		code, stdout, stderr := run(t.Context(), t, "", "verify", "--workspace", "not-our-ws", "--base-url", srv.URL(), "--rate-limit", "200")
		assert.Equal(t, ExitAuth, code, "stdout: %s\nstderr: %s", stdout, stderr)
		assert.Contains(t, stdout, "slug")
	})
	t.Run("expired token", func(t *testing.T) {
		ws, srv := fakeWorkspace(t)
		t.Setenv("MODECRAWL_SECRET", "expired")
		code, stdout, _ := run(t.Context(), t, "", "verify", "--workspace", ws.Slug, "--base-url", srv.URL(), "--rate-limit", "200")
		assert.Equal(t, ExitAuth, code)
		assert.Contains(t, stdout, "expired")
	})
	t.Run("restricted collection", func(t *testing.T) {
		ws, srv := fakeWorkspace(t, fakemode.WithFault(fakemode.Fault{PathContains: "/reports?", Status: 403, Times: 1}))
		code, stdout, _ := run(t.Context(), t, "", "verify", "--workspace", ws.Slug, "--base-url", srv.URL(), "--rate-limit", "200")
		assert.Equal(t, ExitAuth, code)
		assert.Contains(t, stdout, "grant View on this collection")
	})
}

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("demo crawls the sample workspace at 40 requests/s")
	}
	t.Chdir(t.TempDir())
	out := filepath.Join(t.TempDir(), "demo")
	code, stdout, stderr := run(t.Context(), t, "", "demo", "--out", out)
	require.Equal(t, ExitOK, code, "stdout: %s\nstderr: %s", stdout, stderr)
	assert.Contains(t, stdout, "Most popular reports")
	assert.Contains(t, stdout, "90 days")
	assert.Contains(t, stdout, "0 answered 429")
	m := readManifest(t, out)
	require.NotNil(t, m.Discovery)
	assert.True(t, m.Discovery.Used)
	assert.Equal(t, record.StatusComplete, m.Status)
}

func TestLineageCommand(t *testing.T) {
	sql := "SELECT o.id AS order_id, c.name FROM analytics.orders o JOIN analytics.customers c ON c.id = o.customer_id"
	code, stdout, stderr := run(t.Context(), t, sql, "lineage", "--dialect", "postgres", "--json")
	require.Equal(t, ExitOK, code, stderr)
	var out struct {
		Tables []record.Table `json:"tables"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	var names []string
	for _, tb := range out.Tables {
		names = append(names, tb.Name)
	}
	assert.Equal(t, []string{"analytics.customers", "analytics.orders"}, names)

	code, _, stderr = run(t.Context(), t, sql, "lineage")
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, stderr, "--dialect")

	batch := `{"id":"a","dialect":"snowflake","sql":"select x from t"}` + "\n" + `not json` + "\n"
	code, stdout, _ = run(t.Context(), t, batch, "lineage", "--input", "-")
	require.Equal(t, ExitOK, code)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	assert.Len(t, lines, 2, "one output line per input line, even a bad one")
}

func TestVersionAndHelp(t *testing.T) {
	code, stdout, _ := run(t.Context(), t, "", "version")
	assert.Equal(t, ExitOK, code)
	assert.Contains(t, stdout, "modecrawl")
	code, stdout, _ = run(t.Context(), t, "", "sync", "--help")
	assert.Equal(t, ExitOK, code)
	assert.Contains(t, stdout, "EXIT STATUS")
	assert.Contains(t, stdout, "--rate-limit")
	code, stdout, _ = run(t.Context(), t, "", "completion", "bash")
	assert.Equal(t, ExitOK, code)
	assert.Contains(t, stdout, "modecrawl")
	code, _, _ = run(t.Context(), t, "", "nonsense")
	assert.Equal(t, ExitUsage, code)
}

// TestSyncFlagPrecedence checks flag > env > file through the real command,
// with a runF that captures the options instead of crawling.
func TestSyncFlagPrecedence(t *testing.T) {
	t.Chdir(t.TempDir())
	require.NoError(t, os.WriteFile("modecrawl.yaml", []byte("workspace: file-ws\nrate_limit: 1\nsecret: from-file\nout: file-out\n"), 0o600))
	t.Setenv("MODECRAWL_TOKEN", "env-token")
	t.Setenv("MODECRAWL_RATE_LIMIT", "2")
	var got config.Config
	cmd := newSyncCommand(streams{}, &globalOptions{}, func(_ context.Context, o *syncOptions) error {
		got = o.cfg
		return nil
	})
	cmd.SetArgs([]string{"--out", "flag-out", "--collection-include", "^Team (A,B)$", "--collection-include", "^Ops$"})
	require.NoError(t, cmd.Execute())
	assert.Equal(t, []string{"^Team (A,B)$", "^Ops$"}, got.CollectionInclude, "a flag value keeps its commas")
	assert.Equal(t, "file-ws", got.Workspace)
	assert.Equal(t, "env-token", got.Token)
	assert.Equal(t, "from-file", got.Secret)
	assert.InDelta(t, 2.0, got.RateLimit, 1e-9)
	assert.Equal(t, "flag-out", got.Out)
}

func TestExitCodeTable(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{context.Canceled, ExitInterrupted},
		{fmt.Errorf("crawl: %w", context.Canceled), ExitInterrupted},
		{&usageError{errors.New("x")}, ExitUsage},
		{&config.Error{Msg: "x"}, ExitUsage},
		{errPartial, ExitPartial},
		{&modeapi.APIError{StatusCode: 401}, ExitAuth},
		{fmt.Errorf("wrapped: %w", &modeapi.APIError{StatusCode: 403}), ExitAuth},
		{fmt.Errorf("verify: %w", crawl.ErrAuth), ExitAuth},
		{&authError{err: errors.New("x")}, ExitAuth},
		{&modeapi.APIError{StatusCode: 500}, ExitFailure},
		{errors.New("disk full"), ExitFailure},
	}
	for _, tt := range tests {
		got, _ := exitCode(tt.err)
		assert.Equal(t, tt.want, got, "%v", tt.err)
	}
}

func TestVerifyDiscoveryDatabase(t *testing.T) {
	ws, srv := fakeWorkspace(t)
	ctx := t.Context()
	lite, err := fakesnowflake.Open(ctx, fakesnowflake.WithoutTables("QUERY_RUNS"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })
	require.NoError(t, fakesnowflake.Seed(ctx, lite, ws, time.Now(), fakesnowflake.SeedOptions{Seed: 1}))
	snow := fakesnowflake.NewServer(lite, fakesnowflake.WithCredentials("SVC", "pw-never-printed"))
	t.Cleanup(snow.Close)
	args := []string{"verify", "--workspace", ws.Slug, "--base-url", srv.URL(), "--rate-limit", "200",
		"--discovery-user", "SVC", "--discovery-host", snow.Host(), "--discovery-port", fmt.Sprint(snow.Port()),
		"--discovery-protocol", "http"}

	t.Setenv("MODECRAWL_DISCOVERY_PASSWORD", "pw-never-printed")
	code, stdout, stderr := run(ctx, t, "", args...)
	assert.Equal(t, ExitOK, code, "stdout: %s\nstderr: %s", stdout, stderr)
	assert.Contains(t, stdout, "REPORT_VIEWS")
	assert.Contains(t, stdout, "QUERY_RUNS", "the missing table is listed")
	assert.Contains(t, stdout, "missing")

	t.Setenv("MODECRAWL_DISCOVERY_PASSWORD", "wrong-password")
	code, stdout, stderr = run(ctx, t, "", args...)
	assert.Equal(t, ExitAuth, code, "a refused Discovery Database login is an authentication failure")
	assert.Contains(t, stdout, "discovery db")
	assert.NotContains(t, stdout+stderr, "pw-never-printed")
	assert.NotContains(t, stdout+stderr, "wrong-password")
}

func TestSyncDiscoveryUnavailable(t *testing.T) {
	ws, srv := fakeWorkspace(t)
	ctx := t.Context()
	lite, err := fakesnowflake.Open(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })
	snow := fakesnowflake.NewServer(lite, fakesnowflake.WithCredentials("SVC", "right-password"))
	t.Cleanup(snow.Close)
	t.Setenv("MODECRAWL_DISCOVERY_PASSWORD", "wrong-password")
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := run(ctx, t, "", "sync", "--workspace", ws.Slug, "--base-url", srv.URL(), "--out", out,
		"--rate-limit", "200", "--log-level", "error", "--discovery-user", "SVC", "--discovery-host", snow.Host(),
		"--discovery-port", fmt.Sprint(snow.Port()), "--discovery-protocol", "http")
	assert.Equal(t, ExitPartial, code, "stdout: %s\nstderr: %s", stdout, stderr)
	m := readManifest(t, out)
	require.Len(t, m.Errors, 1)
	assert.Equal(t, record.KindDiscovery, m.Errors[0].Kind)
	for _, w := range m.Warnings {
		assert.NotEqual(t, record.KindDiscovery, w.Kind, "one error, not a warning per read: %v", w)
	}
	require.NotNil(t, m.Discovery)
	assert.False(t, m.Discovery.Used)
	assert.Positive(t, m.Counts[record.KindReport], "the REST crawl still ran")
	assert.NotContains(t, stdout+stderr, "wrong-password")
}

func TestSyncWarehouseConnection(t *testing.T) {
	ws, srv := fakeWorkspace(t)
	ds := ws.DataSources[0]
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := run(t.Context(), t, "", "sync", "--workspace", ws.Slug, "--base-url", srv.URL(), "--out", out,
		"--rate-limit", "200", "--log-level", "error", "--db-connection", ds.Name, "--db-username", "MODE_SVC")
	require.Equal(t, ExitOK, code, "stdout: %s\nstderr: %s", stdout, stderr)
	m := readManifest(t, out)
	require.NotNil(t, m.Warehouse)
	require.NotNil(t, m.Warehouse.DataSource)
	assert.Equal(t, ds.ID, m.Warehouse.DataSource.ID)
	assert.Equal(t, "MODE_SVC", m.Warehouse.DBUsername)
	hidden := map[string]bool{}
	for _, sp := range ws.Spaces {
		hidden[sp.Token] = sp.HiddenFromAPI
	}
	want := 0
	for _, r := range ws.Reports {
		if hidden[r.SpaceToken] {
			continue // the REST API does not list these
		}
		for _, q := range r.Queries {
			if q.DataSourceID == ds.ID {
				want++
			}
		}
	}
	assert.Equal(t, want, m.Warehouse.Queries)

	code, _, _ = run(t.Context(), t, "", "sync", "--workspace", ws.Slug, "--base-url", srv.URL(), "--out", out,
		"--rate-limit", "200", "--log-level", "error", "--db-connection", "no-such-connection")
	require.Equal(t, ExitOK, code)
	m = readManifest(t, out)
	assert.Nil(t, m.Warehouse.DataSource)
	assert.Contains(t, fmt.Sprint(m.Warnings), "db_connection names no data source")
}
