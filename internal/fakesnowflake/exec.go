package fakesnowflake

import (
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Snowflake statement type ids the driver looks at.
const (
	stmtTypeSelect = 0x1000
	stmtTypeOther  = 0
)

// noopStatement matches session statements that have no SQLite meaning.
var noopStatement = regexp.MustCompile(`(?is)^\s*(ALTER\s+SESSION|USE\s|BEGIN|COMMIT|ROLLBACK)`)

// resultStatement matches statements that return rows.
var resultStatement = regexp.MustCompile(`(?is)^\s*(\(|SELECT|WITH|VALUES|SHOW|DESC|EXPLAIN)`)

// run executes one translated statement and renders Snowflake's JSON
// result data.
func (s *Server) run(r *http.Request, stmt string, args []any) (map[string]any, error) {
	ctx := r.Context()
	if noopStatement.MatchString(stmt) {
		return emptyResult(stmtTypeOther), nil
	}
	if !resultStatement.MatchString(stmt) {
		if _, err := s.db.ExecContext(ctx, stmt, args...); err != nil {
			return nil, err
		}
		return emptyResult(stmtTypeOther), nil
	}
	rows, err := s.db.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("read column types: %w", err)
	}
	var data [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("scan row: %w", err)
		}
		data = append(data, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rowtype := make([]map[string]any, len(cols))
	kinds := make([]string, len(cols))
	for i, c := range cols {
		kinds[i] = columnKind(c.DatabaseTypeName(), data, i)
		rowtype[i] = rowType(strings.ToUpper(c.Name()), kinds[i])
	}
	rowset := make([][]*string, len(data))
	for n, row := range data {
		out := make([]*string, len(row))
		for i, v := range row {
			out[i] = render(v, kinds[i])
		}
		rowset[n] = out
	}
	return map[string]any{
		"parameters":        []any{},
		"rowtype":           rowtype,
		"rowset":            rowset,
		"total":             len(rowset),
		"returned":          len(rowset),
		"queryResultFormat": "json",
		"statementTypeId":   stmtTypeSelect,
	}, nil
}

func emptyResult(stmtType int) map[string]any {
	return map[string]any{
		"parameters":        []any{},
		"rowtype":           []any{},
		"rowset":            [][]*string{},
		"queryResultFormat": "json",
		"statementTypeId":   stmtType,
	}
}

// rowType describes one result column the way Snowflake does.
func rowType(name, kind string) map[string]any {
	rt := map[string]any{"name": name, "type": kind, "nullable": true,
		"length": 0, "precision": 0, "scale": 0, "byteLength": 0}
	switch kind {
	case "fixed":
		rt["precision"] = 38
	case "timestamp_ntz":
		rt["scale"] = 9
	case "text":
		rt["length"] = 16777216
		rt["byteLength"] = 16777216
	}
	return rt
}

// columnKind picks the Snowflake type of a result column: from its
// declared type when SQLite knows it (a plain column), else from the
// values (an expression such as MAX(VIEWED_AT_UTC) or COUNT(*)).
func columnKind(decl string, data [][]any, col int) string {
	decl = strings.ToUpper(decl)
	switch {
	case strings.Contains(decl, "TIMESTAMP"), decl == "DATE", decl == "DATETIME":
		return "timestamp_ntz"
	case strings.Contains(decl, "BOOL"):
		return "boolean"
	case strings.Contains(decl, "FLOAT"), strings.Contains(decl, "REAL"), strings.Contains(decl, "DOUBLE"):
		return "real"
	case strings.Contains(decl, "TEXT"), strings.Contains(decl, "CHAR"):
		return "text"
	}
	seenInt, seenFloat, seenTS, seenText := false, false, false, false
	for _, row := range data {
		switch v := row[col].(type) {
		case nil:
		case int64:
			seenInt = true
		case float64:
			seenFloat = true
		case bool:
			seenInt = true
		case time.Time:
			seenTS = true
		case string:
			if _, ok := parseStored(v); ok {
				seenTS = true
			} else {
				seenText = true
			}
		default:
			seenText = true
		}
	}
	switch {
	case seenText, seenTS && (seenInt || seenFloat):
		return "text"
	case seenTS:
		return "timestamp_ntz"
	case seenFloat:
		return "real"
	default:
		// All integers, or no non-null value at all.
		return "fixed"
	}
}

// render turns one SQLite value into Snowflake's JSON string form.
func render(v any, kind string) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		s = strconv.FormatInt(x, 10)
	case float64:
		if kind == "fixed" {
			s = strconv.FormatInt(int64(x), 10)
		} else {
			s = strconv.FormatFloat(x, 'g', -1, 64)
		}
	case bool:
		s = "0"
		if x {
			s = "1"
		}
	case []byte:
		s = string(x)
	case time.Time:
		s = epochString(x)
	case string:
		s = x
		if kind == "timestamp_ntz" {
			if t, ok := parseStored(x); ok {
				s = epochString(t)
			}
		}
	default:
		s = fmt.Sprint(x)
	}
	return &s
}

