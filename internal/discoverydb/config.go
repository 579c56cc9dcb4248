package discoverydb

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
)

// Defaults for Config, from Mode's setup instructions for the share.
const (
	DefaultRole         = "PUBLIC"
	DefaultWarehouse    = "WAREHOUSE_XS_MODE"
	DefaultDatabase     = "MODE"
	DefaultSchema       = "ORGANIZATION_USAGE"
	DefaultWindowDays   = 90
	DefaultLoginTimeout = 30 * time.Second
	DefaultQueryTimeout = 5 * time.Minute
)

// Config says how to reach the Discovery Database (config keys
// discovery.*).
type Config struct {
	// Account is the Snowflake account identifier (orgname-account or a
	// locator such as xy12345.us-east-1).
	Account string `mapstructure:"account"`
	// User is the Snowflake login name.
	User string `mapstructure:"user"`
	// Password is the user's password; never logged or printed.
	Password string `mapstructure:"password"`
	// PrivateKeyPath is a PEM file holding an unencrypted PKCS#8 or PKCS#1
	// RSA key for key-pair authentication; used instead of Password.
	PrivateKeyPath string `mapstructure:"private_key_path"`
	// Role defaults to PUBLIC.
	Role string `mapstructure:"role"`
	// Warehouse defaults to WAREHOUSE_XS_MODE.
	Warehouse string `mapstructure:"warehouse"`
	// Database defaults to MODE; Schema to ORGANIZATION_USAGE. Simple
	// names are upper-cased (Snowflake's rule for unquoted identifiers);
	// others are used exactly as written.
	Database string `mapstructure:"database"`
	Schema   string `mapstructure:"schema"`
	// Host, Port and Protocol override the endpoint derived from Account,
	// for PrivateLink and custom endpoints.
	Host     string `mapstructure:"host"`
	Port     int    `mapstructure:"port"`
	Protocol string `mapstructure:"protocol"`
	// LoginTimeout bounds the login; QueryTimeout bounds each statement.
	LoginTimeout time.Duration `mapstructure:"login_timeout"`
	QueryTimeout time.Duration `mapstructure:"query_timeout"`
	// WindowDays is the popularity window ending at crawl time (default 90).
	WindowDays int `mapstructure:"popularity_window_days"`
}

// SetDefaults fills unset fields with their defaults.
func (c *Config) SetDefaults() {
	set := func(p *string, v string) {
		if strings.TrimSpace(*p) == "" {
			*p = v
		}
	}
	set(&c.Role, DefaultRole)
	set(&c.Warehouse, DefaultWarehouse)
	set(&c.Database, DefaultDatabase)
	set(&c.Schema, DefaultSchema)
	if c.WindowDays <= 0 {
		c.WindowDays = DefaultWindowDays
	}
	if c.LoginTimeout <= 0 {
		c.LoginTimeout = DefaultLoginTimeout
	}
	if c.QueryTimeout <= 0 {
		c.QueryTimeout = DefaultQueryTimeout
	}
	if c.Host != "" {
		set(&c.Protocol, "https")
		if c.Port == 0 {
			c.Port = 443
			if c.Protocol == "http" {
				c.Port = 80
			}
		}
	}
}

// Enabled reports whether the Discovery Database is configured: an
// account or a host is set.
func (c Config) Enabled() bool { return c.Account != "" || c.Host != "" }

// ErrInvalidConfig is matched (errors.Is) by every Validate error.
var ErrInvalidConfig = errors.New("invalid discovery database config")

// Validate checks an enabled config; a disabled one is always valid. Call
// SetDefaults first.
func (c Config) Validate() error {
	if !c.Enabled() {
		return nil
	}
	var problems []string
	if c.User == "" {
		problems = append(problems, "discovery.user is required")
	}
	if c.Password == "" && c.PrivateKeyPath == "" {
		problems = append(problems, "discovery.password or discovery.private_key_path is required")
	}
	if c.Protocol != "" && c.Protocol != "http" && c.Protocol != "https" {
		problems = append(problems, fmt.Sprintf("discovery.protocol %q must be http or https", c.Protocol))
	}
	if c.Port < 0 || c.Port > 65535 {
		problems = append(problems, fmt.Sprintf("discovery.port %d is out of range", c.Port))
	}
	if c.WindowDays < 1 || c.WindowDays > 3650 {
		problems = append(problems, fmt.Sprintf("discovery.popularity_window_days %d must be between 1 and 3650", c.WindowDays))
	}
	if strings.TrimSpace(c.Database) == "" || strings.TrimSpace(c.Schema) == "" {
		problems = append(problems, "discovery.database and discovery.schema must not be empty")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %w", strings.Join(problems, "; "), ErrInvalidConfig)
	}
	return nil
}

const redacted = "[redacted]"

func redact(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// String renders the config with the password redacted.
func (c Config) String() string {
	return fmt.Sprintf("discoverydb.Config{account=%q user=%q password=%q private_key_path=%q role=%q warehouse=%q "+
		"database=%q schema=%q host=%q port=%d protocol=%q login_timeout=%s query_timeout=%s window_days=%d}",
		c.Account, c.User, redact(c.Password), c.PrivateKeyPath, c.Role, c.Warehouse, c.Database, c.Schema,
		c.Host, c.Port, c.Protocol, c.LoginTimeout, c.QueryTimeout, c.WindowDays)
}

// GoString is String, so %#v cannot print the password either.
func (c Config) GoString() string { return c.String() }

// LogValue renders the config for slog with the password redacted. The key
// path is shown (it is not secret); the key itself is never loaded into
// Config.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("account", c.Account), slog.String("user", c.User),
		slog.String("password", redact(c.Password)), slog.String("private_key_path", c.PrivateKeyPath),
		slog.String("role", c.Role), slog.String("warehouse", c.Warehouse),
		slog.String("database", c.Database), slog.String("schema", c.Schema),
		slog.String("host", c.Host), slog.Int("port", c.Port), slog.String("protocol", c.Protocol),
		slog.Int("window_days", c.WindowDays),
	)
}

// simpleIdent is an identifier Snowflake would upper-case when unquoted.
var simpleIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// normIdent returns the name Snowflake stores for a configured identifier:
// simple names upper-cased, anything else as written.
func normIdent(s string) string {
	s = strings.TrimSpace(s)
	if simpleIdent.MatchString(s) {
		return strings.ToUpper(s)
	}
	return s
}

// quoteIdent quotes a normalized identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(normIdent(s), `"`, `""`) + `"` }
