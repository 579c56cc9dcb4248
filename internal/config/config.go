// Package config loads modecrawl's configuration from flags, MODECRAWL_*
// environment variables, a YAML config file and defaults, in that order of
// precedence, using a viper instance owned by the caller (never viper's
// global one).
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// Defaults.
const (
	DefaultBaseURL              = "https://app.mode.com"
	DefaultOut                  = "./modecrawl-out"
	DefaultConfigFile           = "modecrawl.yaml"
	DefaultRateLimit            = 4.0 // Mode: about 40 requests per 10 s per token
	DefaultConcurrency          = 8
	DefaultTimeout              = 60 * time.Second
	DefaultMaxRetries           = 8
	DefaultRetryWaitMin         = time.Second
	DefaultRetryWaitMax         = 60 * time.Second
	DefaultLineageTimeout       = 5 * time.Second
	DefaultDiscoveryRole        = "PUBLIC"
	DefaultDiscoveryWarehouse   = "WAREHOUSE_XS_MODE"
	DefaultDiscoveryDatabase    = "MODE"
	DefaultDiscoverySchema      = "ORGANIZATION_USAGE"
	DefaultPopularityWindowDays = 90
	EnvPrefix                   = "MODECRAWL"
)

// Config is everything a crawl needs. Secrets are redacted by String and LogValue.
type Config struct {
	// Token is the Mode API token's Key ID (HTTP Basic user name).
	Token string `mapstructure:"token"`
	// Secret is the Mode API token's secret (HTTP Basic password).
	Secret string `mapstructure:"secret"`
	// Workspace is the workspace slug, the path segment after app.mode.com/.
	Workspace string `mapstructure:"workspace"`
	// BaseURL is Mode's address, without /api.
	BaseURL string `mapstructure:"base_url"`
	// DBConnection names the Mode data source (name, token or numeric id) that
	// connects to the warehouse being cataloged.
	DBConnection string `mapstructure:"db_connection"`
	// DBUsername is the warehouse user Mode runs that connection's queries as.
	DBUsername string `mapstructure:"db_username"`
	// Out is the output directory.
	Out string `mapstructure:"out"`
	// RateLimit is Mode's rate limit for the token, in requests per second;
	// modecrawl paces slightly under it.
	RateLimit float64 `mapstructure:"rate_limit"`
	// Concurrency is the number of concurrent workers (all share one limiter).
	Concurrency int `mapstructure:"concurrency"`
	// Timeout is the per-request timeout.
	Timeout time.Duration `mapstructure:"timeout"`
	// MaxRetries is how often a failed request (429, 5xx, reset, timeout)
	// is retried before its item is reported failed.
	MaxRetries int `mapstructure:"max_retries"`
	// RetryWaitMin and RetryWaitMax bound the jittered exponential backoff
	// (a Retry-After header from Mode takes precedence).
	RetryWaitMin time.Duration `mapstructure:"retry_wait_min"`
	RetryWaitMax time.Duration `mapstructure:"retry_wait_max"`
	// IncludePersonal includes personal collections (default true).
	IncludePersonal bool `mapstructure:"include_personal"`
	// IncludeArchived includes archived reports (default true).
	IncludeArchived bool `mapstructure:"include_archived"`
	// CollectionInclude keeps only collections whose name matches one of these regexes.
	CollectionInclude []string `mapstructure:"collection_include"`
	// CollectionExclude drops collections whose name matches one of these regexes.
	CollectionExclude []string `mapstructure:"collection_exclude"`
	// ExcludeReports drops reports by token or exact name.
	ExcludeReports []string `mapstructure:"exclude_reports"`
	// Lineage configures SQL lineage.
	Lineage Lineage `mapstructure:"lineage"`
	// Discovery configures the Mode Discovery Database (optional).
	Discovery Discovery `mapstructure:"discovery"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `mapstructure:"log_level"`
	// LogFormat is text or json.
	LogFormat string `mapstructure:"log_format"`
}

// Lineage configures the lineage stage.
type Lineage struct {
	// Enabled turns SQL lineage on (default true).
	Enabled bool `mapstructure:"enabled"`
	// Schema is an optional JSON/YAML file {table: [columns]} that resolves
	// ambiguous columns and SELECT * over physical tables.
	Schema string `mapstructure:"schema"`
	// Timeout is the per-query parse time limit.
	Timeout time.Duration `mapstructure:"timeout"`
}

// Discovery configures the Mode Discovery Database (a Snowflake share).
type Discovery struct {
	Account        string        `mapstructure:"account"`
	User           string        `mapstructure:"user"`
	Password       string        `mapstructure:"password"`
	PrivateKeyPath string        `mapstructure:"private_key_path"`
	Role           string        `mapstructure:"role"`
	Warehouse      string        `mapstructure:"warehouse"`
	Database       string        `mapstructure:"database"`
	Schema         string        `mapstructure:"schema"`
	Host           string        `mapstructure:"host"`
	Port           int           `mapstructure:"port"`
	Protocol       string        `mapstructure:"protocol"`
	LoginTimeout   time.Duration `mapstructure:"login_timeout"`
	QueryTimeout   time.Duration `mapstructure:"query_timeout"`
	// WindowDays is the popularity window, ending at crawl time.
	WindowDays int `mapstructure:"popularity_window_days"`
}

// Enabled reports whether Discovery Database access is configured.
func (d Discovery) Enabled() bool { return d.Account != "" || d.Host != "" }

// Error is a configuration error: the CLI exits 2 and prints it.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// SetDefaults registers every key with its default on v, so that environment
// variables are seen for every key (viper only looks up keys it knows), and
// turns on MODECRAWL_* environment lookup.
func SetDefaults(v *viper.Viper) {
	setDefaultValues(v)
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_", "-", "_"))
	v.AutomaticEnv()
}

// Defaults returns the default configuration, ignoring the environment and
// any config file (the demo uses it to stay hermetic).
func Defaults() Config {
	v := viper.New()
	setDefaultValues(v)
	c, err := Load(v)
	if err != nil {
		panic("config: defaults do not decode: " + err.Error()) // a programming error
	}
	return c
}

func setDefaultValues(v *viper.Viper) {
	defaults := map[string]any{
		"token":                            "",
		"secret":                           "",
		"workspace":                        "",
		"base_url":                         DefaultBaseURL,
		"db_connection":                    "",
		"db_username":                      "",
		"out":                              DefaultOut,
		"rate_limit":                       DefaultRateLimit,
		"concurrency":                      DefaultConcurrency,
		"timeout":                          DefaultTimeout,
		"max_retries":                      DefaultMaxRetries,
		"retry_wait_min":                   DefaultRetryWaitMin,
		"retry_wait_max":                   DefaultRetryWaitMax,
		"include_personal":                 true,
		"include_archived":                 true,
		"collection_include":               []string{},
		"collection_exclude":               []string{},
		"exclude_reports":                  []string{},
		"lineage.enabled":                  true,
		"lineage.schema":                   "",
		"lineage.timeout":                  DefaultLineageTimeout,
		"discovery.account":                "",
		"discovery.user":                   "",
		"discovery.password":               "",
		"discovery.private_key_path":       "",
		"discovery.role":                   DefaultDiscoveryRole,
		"discovery.warehouse":              DefaultDiscoveryWarehouse,
		"discovery.database":               DefaultDiscoveryDatabase,
		"discovery.schema":                 DefaultDiscoverySchema,
		"discovery.host":                   "",
		"discovery.port":                   0,
		"discovery.protocol":               "",
		"discovery.login_timeout":          30 * time.Second,
		"discovery.query_timeout":          5 * time.Minute,
		"discovery.popularity_window_days": DefaultPopularityWindowDays,
		"log_level":                        "info",
		"log_format":                       "text",
	}
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
}

// ReadFile reads the config file: path if given (it must exist), else
// ./modecrawl.yaml when present.
func ReadFile(v *viper.Viper, path string) error {
	explicit := path != ""
	if !explicit {
		path = DefaultConfigFile
	}
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		var notFound viper.ConfigFileNotFoundError
		if !explicit && (errors.As(err, &notFound) || isNotExist(err)) {
			return nil
		}
		return errorf("read config file %s: %v", path, err)
	}
	return nil
}

func isNotExist(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "no such file") || strings.Contains(err.Error(), "cannot find"))
}

// Load decodes v into a Config. It does not validate.
func Load(v *viper.Viper) (Config, error) {
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return c, errorf("decode configuration: %v", err)
	}
	// Lists from the environment arrive as one string, which viper splits at
	// commas; trim what that leaves. Lists from flags (repeatable) and the
	// config file (YAML lists) keep their commas: a regex may need them.
	c.CollectionInclude = trimList(c.CollectionInclude)
	c.CollectionExclude = trimList(c.CollectionExclude)
	c.ExcludeReports = trimList(c.ExcludeReports)
	c.BaseURL = strings.TrimRight(strings.TrimSuffix(strings.TrimRight(c.BaseURL, "/"), "/api"), "/")
	return c, nil
}

func trimList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var workspaceSlug = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// ValidateCredentials checks what talking to Mode needs.
func (c Config) ValidateCredentials() error {
	var missing []string
	if c.Token == "" {
		missing = append(missing, "token (--token or MODECRAWL_TOKEN)")
	}
	if c.Secret == "" {
		missing = append(missing, "secret (MODECRAWL_SECRET or `secret:` in the config file)")
	}
	if c.Workspace == "" {
		missing = append(missing, "workspace (--workspace or MODECRAWL_WORKSPACE)")
	}
	if len(missing) > 0 {
		return errorf("missing %s", strings.Join(missing, ", "))
	}
	if !workspaceSlug.MatchString(c.Workspace) {
		return errorf("workspace %q is not a workspace slug: use the name after app.mode.com/ in your browser's address bar", c.Workspace)
	}
	return nil
}

// Validate checks the whole configuration for a sync.
func (c Config) Validate() error {
	if err := c.ValidateCredentials(); err != nil {
		return err
	}
	return c.ValidateSettings()
}

// ValidateSettings checks everything but the Mode credentials.
func (c Config) ValidateSettings() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errorf("base_url %q is not an http(s) URL like %s", c.BaseURL, DefaultBaseURL)
	}
	if c.RateLimit <= 0 || c.RateLimit > 1000 {
		return errorf("rate_limit %v must be between 0 and 1000 requests per second (Mode allows about 4)", c.RateLimit)
	}
	if c.Concurrency < 1 || c.Concurrency > 256 {
		return errorf("concurrency %d must be between 1 and 256", c.Concurrency)
	}
	if c.Timeout <= 0 {
		return errorf("timeout must be positive")
	}
	if c.MaxRetries < 0 || c.MaxRetries > 100 {
		return errorf("max_retries %d must be between 0 and 100", c.MaxRetries)
	}
	if c.RetryWaitMin <= 0 || c.RetryWaitMax < c.RetryWaitMin {
		return errorf("retry_wait_min must be positive and at most retry_wait_max")
	}
	if c.Out == "" {
		return errorf("out must name an output directory")
	}
	for _, list := range [][]string{c.CollectionInclude, c.CollectionExclude} {
		for _, re := range list {
			if _, err := regexp.Compile(re); err != nil {
				return errorf("collection filter %q is not a valid regular expression: %v", re, err)
			}
		}
	}
	if c.Lineage.Timeout <= 0 {
		return errorf("lineage.timeout must be positive")
	}
	if c.Discovery.Enabled() {
		d := c.Discovery
		if d.User == "" {
			return errorf("discovery.user is required when discovery.account or discovery.host is set")
		}
		if d.Password == "" && d.PrivateKeyPath == "" {
			return errorf("discovery.password or discovery.private_key_path is required for the Discovery Database")
		}
		if d.Protocol != "" && d.Protocol != "http" && d.Protocol != "https" {
			return errorf("discovery.protocol %q must be http or https", d.Protocol)
		}
		if d.WindowDays < 1 || d.WindowDays > 3650 {
			return errorf("discovery.popularity_window_days %d must be between 1 and 3650", d.WindowDays)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return errorf("log_level %q must be debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return errorf("log_format %q must be text or json", c.LogFormat)
	}
	return nil
}

// CompileFilters returns the collection include and exclude regexes.
func (c Config) CompileFilters() (include, exclude []*regexp.Regexp, err error) {
	for _, s := range c.CollectionInclude {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, nil, errorf("collection_include %q: %v", s, err)
		}
		include = append(include, re)
	}
	for _, s := range c.CollectionExclude {
		re, err := regexp.Compile(s)
		if err != nil {
			return nil, nil, errorf("collection_exclude %q: %v", s, err)
		}
		exclude = append(exclude, re)
	}
	return include, exclude, nil
}

const redacted = "[redacted]"

func redact(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// Redacted returns a copy of c with every secret replaced by "[redacted]".
func (c Config) Redacted() Config {
	c.Secret = redact(c.Secret)
	c.Discovery.Password = redact(c.Discovery.Password)
	return c
}

// String prints the configuration without secrets.
func (c Config) String() string {
	r := c.Redacted()
	return fmt.Sprintf("workspace=%s base_url=%s token=%s secret=%s out=%s rate_limit=%v concurrency=%d",
		r.Workspace, r.BaseURL, r.Token, r.Secret, r.Out, r.RateLimit, r.Concurrency)
}

// LogValue makes slog print the configuration without secrets.
func (c Config) LogValue() slog.Value {
	r := c.Redacted()
	return slog.GroupValue(
		slog.String("workspace", r.Workspace),
		slog.String("base_url", r.BaseURL),
		slog.String("token", r.Token),
		slog.String("secret", r.Secret),
		slog.String("out", r.Out),
		slog.Float64("rate_limit", r.RateLimit),
		slog.Int("concurrency", r.Concurrency),
		slog.Bool("discovery", r.Discovery.Enabled()),
	)
}
