package discoverydb

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/snowflakedb/gosnowflake"
)

// ErrUnavailable is matched (errors.Is) when a feature cannot run because
// tables or columns it needs are missing from the share.
var ErrUnavailable = errors.New("discovery database feature unavailable")

// MissingError says which tables ("TABLE") or columns ("TABLE.COLUMN") a
// feature lacks. It matches ErrUnavailable.
type MissingError struct {
	Feature string
	Missing []string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("discovery database %s unavailable: missing %s", e.Feature, strings.Join(e.Missing, ", "))
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *MissingError) Is(target error) bool { return target == ErrUnavailable }

// LoginError is a failed connection or login. Its message never contains
// the password or key.
type LoginError struct {
	Endpoint, User string
	Err            error
}

func (e *LoginError) Error() string {
	return fmt.Sprintf("log in to discovery database %s as %s: %v", e.Endpoint, e.User, e.Err)
}

// Unwrap returns the driver's error.
func (e *LoginError) Unwrap() error { return e.Err }

// DB is an open Discovery Database session.
type DB struct {
	db   *sql.DB
	cfg  Config
	caps Capabilities
	// roundTrips counts statements sent (each is one query-request).
	roundTrips atomic.Int64
}

// Open connects with gosnowflake, logs in and runs Check. cfg gets its
// defaults applied. The returned DB holds one session (the pool is capped
// at one connection: every statement is sequential, and an XS warehouse
// gains nothing from more).
func Open(ctx context.Context, cfg Config) (*DB, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !cfg.Enabled() {
		return nil, fmt.Errorf("discovery.account or discovery.host is required: %w", ErrInvalidConfig)
	}
	sf, err := driverConfig(cfg)
	if err != nil {
		return nil, err
	}
	disableCloudPlatformProbes()
	quietDriverLog()
	sqlDB := sql.OpenDB(gosnowflake.NewConnector(gosnowflake.SnowflakeDriver{}, sf))
	sqlDB.SetMaxOpenConns(1)
	sqlDB.SetMaxIdleConns(1)
	d := &DB{db: sqlDB, cfg: cfg}
	// Taking a connection logs in without spending a statement (PingContext
	// would send SELECT 1).
	loginCtx, cancel := context.WithTimeout(ctx, cfg.LoginTimeout)
	defer cancel()
	conn, err := sqlDB.Conn(loginCtx)
	if err != nil {
		_ = sqlDB.Close()
		return nil, &LoginError{Endpoint: endpoint(cfg), User: cfg.User, Err: err}
	}
	_ = conn.Close()
	d.caps = d.Check(ctx)
	return d, nil
}

// endpoint names the server for messages.
func endpoint(cfg Config) string {
	if cfg.Host != "" {
		return fmt.Sprintf("%s://%s:%d", cfg.Protocol, cfg.Host, cfg.Port)
	}
	return "account " + cfg.Account
}

// driverConfig maps Config onto gosnowflake's.
func driverConfig(cfg Config) (gosnowflake.Config, error) {
	utc := "UTC"
	sf := gosnowflake.Config{
		Account:   cfg.Account,
		User:      cfg.User,
		Password:  cfg.Password,
		Database:  normIdent(cfg.Database),
		Schema:    normIdent(cfg.Schema),
		Warehouse: cfg.Warehouse,
		Role:      cfg.Role,
		Host:      cfg.Host,
		Port:      cfg.Port,
		Protocol:  cfg.Protocol,
		// Session time zone UTC: every *_AT_UTC value and bound window
		// edge then means the same instant whatever the column's flavour.
		Params: map[string]*string{"TIMEZONE": &utc},
		//nolint:staticcheck // SA1019: still the driver's only login timeout in v1.19.
		LoginTimeout: cfg.LoginTimeout,
		Application:  "modecrawl",
		// modecrawl sends nothing to the vendor beyond its queries.
		//nolint:staticcheck // SA1019: the session-parameter replacement does not exist yet in v1.19.
		DisableTelemetry: true,
	}
	if sf.Account == "" {
		// gosnowflake requires an account; with a custom host its first
		// label is what Snowflake would derive.
		sf.Account, _, _ = strings.Cut(cfg.Host, ".")
	}
	if cfg.PrivateKeyPath != "" {
		key, err := loadPrivateKey(cfg.PrivateKeyPath)
		if err != nil {
			return sf, err
		}
		sf.Authenticator = gosnowflake.AuthTypeJwt
		sf.PrivateKey = key
		sf.Password = ""
	}
	return sf, nil
}

// loadPrivateKey reads an unencrypted RSA key from a PEM file. Errors name
// the path, never the contents.
func loadPrivateKey(path string) (*rsa.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read discovery private key: %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		return nil, fmt.Errorf("read discovery private key %s: no PEM block: %w", path, ErrInvalidConfig)
	}
	if strings.Contains(block.Type, "ENCRYPTED") {
		return nil, fmt.Errorf("discovery private key %s is encrypted; decrypt it (openssl pkcs8 -nocrypt): %w", path, ErrInvalidConfig)
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("discovery private key %s is not an RSA key: %w", path, ErrInvalidConfig)
		}
		return rk, nil
	}
	rk, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse discovery private key %s as PKCS#8 or PKCS#1: %w", path, ErrInvalidConfig)
	}
	return rk, nil
}

