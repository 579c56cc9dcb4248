package discoverydb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// neededColumns lists, per table, the columns modecrawl reads. Each feature
// names the few it cannot do without; the rest only fill optional fields.
func neededColumns() map[string][]string {
	return map[string][]string{
		"REPORTS": {"ID", "NAME", "DESCRIPTION", "STATE", "COLLECTION_NAME", "COLLECTION_TYPE",
			"CREATED_AT_UTC", "LAST_EDITED_AT_UTC", "CREATOR_ID", "CREATOR_EMAIL", "URL"},
		"REPORT_VIEWS": {"REPORT_ID", "VIEWER_ID", "VIEWED_AT_UTC"},
		"QUERIES":      {"ID", "NAME", "REPORT_ID", "CONNECTION_NAME", "QUERY", "URL"},
		"QUERY_RUNS":   {"QUERY_ID", "STATE", "STARTED_AT_UTC", "IS_SCHEDULED", "RUNTIME_IN_SECONDS"},
		"USERS":        {"ID", "USERNAME", "NAME", "EMAIL", "MEMBERSHIP_STATE", "LAST_ENGAGED_DATE_UTC"},
	}
}

// Tables returns the share tables modecrawl reads, sorted.
func Tables() []string {
	needed := neededColumns()
	out := make([]string, 0, len(needed))
	for t := range needed {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Capabilities is what Check found in the share.
type Capabilities struct {
	// Tables says, per table modecrawl reads, whether it exists.
	Tables map[string]bool
	// Columns holds every column found, per table (upper case).
	Columns map[string][]string
	// Missing lists what modecrawl would read but is absent: "TABLE" or
	// "TABLE.COLUMN", sorted.
	Missing []string
	// IDsAreTokens is true when ids are Mode's 12-hex tokens (joinable to
	// REST tokens), false when they are numeric ids. Sampled from
	// REPORTS.ID (or REPORT_VIEWS.REPORT_ID); tokens when there is nothing
	// to sample.
	IDsAreTokens bool
	// Freshness is the latest VIEWED_AT_UTC in REPORT_VIEWS (nil when the
	// table is missing or empty): the share refreshes about daily.
	Freshness *time.Time
	// ProbeError is set when the catalog probe itself failed; the
	// capabilities then come from the per-table fallback probe.
	ProbeError string
}

// Has reports whether table exists with all the given columns.
func (c Capabilities) Has(table string, cols ...string) bool {
	if !c.Tables[table] {
		return false
	}
	for _, col := range cols {
		if !slices.Contains(c.Columns[table], col) {
			return false
		}
	}
	return true
}

// missing lists what of table.cols is absent, for a MissingError.
func (c Capabilities) missing(table string, cols ...string) []string {
	if !c.Tables[table] {
		return []string{table}
	}
	var out []string
	for _, col := range cols {
		if !slices.Contains(c.Columns[table], col) {
			out = append(out, table+"."+col)
		}
	}
	return out
}

// Check finds which tables and columns exist and the id style, in two
// statements: one catalog query on INFORMATION_SCHEMA.COLUMNS, one that
// samples ids and reads the freshness. When the catalog cannot be read
// (privileges, a non-Snowflake endpoint), it falls back to one
// `SELECT * … LIMIT 0` per table. Check never fails: what it cannot see
// is reported missing. Open runs it; call it again to refresh.
func (d *DB) Check(ctx context.Context) Capabilities {
	caps := Capabilities{Tables: map[string]bool{}, Columns: map[string][]string{}, IDsAreTokens: true}
	if err := d.probeCatalog(ctx, &caps); err != nil {
		caps.ProbeError = err.Error()
		caps.Columns = map[string][]string{}
		d.probeTables(ctx, &caps)
	}
	needed := neededColumns()
	for _, t := range Tables() {
		caps.Tables[t] = len(caps.Columns[t]) > 0
		if !caps.Tables[t] {
			caps.Missing = append(caps.Missing, t)
			continue
		}
		for _, col := range needed[t] {
			if !slices.Contains(caps.Columns[t], col) {
				caps.Missing = append(caps.Missing, t+"."+col)
			}
		}
	}
	sort.Strings(caps.Missing)
	d.sample(ctx, &caps)
	d.caps = caps
	return caps
}

// probeCatalog reads the share's columns from INFORMATION_SCHEMA.
func (d *DB) probeCatalog(ctx context.Context, caps *Capabilities) error {
	stmt := `SELECT TABLE_NAME, COLUMN_NAME FROM ` + quoteIdent(d.cfg.Database) + `.INFORMATION_SCHEMA.COLUMNS ` +
		`WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`
	n := 0
	err := d.query(ctx, stmt, []any{normIdent(d.cfg.Schema)}, func(rows *sql.Rows) error {
		var table, col nullString
		if err := rows.Scan(&table, &col); err != nil {
			return err
		}
		t, c := strings.ToUpper(table.v), strings.ToUpper(col.v)
		caps.Columns[t] = append(caps.Columns[t], c)
		n++
		return nil
	})
	if err != nil {
		return fmt.Errorf("read information schema: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("information schema lists no columns in %s.%s", normIdent(d.cfg.Database), normIdent(d.cfg.Schema))
	}
	return nil
}

// probeTables is the fallback: the result columns of an empty SELECT.
func (d *DB) probeTables(ctx context.Context, caps *Capabilities) {
	for _, t := range Tables() {
		ctx, cancel := context.WithTimeout(ctx, d.cfg.QueryTimeout)
		d.roundTrips.Add(1)
		rows, err := d.db.QueryContext(ctx, `SELECT * FROM `+d.table(t)+` LIMIT 0`)
		if err == nil {
			cols, cerr := rows.Columns()
			_ = rows.Close()
			if cerr == nil {
				for _, c := range cols {
					caps.Columns[t] = append(caps.Columns[t], strings.ToUpper(c))
				}
			}
		}
		cancel()
	}
}

// sample reads the freshness and a few ids in one statement of scalar
// subqueries. Tokens are 12 hex digits: a sampled id with a non-digit
// settles it; the lexicographic MIN and MAX are sampled because the
// largest of many tokens almost surely starts with a letter.
func (d *DB) sample(ctx context.Context, caps *Capabilities) {
	var parts []string
	hasViews := caps.Has("REPORT_VIEWS", "VIEWED_AT_UTC")
	if hasViews {
		parts = append(parts, `(SELECT MAX(VIEWED_AT_UTC) FROM `+d.table("REPORT_VIEWS")+`) AS FRESHNESS`)
	}
	idTable, idCol := "", ""
	switch {
	case caps.Has("REPORTS", "ID"):
		idTable, idCol = "REPORTS", "ID"
	case caps.Has("REPORT_VIEWS", "REPORT_ID"):
		idTable, idCol = "REPORT_VIEWS", "REPORT_ID"
	}
	if idTable != "" {
		for _, agg := range []string{"MIN", "MAX"} {
			parts = append(parts, fmt.Sprintf(`(SELECT %s(CAST(%s AS VARCHAR)) FROM %s) AS %s_ID`, agg, idCol, d.table(idTable), agg))
		}
	}
	if len(parts) == 0 {
		return
	}
	_ = d.query(ctx, `SELECT `+strings.Join(parts, ", "), nil, func(rows *sql.Rows) error {
		var fresh nullTime
		var lo, hi nullString
		dest := []any{}
		if hasViews {
			dest = append(dest, &fresh)
		}
		if idTable != "" {
			dest = append(dest, &lo, &hi)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		caps.Freshness = fresh.ptr()
		if lo.valid || hi.valid {
			caps.IDsAreTokens = !isDigits(lo.v) || !isDigits(hi.v)
		}
		return nil
	})
}

func isDigits(s string) bool {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".0")
	if s == "" {
		return true
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
