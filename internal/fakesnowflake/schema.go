package fakesnowflake

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	// The pure-Go SQLite driver registers itself as "sqlite".
	_ "modernc.org/sqlite"
)

// TimeFormat is how timestamps are stored in the embedded database: UTC,
// fixed width with nanoseconds, so that text comparison is time order.
const TimeFormat = "2006-01-02 15:04:05.000000000"

// FormatTime renders t in TimeFormat (converted to UTC), the form every
// timestamp column of the embedded Discovery Database holds.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// Column is one column of a Discovery Database table.
type Column struct {
	Name string
	// Type is the Snowflake type name (TEXT, NUMBER, TIMESTAMP_NTZ,
	// BOOLEAN, FLOAT); it is also the SQLite declared type, so SQLite's
	// type affinity rules apply.
	Type string
	// EntityID marks id columns whose type follows the id style: TEXT for
	// 12-hex tokens, NUMBER for numeric ids.
	EntityID bool
}

// Table is one Discovery Database table.
type Table struct {
	Name    string
	Columns []Column
}

// Schema lists the Discovery Database tables and columns, as reconstructed
// from Mode's own template SQL (docs/discovery-db.md). Column lists are
// partial: only what Mode's templates reference is known.
func Schema() []Table {
	id := func(name string) Column { return Column{Name: name, Type: "TEXT", EntityID: true} }
	text := func(name string) Column { return Column{Name: name, Type: "TEXT"} }
	ts := func(name string) Column { return Column{Name: name, Type: "TIMESTAMP_NTZ"} }
	num := func(name string) Column { return Column{Name: name, Type: "NUMBER"} }
	return []Table{
		{Name: "REPORTS", Columns: []Column{id("ID"), text("NAME"), text("DESCRIPTION"), text("STATE"),
			text("COLLECTION_NAME"), text("COLLECTION_TYPE"), ts("CREATED_AT_UTC"), ts("LAST_EDITED_AT_UTC"),
			id("CREATOR_ID"), text("CREATOR_EMAIL"), text("URL")}},
		// Event ids stay numeric in both id styles: they never join to REST.
		{Name: "REPORT_VIEWS", Columns: []Column{num("ID"), id("REPORT_ID"), id("VIEWER_ID"),
			ts("VIEWED_AT_UTC"), text("VIEW_LOCATION")}},
		{Name: "QUERIES", Columns: []Column{id("ID"), text("NAME"), id("REPORT_ID"), id("CREATOR_ID"),
			text("CONNECTION_NAME"), text("QUERY"), text("STATE"), text("URL")}},
		{Name: "QUERY_RUNS", Columns: []Column{num("ID"), id("QUERY_ID"), id("RUNNER_ID"), text("STATE"),
			ts("STARTED_AT_UTC"), {Name: "IS_SCHEDULED", Type: "BOOLEAN"}, {Name: "RUNTIME_IN_SECONDS", Type: "FLOAT"},
			num("ROWS_RETURNED"), num("BYTES")}},
		{Name: "USERS", Columns: []Column{id("ID"), text("NAME"), text("USERNAME"), text("EMAIL"),
			text("MEMBERSHIP_STATE"), text("MEMBERSHIP_TYPE"), ts("MEMBERSHIP_STARTED_AT_UTC"),
			ts("MEMBERSHIP_ENDED_AT_UTC"), ts("LAST_ENGAGED_DATE_UTC")}},
		{Name: "VISUALIZATIONS", Columns: []Column{id("ID"), id("CREATOR_ID"), ts("CREATED_AT_UTC"),
			{Name: "IS_SAVED_EXPLORATION", Type: "BOOLEAN"}}},
		{Name: "CONNECTIONS", Columns: []Column{text("NAME"), text("DB_TYPE")}},
		{Name: "REPORT_SCHEDULES", Columns: []Column{id("ID"), id("REPORT_ID"), ts("CREATED_AT"),
			ts("DELETED_AT"), text("CADENCE")}},
		{Name: "ACTIVE_REPORT_SUBSCRIBERS", Columns: []Column{id("REPORT_ID"), text("EMAIL_SUBSCRIBER_EMAIL"),
			text("SLACK_CHANNEL_ID")}},
	}
}