// Close ends the session.
func (d *DB) Close() error {
	if err := d.db.Close(); err != nil {
		return fmt.Errorf("close discovery database: %w", err)
	}
	return nil
}

// RoundTrips is the number of statements sent so far, Check's included.
func (d *DB) RoundTrips() int { return int(d.roundTrips.Load()) }

// Capabilities returns what the last Check found.
func (d *DB) Capabilities() Capabilities { return d.caps }

// query runs one statement under the query timeout and hands each row to
// scan. It is the only place statements are sent.
func (d *DB) query(ctx context.Context, stmt string, args []any, scan func(*sql.Rows) error) error {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.QueryTimeout)
	defer cancel()
	d.roundTrips.Add(1)
	rows, err := d.db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// table is the fully qualified, quoted name of a share table.
func (d *DB) table(name string) string {
	return quoteIdent(d.cfg.Database) + "." + quoteIdent(d.cfg.Schema) + "." + quoteIdent(name)
}

// Scanners that accept what any Snowflake-speaking server may send:
// gosnowflake hands numbers over as strings and timestamps as time.Time,
// but a column typed TEXT by the server must not break a crawl.

// nullInt scans integers, numeric strings and floats.
type nullInt struct {
	v     int64
	valid bool
}

func (n *nullInt) Scan(src any) error {
	n.valid = src != nil
	switch x := src.(type) {
	case nil:
	case int64:
		n.v = x
	case float64:
		n.v = int64(x)
	case []byte:
		return n.Scan(string(x))
	case string:
		if i, err := strconv.ParseInt(x, 10, 64); err == nil {
			n.v = i
			return nil
		}
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return fmt.Errorf("scan %q as integer: %w", x, err)
		}
		n.v = int64(f)
	default:
		return fmt.Errorf("scan %T as integer", src)
	}
	return nil
}

func (n nullInt) ptr() *int64 {
	if !n.valid {
		return nil
	}
	v := n.v
	return &v
}

// nullFloat scans floats, integers and numeric strings.
type nullFloat struct {
	v     float64
	valid bool
}

func (n *nullFloat) Scan(src any) error {
	n.valid = src != nil
	switch x := src.(type) {
	case nil:
	case float64:
		n.v = x
	case int64:
		n.v = float64(x)
	case []byte:
		return n.Scan(string(x))
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return fmt.Errorf("scan %q as number: %w", x, err)
		}
		n.v = f
	default:
		return fmt.Errorf("scan %T as number", src)
	}
	return nil
}

func (n nullFloat) ptr() *float64 {
	if !n.valid {
		return nil
	}
	v := n.v
	return &v
}

// nullTime scans timestamps (always returned in UTC).
type nullTime struct {
	v     time.Time
	valid bool
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999", "2006-01-02"}

func (n *nullTime) Scan(src any) error {
	n.valid = src != nil
	switch x := src.(type) {
	case nil:
	case time.Time:
		n.v = x.UTC()
	case []byte:
		return n.Scan(string(x))
	case string:
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, x); err == nil {
				n.v = t.UTC()
				return nil
			}
		}
		return fmt.Errorf("scan %q as timestamp", x)
	default:
		return fmt.Errorf("scan %T as timestamp", src)
	}
	return nil
}

func (n nullTime) ptr() *time.Time {
	if !n.valid {
		return nil
	}
	v := n.v
	return &v
}

// nullString scans text; ids arrive as strings or numbers.
type nullString struct {
	v     string
	valid bool
}

func (n *nullString) Scan(src any) error {
	n.valid = src != nil
	switch x := src.(type) {
	case nil:
	case string:
		n.v = x
	case []byte:
		n.v = string(x)
	case int64:
		n.v = strconv.FormatInt(x, 10)
	case float64:
		n.v = strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		n.v = x.UTC().Format(time.RFC3339Nano)
	default:
		n.v = fmt.Sprint(x)
	}
	return nil
}

func (n nullString) ptr() *string {
	if !n.valid {
		return nil
	}
	v := n.v
	return &v
}

// platformDetectionEnv is gosnowflake's switch for its cloud platform
// detection.
const platformDetectionEnv = "SNOWFLAKE_DISABLE_PLATFORM_DETECTION"

// disableCloudPlatformProbes stops gosnowflake from probing cloud metadata
// endpoints (169.254.169.254, metadata.google.internal) in the background on
// its first connection, which it does only to report the platform in its
// login telemetry. modecrawl talks to the configured Snowflake endpoint and
// nothing else, so it turns the probes off unless the user set the variable
// explicitly. The driver offers no per-connection option; the environment
// variable is its only switch and is read when the first connection is built.
func disableCloudPlatformProbes() {
	if _, set := os.LookupEnv(platformDetectionEnv); !set {
		_ = os.Setenv(platformDetectionEnv, "true")
	}
}

// quietDriverLog stops gosnowflake printing its own log lines to stderr:
// every failure it logs also comes back to modecrawl as an error, which the
// crawl reports once, in modecrawl's log format. The driver's logger is
// process-wide; nothing else in modecrawl uses it.
func quietDriverLog() {
	gosnowflake.GetLogger().SetOutput(io.Discard)
}
