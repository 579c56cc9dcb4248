package discoverydb

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/modecrawl/modecrawl/pkg/record"
)

// window returns the bind values of a window of days ending at now. The
// start is inclusive (an event exactly days before now counts, like Mode's
// own `>= NOW() - INTERVAL '90 DAY'`), and so is now.
func window(now time.Time, days int) (start, end time.Time) {
	end = now.UTC()
	return end.Add(-time.Duration(days) * 24 * time.Hour), end
}

func (d *DB) windowDays(days int) int {
	if days <= 0 {
		return d.cfg.WindowDays
	}
	return days
}

// col returns alias.COLUMN when the table has it, else NULL, so optional
// columns degrade to null fields instead of failing the statement.
func (d *DB) col(alias, table, column string) string {
	if d.caps.Has(table, column) {
		return alias + "." + column
	}
	return "NULL"
}

// PopularityStatement builds the popularity SQL for the current
// capabilities; exported for docs and tests that show the exact text.
func (d *DB) PopularityStatement() (string, int, error) {
	c := d.caps
	if !c.Has("REPORT_VIEWS", "REPORT_ID", "VIEWED_AT_UTC") {
		return "", 0, &MissingError{Feature: "popularity", Missing: c.missing("REPORT_VIEWS", "REPORT_ID", "VIEWED_AT_UTC")}
	}
	hasRuns := c.Has("QUERY_RUNS", "QUERY_ID", "STARTED_AT_UTC") && c.Has("QUERIES", "ID", "REPORT_ID")
	hasReports := c.Has("REPORTS", "ID")
	viewers := "NULL"
	if c.Has("REPORT_VIEWS", "VIEWER_ID") {
		viewers = "COUNT(DISTINCT VIEWER_ID)"
	}
	binds := 2
	var b strings.Builder
	b.WriteString(`WITH V AS (
  SELECT REPORT_ID, COUNT(*) AS VIEW_COUNT, ` + viewers + ` AS VIEWER_COUNT, MAX(VIEWED_AT_UTC) AS LAST_VIEWED_AT
  FROM ` + d.table("REPORT_VIEWS") + `
  WHERE VIEWED_AT_UTC >= ? AND VIEWED_AT_UTC <= ? AND REPORT_ID IS NOT NULL
  GROUP BY REPORT_ID
)`)
	if hasRuns {
		scheduled := "NULL"
		if c.Has("QUERY_RUNS", "IS_SCHEDULED") {
			scheduled = "SUM(CASE WHEN QR.IS_SCHEDULED THEN 1 ELSE 0 END)"
		}
		binds += 2
		b.WriteString(`, RU AS (
  SELECT Q.REPORT_ID, COUNT(*) AS RUN_COUNT, ` + scheduled + ` AS SCHEDULED_RUN_COUNT
  FROM ` + d.table("QUERY_RUNS") + ` QR
  JOIN ` + d.table("QUERIES") + ` Q ON Q.ID = QR.QUERY_ID
  WHERE QR.STARTED_AT_UTC >= ? AND QR.STARTED_AT_UTC <= ? AND Q.REPORT_ID IS NOT NULL
  GROUP BY Q.REPORT_ID
)`)
	}
	// The ranked population: every report the share knows, plus any
	// report with views or runs in the window.
	b.WriteString(`, P AS (
  SELECT REPORT_ID FROM V`)
	if hasRuns {
		b.WriteString(`
  UNION SELECT REPORT_ID FROM RU`)
	}
	if hasReports {
		b.WriteString(`
  UNION SELECT ID AS REPORT_ID FROM ` + d.table("REPORTS") + ` WHERE ID IS NOT NULL`)
	}
	b.WriteString(`
)
SELECT P.REPORT_ID, `)
	if hasReports {
		b.WriteString(d.col("R", "REPORTS", "URL"))
	} else {
		b.WriteString("NULL")
	}
	b.WriteString(` AS URL,
  COALESCE(V.VIEW_COUNT, 0) AS VIEW_COUNT,
  ` + ifElse(viewers == "NULL", "NULL", "COALESCE(V.VIEWER_COUNT, 0)") + ` AS VIEWER_COUNT,
  V.LAST_VIEWED_AT,
  ` + ifElse(hasRuns, "COALESCE(RU.RUN_COUNT, 0)", "NULL") + ` AS RUN_COUNT,
  ` + ifElse(hasRuns && c.Has("QUERY_RUNS", "IS_SCHEDULED"), "COALESCE(RU.SCHEDULED_RUN_COUNT, 0)", "NULL") + ` AS SCHEDULED_RUN_COUNT,
  RANK() OVER (ORDER BY COALESCE(V.VIEW_COUNT, 0) DESC) AS VIEW_RANK,
  100 * CUME_DIST() OVER (ORDER BY COALESCE(V.VIEW_COUNT, 0)) AS VIEW_PERCENTILE
FROM P
LEFT JOIN V ON V.REPORT_ID = P.REPORT_ID`)
	if hasRuns {
		b.WriteString(`
LEFT JOIN RU ON RU.REPORT_ID = P.REPORT_ID`)
	}
	if hasReports {
		b.WriteString(`
LEFT JOIN ` + d.table("REPORTS") + ` R ON R.ID = P.REPORT_ID`)
	}
	return b.String(), binds, nil
}

