package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// load builds a viper the way the CLI does: defaults, env, file, then flags bound.
func load(t *testing.T, file string, args []string) (Config, error) {
	t.Helper()
	v := viper.New()
	SetDefaults(v)
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.String("workspace", "", "")
	fs.String("base-url", DefaultBaseURL, "")
	fs.Float64("rate-limit", DefaultRateLimit, "")
	fs.String("out", DefaultOut, "")
	require.NoError(t, fs.Parse(args))
	require.NoError(t, v.BindPFlag("workspace", fs.Lookup("workspace")))
	require.NoError(t, v.BindPFlag("base_url", fs.Lookup("base-url")))
	require.NoError(t, v.BindPFlag("rate_limit", fs.Lookup("rate-limit")))
	require.NoError(t, v.BindPFlag("out", fs.Lookup("out")))
	if err := ReadFile(v, file); err != nil {
		return Config{}, err
	}
	return Load(v)
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "modecrawl.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, "workspace: from-file\nbase_url: https://file.example.com\nrate_limit: 2\nout: /tmp/file-out\ndiscovery:\n  warehouse: FILE_WH\n")
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		workspace string
		baseURL   string
		rate      float64
		warehouse string
	}{
		{name: "file over defaults", workspace: "from-file", baseURL: "https://file.example.com", rate: 2, warehouse: "FILE_WH"},
		{name: "env over file", env: map[string]string{"MODECRAWL_WORKSPACE": "from-env", "MODECRAWL_DISCOVERY_WAREHOUSE": "ENV_WH"},
			workspace: "from-env", baseURL: "https://file.example.com", rate: 2, warehouse: "ENV_WH"},
		{name: "flags over env", env: map[string]string{"MODECRAWL_WORKSPACE": "from-env", "MODECRAWL_RATE_LIMIT": "3"},
			args: []string{"--workspace", "from-flag", "--base-url", "http://127.0.0.1:9/api/"}, workspace: "from-flag", baseURL: "http://127.0.0.1:9", rate: 3, warehouse: "FILE_WH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c, err := load(t, file, tt.args)
			require.NoError(t, err)
			assert.Equal(t, tt.workspace, c.Workspace)
			assert.Equal(t, tt.baseURL, c.BaseURL)
			assert.InDelta(t, tt.rate, c.RateLimit, 1e-9)
			assert.Equal(t, tt.warehouse, c.Discovery.Warehouse)
		})
	}
}

func TestDefaults(t *testing.T) {
	t.Chdir(t.TempDir()) // no ./modecrawl.yaml here
	c, err := load(t, "", nil)
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, c.BaseURL)
	assert.Equal(t, DefaultOut, c.Out)
	assert.InDelta(t, 4.0, c.RateLimit, 1e-9)
	assert.Equal(t, DefaultConcurrency, c.Concurrency)
	assert.True(t, c.IncludePersonal)
	assert.True(t, c.IncludeArchived)
	assert.True(t, c.Lineage.Enabled)
	assert.Equal(t, "PUBLIC", c.Discovery.Role)
	assert.Equal(t, "WAREHOUSE_XS_MODE", c.Discovery.Warehouse)
	assert.Equal(t, "MODE", c.Discovery.Database)
	assert.Equal(t, "ORGANIZATION_USAGE", c.Discovery.Schema)
	assert.Equal(t, 90, c.Discovery.WindowDays)
	assert.Equal(t, 60*time.Second, c.Timeout)
	assert.False(t, c.Discovery.Enabled())
}

func TestTokenAndSecretFromEnv(t *testing.T) {
	t.Setenv("MODECRAWL_TOKEN", "key-id")
	t.Setenv("MODECRAWL_SECRET", "s3cr3t-value")
	t.Setenv("MODECRAWL_COLLECTION_EXCLUDE", "^Personal$, ^Scratch")
	c, err := load(t, writeFile(t, "workspace: acme\n"), nil)
	require.NoError(t, err)
	assert.Equal(t, "key-id", c.Token)
	assert.Equal(t, "s3cr3t-value", c.Secret)
	assert.Equal(t, []string{"^Personal$", "^Scratch"}, c.CollectionExclude)
	require.NoError(t, c.Validate())
	assert.NotContains(t, c.String(), "s3cr3t-value")
	assert.NotContains(t, c.LogValue().String(), "s3cr3t-value")
}

func TestExplicitMissingConfigFile(t *testing.T) {
	_, err := load(t, filepath.Join(t.TempDir(), "nope.yaml"), nil)
	var cerr *Error
	require.ErrorAs(t, err, &cerr)
	assert.Contains(t, err.Error(), "nope.yaml")
}

func TestValidate(t *testing.T) {
	good := Config{Token: "t", Secret: "s", Workspace: "acme", BaseURL: DefaultBaseURL, Out: "out",
		RateLimit: 4, Concurrency: 8, Timeout: time.Second, MaxRetries: 8, RetryWaitMin: time.Second, RetryWaitMax: time.Minute, LogLevel: "info", LogFormat: "text",
		Lineage: Lineage{Timeout: time.Second}, Discovery: Discovery{WindowDays: 90}}
	require.NoError(t, good.Validate())
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"missing secret", func(c *Config) { c.Secret = "" }, "MODECRAWL_SECRET"},
		{"missing token and workspace", func(c *Config) { c.Token, c.Workspace = "", "" }, "MODECRAWL_TOKEN"},
		{"workspace is a URL", func(c *Config) { c.Workspace = "https://app.mode.com/acme" }, "workspace slug"},
		{"bad base url", func(c *Config) { c.BaseURL = "app.mode.com" }, "base_url"},
		{"zero rate", func(c *Config) { c.RateLimit = 0 }, "rate_limit"},
		{"bad concurrency", func(c *Config) { c.Concurrency = 0 }, "concurrency"},
		{"bad regex", func(c *Config) { c.CollectionInclude = []string{"(("} }, "regular expression"},
		{"discovery without user", func(c *Config) { c.Discovery.Account = "xy123" }, "discovery.user"},
		{"discovery without password", func(c *Config) { c.Discovery.Account, c.Discovery.User = "xy123", "u" }, "discovery.password"},
		{"bad log level", func(c *Config) { c.LogLevel = "loud" }, "log_level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.mutate(&c)
			err := c.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			var cerr *Error
			assert.ErrorAs(t, err, &cerr)
		})
	}
}

func TestListsKeepCommasOutsideTheEnvironment(t *testing.T) {
	t.Chdir(t.TempDir())
	file := writeFile(t, "workspace: acme\ncollection_include: [\"^Team (A,B)$\"]\nexclude_reports: [\"Revenue, by region\"]\n")
	c, err := load(t, file, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"^Team (A,B)$"}, c.CollectionInclude)
	assert.Equal(t, []string{"Revenue, by region"}, c.ExcludeReports)
	_, _, err = c.CompileFilters()
	require.NoError(t, err)
}