// epochString is Snowflake's JSON form of a TIMESTAMP_NTZ:
// "<seconds>.<9-digit nanoseconds>".
func epochString(t time.Time) string {
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

// storedLayouts are the timestamp texts recognised in result values.
var storedLayouts = []string{TimeFormat, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05"}

func parseStored(s string) (time.Time, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	for _, layout := range storedLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func parseEpochNanos(s string) (time.Time, error) {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return time.Time{}, fmt.Errorf("parse timestamp binding %q", s)
	}
	sec, nsec := new(big.Int).QuoRem(n, big.NewInt(1e9), new(big.Int))
	return time.Unix(sec.Int64(), nsec.Int64()).UTC(), nil
}

func unixMilli(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// sqliteError patterns and the Snowflake errors they stand for.
var (
	noSuchTable    = regexp.MustCompile(`no such table: (\S+)`)
	noSuchColumn   = regexp.MustCompile(`no such column: (\S+)`)
	noSuchFunction = regexp.MustCompile(`no such function: (\S+)`)
)

// snowflakeError maps an SQLite error to Snowflake's code, SQL state and
// message, so the client sees what a real account would send.
func snowflakeError(err error) (code, state, msg string) {
	e := err.Error()
	if m := noSuchTable.FindStringSubmatch(e); m != nil {
		return "002003", "42S02", fmt.Sprintf("SQL compilation error:\nObject '%s' does not exist or not authorized.", strings.ToUpper(m[1]))
	}
	if m := noSuchColumn.FindStringSubmatch(e); m != nil {
		return "000904", "42000", fmt.Sprintf("SQL compilation error: error line 1 at position 0\ninvalid identifier '%s'", strings.ToUpper(m[1]))
	}
	if m := noSuchFunction.FindStringSubmatch(e); m != nil {
		return "002140", "42601", fmt.Sprintf("SQL compilation error:\nUnknown function %s", strings.ToUpper(m[1]))
	}
	if strings.Contains(e, "interrupted") || strings.Contains(e, "context canceled") {
		return "000604", "57014", "SQL execution canceled"
	}
	return "001003", "42000", "SQL compilation error:\n" + e
}

// ensureInfoSchema creates the INFORMATION_SCHEMA_* views over SQLite's
// catalog the first time a statement needs them.
func (s *Server) ensureInfoSchema(r *http.Request) error {
	s.mu.Lock()
	ready := s.viewsReady
	s.mu.Unlock()
	if ready {
		return nil
	}
	q := func(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }
	filter := `m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name NOT LIKE 'INFORMATION\_SCHEMA\_%' ESCAPE '\'`
	stmts := []string{
		`CREATE VIEW IF NOT EXISTS "INFORMATION_SCHEMA_COLUMNS" AS SELECT ` +
			q(s.opts.database) + ` AS TABLE_CATALOG, ` + q(s.opts.schema) + ` AS TABLE_SCHEMA, ` +
			`UPPER(m.name) AS TABLE_NAME, UPPER(p.name) AS COLUMN_NAME, p.cid + 1 AS ORDINAL_POSITION, ` +
			`UPPER(p.type) AS DATA_TYPE, CASE WHEN p."notnull" THEN 'NO' ELSE 'YES' END AS IS_NULLABLE ` +
			`FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE ` + filter,
		`CREATE VIEW IF NOT EXISTS "INFORMATION_SCHEMA_TABLES" AS SELECT ` +
			q(s.opts.database) + ` AS TABLE_CATALOG, ` + q(s.opts.schema) + ` AS TABLE_SCHEMA, ` +
			`UPPER(m.name) AS TABLE_NAME, CASE m.type WHEN 'view' THEN 'VIEW' ELSE 'BASE TABLE' END AS TABLE_TYPE ` +
			`FROM sqlite_master m WHERE ` + filter,
	}
	for _, stmt := range stmts {
		if _, err := s.db.ExecContext(r.Context(), stmt); err != nil {
			return fmt.Errorf("create information schema view: %w", err)
		}
	}
	s.mu.Lock()
	s.viewsReady = true
	s.mu.Unlock()
	return nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