func ifElse(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// Popularity computes every report's popularity over windowDays (the
// config's window when ≤ 0) ending at now, in one statement. Rank is
// competition ranking by views (1 = most viewed; ties share a rank and the
// next rank skips: 1, 2, 2, 4); Percentile is the share of the workspace's
// reports with no more views × 100 (CUME_DIST). The population ranked is
// every report in REPORTS plus any report with views or runs in the
// window. Runs count QUERY_RUNS rows of the report's queries started in
// the window (query runs, not report runs), ScheduledRuns those with
// IS_SCHEDULED. Viewers, Runs and ScheduledRuns are nil when the columns
// behind them are missing.
//
// Keys are report tokens: the id itself when ids are tokens, else the
// token in REPORTS.URL; the decimal id when neither is available.
// Without REPORT_VIEWS it returns a *MissingError (errors.Is
// ErrUnavailable): fall back to REST view counts.
func (d *DB) Popularity(ctx context.Context, now time.Time, windowDays int) (map[string]record.Popularity, error) {
	stmt, binds, err := d.PopularityStatement()
	if err != nil {
		return nil, err
	}
	days := d.windowDays(windowDays)
	start, end := window(now, days)
	args := []any{start, end}
	if binds == 4 {
		args = append(args, start, end)
	}
	out := map[string]record.Popularity{}
	err = d.query(ctx, stmt, args, func(rows *sql.Rows) error {
		var id, url nullString
		var views, viewers, runs, scheduled, rank nullInt
		var last nullTime
		var pct nullFloat
		if err := rows.Scan(&id, &url, &views, &viewers, &last, &runs, &scheduled, &rank, &pct); err != nil {
			return fmt.Errorf("scan popularity row: %w", err)
		}
		w := days
		p := record.Popularity{Source: record.PopularityDiscoveryDB, WindowDays: &w, Views: views.ptr(),
			Viewers: viewers.ptr(), LastViewedAt: last.ptr(), Runs: runs.ptr(), ScheduledRuns: scheduled.ptr(),
			Percentile: pct.ptr()}
		if rank.valid {
			r := int(rank.v)
			p.Rank = &r
		}
		out[d.key(id, url, reportTokenInURL)] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("compute report popularity: %w", err)
	}
	return out, nil
}

var (
	reportTokenInURL = regexp.MustCompile(`/reports/([0-9A-Za-z]+)`)
	queryTokenInURL  = regexp.MustCompile(`/queries/([0-9A-Za-z]+)`)
)

// key is the map key of an entity: see Popularity.
func (d *DB) key(id, url nullString, tokenInURL *regexp.Regexp) string {
	if d.caps.IDsAreTokens {
		return strings.TrimSpace(id.v)
	}
	num := normalizeNumericID(id.v)
	if m := tokenInURL.FindStringSubmatch(url.v); m != nil {
		return m[1]
	}
	return num
}

// normalizeNumericID turns "42", "42.0" or " 42 " into "42".
func normalizeNumericID(s string) string {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return s
}

// QueryUsageStatement builds the query-usage SQL for the current
// capabilities.
func (d *DB) QueryUsageStatement() (string, error) {
	c := d.caps
	if !c.Has("QUERY_RUNS", "QUERY_ID", "STARTED_AT_UTC") {
		return "", &MissingError{Feature: "query usage", Missing: c.missing("QUERY_RUNS", "QUERY_ID", "STARTED_AT_UTC")}
	}
	hasQueries := c.Has("QUERIES", "ID")
	failed := "NULL"
	if c.Has("QUERY_RUNS", "STATE") {
		failed = "SUM(CASE WHEN LOWER(STATE) = 'failed' THEN 1 ELSE 0 END)"
	}
	runtime := d.col("QR", "QUERY_RUNS", "RUNTIME_IN_SECONDS")
	var b strings.Builder
	// The median is the mean of the middle one or two runtimes: row
	// numbers RN with 2·RN in [N, N+2]. Snowflake has MEDIAN(); this
	// window-function form is what every engine runs, including the
	// embedded one in tests.
	b.WriteString(`WITH RUNS AS (
  SELECT QR.QUERY_ID, ` + d.col("QR", "QUERY_RUNS", "STATE") + ` AS STATE, ` + runtime + ` AS RUNTIME, QR.STARTED_AT_UTC
  FROM ` + d.table("QUERY_RUNS") + ` QR
  WHERE QR.STARTED_AT_UTC >= ? AND QR.STARTED_AT_UTC <= ? AND QR.QUERY_ID IS NOT NULL
), ORDERED AS (
  SELECT QUERY_ID, RUNTIME,
    ROW_NUMBER() OVER (PARTITION BY QUERY_ID ORDER BY RUNTIME) AS RN,
    COUNT(*) OVER (PARTITION BY QUERY_ID) AS N
  FROM RUNS WHERE RUNTIME IS NOT NULL
), MED AS (
  SELECT QUERY_ID, AVG(RUNTIME) AS MEDIAN_RUNTIME
  FROM ORDERED WHERE 2 * RN BETWEEN N AND N + 2
  GROUP BY QUERY_ID
), AGG AS (
  SELECT QUERY_ID, COUNT(*) AS RUN_COUNT, ` + failed + ` AS FAILED_COUNT, MAX(STARTED_AT_UTC) AS LAST_RUN_AT
  FROM RUNS GROUP BY QUERY_ID
), P AS (
  SELECT QUERY_ID FROM AGG`)
	if hasQueries {
		b.WriteString(`
  UNION SELECT ID AS QUERY_ID FROM ` + d.table("QUERIES") + ` WHERE ID IS NOT NULL`)
	}
	b.WriteString(`
)
SELECT P.QUERY_ID, ` + ifElse(hasQueries, d.col("Q", "QUERIES", "URL"), "NULL") + ` AS URL,
  COALESCE(AGG.RUN_COUNT, 0) AS RUN_COUNT, ` + ifElse(failed == "NULL", "NULL", "COALESCE(AGG.FAILED_COUNT, 0)") + ` AS FAILED_COUNT,
  AGG.LAST_RUN_AT, MED.MEDIAN_RUNTIME
FROM P
LEFT JOIN AGG ON AGG.QUERY_ID = P.QUERY_ID
LEFT JOIN MED ON MED.QUERY_ID = P.QUERY_ID`)
	if hasQueries {
		b.WriteString(`
LEFT JOIN ` + d.table("QUERIES") + ` Q ON Q.ID = P.QUERY_ID`)
	}
	return b.String(), nil
}

// QueryUsage computes, in one statement, every query's runs, failed runs
// (STATE 'failed'), last run and median runtime over windowDays ending at
// now. Queries in QUERIES without runs get zero runs. Keys follow the
// rules of Popularity (query tokens, from QUERIES.URL when ids are
// numeric). Without QUERY_RUNS it returns a *MissingError.
func (d *DB) QueryUsage(ctx context.Context, now time.Time, windowDays int) (map[string]record.QueryUsage, error) {
	stmt, err := d.QueryUsageStatement()
	if err != nil {
		return nil, err
	}
	days := d.windowDays(windowDays)
	start, end := window(now, days)
	out := map[string]record.QueryUsage{}
	err = d.query(ctx, stmt, []any{start, end}, func(rows *sql.Rows) error {
		var id, url nullString
		var runs, failed nullInt
		var last nullTime
		var median nullFloat
		if err := rows.Scan(&id, &url, &runs, &failed, &last, &median); err != nil {
			return fmt.Errorf("scan query usage row: %w", err)
		}
		out[d.key(id, url, queryTokenInURL)] = record.QueryUsage{WindowDays: days, Runs: runs.v,
			FailedRuns: failed.ptr(), LastRunAt: last.ptr(), MedianRuntimeSeconds: median.ptr()}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("compute query usage: %w", err)
	}
	return out, nil
}