// schemaOptions are the knobs of Open.
type schemaOptions struct {
	numericIDs     bool
	withoutTables  []string
	withoutColumns []string
}

// SchemaOption changes the shape of the database Open creates.
type SchemaOption func(*schemaOptions)

// WithNumericIDs makes entity ids numeric (NUMBER) instead of 12-hex
// tokens (TEXT). Which one Mode uses is unconfirmed, so modecrawl handles
// both and tests run against both.
func WithNumericIDs() SchemaOption { return func(o *schemaOptions) { o.numericIDs = true } }

// WithoutTables leaves the named tables out, to test degradation.
func WithoutTables(names ...string) SchemaOption {
	return func(o *schemaOptions) { o.withoutTables = append(o.withoutTables, names...) }
}

// WithoutColumns leaves out columns given as "TABLE.COLUMN".
func WithoutColumns(names ...string) SchemaOption {
	return func(o *schemaOptions) { o.withoutColumns = append(o.withoutColumns, names...) }
}

// Open returns a fresh in-memory SQLite database holding the (empty)
// Discovery Database tables. Each call gets its own private database. The
// pool is limited to one connection: an in-memory SQLite database lives
// and dies with its connection.
func Open(ctx context.Context, opts ...SchemaOption) (*sql.DB, error) {
	var o schemaOptions
	for _, opt := range opts {
		opt(&o)
	}
	// A private in-memory database per *sql.DB; MaxOpenConns(1) keeps every
	// statement on the connection that owns it.
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, fmt.Errorf("open embedded database: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	for _, stmt := range ddl(o) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("create discovery schema: %w", err)
		}
	}
	return db, nil
}

// ddl renders the CREATE statements for the chosen shape.
func ddl(o schemaOptions) []string {
	var out []string
	for _, t := range Schema() {
		if containsFold(o.withoutTables, t.Name) {
			continue
		}
		var cols []string
		for _, c := range t.Columns {
			if containsFold(o.withoutColumns, t.Name+"."+c.Name) {
				continue
			}
			typ := c.Type
			if c.EntityID && o.numericIDs {
				typ = "NUMBER"
			}
			cols = append(cols, c.Name+" "+typ)
		}
		out = append(out, fmt.Sprintf("CREATE TABLE %s (%s)", t.Name, strings.Join(cols, ", ")))
	}
	// Indexes stand in for Snowflake's micro-partition pruning so that the
	// 5-million-view benchmark measures the SQL, not full-table sorts.
	indexes := map[string][]string{
		"REPORT_VIEWS": {"CREATE INDEX REPORT_VIEWS_BY_REPORT ON REPORT_VIEWS (REPORT_ID, VIEWED_AT_UTC, VIEWER_ID)"},
		"QUERY_RUNS":   {"CREATE INDEX QUERY_RUNS_BY_QUERY ON QUERY_RUNS (QUERY_ID, STARTED_AT_UTC)"},
		"QUERIES":      {"CREATE INDEX QUERIES_BY_REPORT ON QUERIES (REPORT_ID)"},
	}
	for _, t := range []string{"REPORT_VIEWS", "QUERY_RUNS", "QUERIES"} {
		if containsFold(o.withoutTables, t) {
			continue
		}
		for _, stmt := range indexes[t] {
			if indexUsesMissingColumn(stmt, t, o.withoutColumns) {
				continue
			}
			out = append(out, stmt)
		}
	}
	return out
}

// indexUsesMissingColumn reports whether an index statement names a
// column that WithoutColumns removed.
func indexUsesMissingColumn(stmt, table string, without []string) bool {
	open := strings.LastIndex(stmt, "(")
	for _, col := range strings.Split(strings.Trim(stmt[open:], "()"), ",") {
		if containsFold(without, table+"."+strings.TrimSpace(col)) {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}
