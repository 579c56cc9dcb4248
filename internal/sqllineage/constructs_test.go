package sqllineage

import "testing"

// TestAnalyzeConstructs covers expression and clause syntax: each case must
// parse fully (confidence 1) and attribute exactly the select-list columns.
func TestAnalyzeConstructs(t *testing.T) {
	runCases(t, []lc{
		{name: "approximate count", d: Redshift, sql: "SELECT APPROXIMATE COUNT(DISTINCT user_id) AS u FROM s.t", tables: "s.t", cols: []string{"u = s.t.user_id"}},
		{name: "grouping sets", sql: "SELECT a, b, SUM(c) AS s FROM t GROUP BY GROUPING SETS ((a, b), (a), ())", tables: "t", cols: []string{"a = t.a", "b = t.b", "s = t.c"}},
		{name: "rollup cube", sql: "SELECT a, SUM(c) AS s FROM t GROUP BY ROLLUP (a, b), CUBE (d)", tables: "t", cols: []string{"a = t.a", "s = t.c"}},
		{name: "mysql with rollup", d: MySQL, sql: "SELECT a, SUM(c) AS s FROM t GROUP BY a WITH ROLLUP", tables: "t", cols: []string{"a = t.a", "s = t.c"}},
		{name: "named window", sql: "SELECT SUM(x) OVER w AS s, AVG(y) OVER (w ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS m FROM t WINDOW w AS (PARTITION BY g ORDER BY d)",
			tables: "t", cols: []string{"s = t.x", "m = t.y"}},
		{name: "is distinct from", sql: "SELECT a IS DISTINCT FROM b AS d, c IS NOT NULL AS n FROM t", tables: "t", cols: []string{"d = t.a t.b", "n = t.c"}},
		{name: "like any", d: Snowflake, sql: "SELECT a FROM t WHERE b NOT LIKE ANY ('x%', 'y%') AND c ILIKE '%z'", tables: "t", cols: []string{"A = t.a"}},
		{name: "limit offset fetch", d: Postgres, sql: "SELECT a FROM t ORDER BY a LIMIT 10 OFFSET 5", tables: "t", cols: []string{"a = t.a"}},
		{name: "fetch first", sql: "SELECT a FROM t FETCH FIRST 10 ROWS ONLY", tables: "t", cols: []string{"a = t.a"}},
		{name: "special function syntax", d: Postgres, sql: `SELECT TRIM(BOTH ' ' FROM name) AS tn, SUBSTRING(code FROM 1 FOR 3) AS sc,
			POSITION('a' IN label) AS p, EXTRACT(EPOCH FROM ts) AS e, OVERLAY(s PLACING 'x' FROM 2 FOR 1) AS o FROM t`, tables: "t",
			cols: []string{"tn = t.name", "sc = t.code", "p = t.label", "e = t.ts", "o = t.s"}},
		{name: "cast forms", d: Postgres, sql: "SELECT CAST(a AS DECIMAL(10, 2)) AS a1, b::NUMERIC(10,2) AS b1, c::timestamp with time zone AS c1, d::text[] AS d1 FROM t",
			tables: "t", cols: []string{"a1 = t.a", "b1 = t.b", "c1 = t.c", "d1 = t.d"}},
		{name: "try_cast safe_cast", d: BigQuery, sql: "SELECT SAFE_CAST(a AS INT64) AS x FROM ds.t", tables: "ds.t", cols: []string{"x = ds.t.a"}},
		{name: "intervals", d: Postgres, sql: "SELECT ts - INTERVAL '7 days' AS a, NOW() - INTERVAL '1' DAY AS b FROM t", tables: "t", cols: []string{"a = t.ts", "b ="}},
		{name: "mysql interval column", d: MySQL, sql: "SELECT DATE_ADD(d, INTERVAL n DAY) AS x FROM t", tables: "t", cols: []string{"x = t.d t.n"}},
		{name: "subscripts", d: BigQuery, sql: "SELECT arr[OFFSET(0)] AS a, arr[SAFE_OFFSET(i)] AS b, m['k'] AS c FROM ds.t", tables: "ds.t",
			cols: []string{"a = ds.t.arr", "b = ds.t.arr ds.t.i", "c = ds.t.m"}},
		{name: "array_agg modifiers", d: BigQuery, sql: "SELECT ARRAY_AGG(x IGNORE NULLS ORDER BY y DESC LIMIT 1)[OFFSET(0)] AS last_x FROM ds.t", tables: "ds.t",
			cols: []string{"last_x = ds.t.x ds.t.y"}},
		{name: "listagg within group", d: Snowflake, sql: "SELECT LISTAGG(DISTINCT x, ', ') WITHIN GROUP (ORDER BY y) AS l FROM t", tables: "t", cols: []string{"L = t.x t.y"}},
		{name: "count distinct multiple", d: MySQL, sql: "SELECT COUNT(DISTINCT a, b) AS n FROM t", tables: "t", cols: []string{"n = t.a t.b"}},
		{name: "typed literals", sql: "SELECT DATE '2020-01-01' AS d, TIMESTAMP '2020-01-01 00:00' AS ts, date AS dcol FROM t", tables: "t", cols: []string{"d =", "ts =", "dcol = t.date"}},
		{name: "keyword-like column names", sql: "SELECT status, type, value, key, first, last, year, month FROM t", tables: "t",
			cols: []string{"status = t.status", "type = t.type", "value = t.value", "key = t.key", "first = t.first", "last = t.last", "year = t.year", "month = t.month"}},
		{name: "left right functions", sql: "SELECT LEFT(a, 2) AS l, RIGHT(b, 1) AS r FROM t", tables: "t", cols: []string{"l = t.a", "r = t.b"}},
		{name: "tsql functions", d: TSQL, sql: "SELECT ISNULL(a, 0) AS a, IIF(b > 0, c, d) AS x, DATEADD(dd, -1, GETDATE()) AS y, DATEDIFF(month, s, e) AS m FROM dbo.t", tables: "dbo.t",
			cols: []string{"a = dbo.t.a", "x = dbo.t.b dbo.t.c dbo.t.d", "y =", "m = dbo.t.e dbo.t.s"}},
		{name: "tsql top percent", d: TSQL, sql: "SELECT TOP (10) PERCENT WITH TIES a FROM t ORDER BY a", tables: "t", cols: []string{"a = t.a"}},
		{name: "tsql variables", d: TSQL, sql: "DECLARE @d date = '2020-01-01'; SELECT @d AS d, a FROM t WHERE b > @d", tables: "t", cols: []string{"d =", "a = t.a"}},
		{name: "mysql if and limit", d: MySQL, sql: "SELECT IF(a > 1, b, c) AS x FROM t LIMIT 5, 10", tables: "t", cols: []string{"x = t.a t.b t.c"}},
		{name: "trino row cast and try", d: Trino, sql: "SELECT TRY(CAST(a AS ROW(x int, y varchar))) AS r, date_add('day', 1, d) AS n FROM t", tables: "t",
			cols: []string{"r = t.a", "n = t.d"}},
		{name: "postgres any array", d: Postgres, sql: "SELECT a = ANY(arr) AS has, ARRAY[b, c] AS pair FROM t", tables: "t", cols: []string{"has = t.a t.arr", "pair = t.b t.c"}},
		{name: "struct field via table", d: Databricks, sql: "SELECT t.info.city AS city, info.zip AS zip FROM db.t t", tables: "db.t", cols: []string{"city = db.t.info", "zip = db.t.info"}},
		{name: "quoted aliases", d: Snowflake, sql: `SELECT a AS "Total Revenue", b "b" FROM t`, tables: "t", cols: []string{"Total Revenue = t.a", "b = t.b"}},
		{name: "coalesce nullif greatest", sql: "SELECT COALESCE(a, b, 0) AS c, NULLIF(d, 0) AS n, GREATEST(e, f) AS g FROM t", tables: "t",
			cols: []string{"c = t.a t.b", "n = t.d", "g = t.e t.f"}},
		{name: "string concat and arithmetic", sql: "SELECT a || '-' || b AS k, (c + d) * 2 / e % 3 AS m, -f AS neg FROM t", tables: "t",
			cols: []string{"k = t.a t.b", "m = t.c t.d t.e", "neg = t.f"}},
		{name: "in list and between", sql: "SELECT a IN (1, 2) AS i, b BETWEEN c AND d AS w, NOT e AS ne FROM t", tables: "t",
			cols: []string{"i = t.a", "w = t.b t.c t.d", "ne = t.e"}},
		{name: "exists in select list", sql: "SELECT EXISTS (SELECT * FROM u WHERE u.k = t.k) AS e FROM t", tables: "t, u", cols: []string{"e ="}},
		{name: "in subquery in select list", sql: "SELECT CASE WHEN k IN (SELECT k FROM u) THEN 1 END AS f FROM t", tables: "t, u", cols: []string{"f = t.k u.k"}},
		{name: "simple case", sql: "SELECT CASE s WHEN 1 THEN 'a' WHEN 2 THEN x ELSE y END AS c FROM t", tables: "t", cols: []string{"c = t.s t.x t.y"}},
		{name: "nested derived three deep", sql: "SELECT z FROM (SELECT y AS z FROM (SELECT x AS y FROM (SELECT a AS x FROM t) a) b) c", tables: "t", cols: []string{"z = t.a"}},
		{name: "union inside derived", sql: "SELECT u.v FROM (SELECT a AS v FROM t UNION ALL SELECT b FROM s) u", tables: "s, t", cols: []string{"v = s.b t.a"}},
		{name: "select distinct", sql: "SELECT DISTINCT a FROM t", tables: "t", cols: []string{"a = t.a"}},
		{name: "trailing semicolons and comments", sql: "SELECT a FROM t;;\n-- done\n;", tables: "t", cols: []string{"a = t.a"}},
		{name: "mode style liquid leftovers rendered", d: Postgres, sql: "SELECT a FROM t WHERE d >= '2024-01-01' AND region IN ('EU','US')", tables: "t", cols: []string{"a = t.a"}},
		{name: "table alias without as", sql: "SELECT x.a FROM t x JOIN u y ON x.k = y.k", tables: "t, u", cols: []string{"a = t.a"}},
		{name: "table sample", d: Snowflake, sql: "SELECT a FROM t SAMPLE (10) s", tables: "t", cols: []string{"A = t.a"}},
		{name: "tablesample", d: Postgres, sql: "SELECT a FROM t TABLESAMPLE SYSTEM (10) x", tables: "t", cols: []string{"a = t.a"}},
		{name: "json_extract", d: MySQL, sql: "SELECT JSON_EXTRACT(doc, '$.a') AS a, doc->>'$.b' AS b FROM t", tables: "t", cols: []string{"a = t.doc", "b = t.doc"}},
		{name: "filter higher order with named lambda params", d: Databricks, sql: "SELECT aggregate(arr, 0, (acc, x) -> acc + x) AS s FROM t", tables: "t", cols: []string{"s = t.arr"}},
		{name: "window frame with interval", d: Postgres, sql: "SELECT SUM(x) OVER (ORDER BY d RANGE BETWEEN INTERVAL '7 days' PRECEDING AND CURRENT ROW) AS s FROM t", tables: "t", cols: []string{"s = t.d t.x"}},
		{name: "qualify with alias", d: Databricks, sql: "SELECT a, ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) AS rn FROM t QUALIFY rn = 1", tables: "t", cols: []string{"a = t.a", "rn = t.a t.b"}},
		{name: "values with alias in from snowflake", d: Snowflake, sql: "SELECT v.column1 AS x FROM VALUES (1), (2) v", tables: "", cols: []string{"X ="}},
		{name: "set op with cte star", sql: "WITH c AS (SELECT a, b FROM t) SELECT * FROM c UNION ALL SELECT x, y FROM u", tables: "t, u", cols: []string{"a = t.a u.x", "b = t.b u.y"}},
		{name: "select star and more", sql: "SELECT t.*, u.z FROM t JOIN u ON t.k = u.k", tables: "t, u", cols: []string{"* = t.*", "z = u.z"}},
		{name: "snowflake trailing comma", d: Snowflake, sql: "SELECT a, b, FROM t", tables: "t", cols: []string{"A = t.a", "B = t.b"}},
	})
}

// TestAnalyzeUnknowns checks that what cannot be known is reported as
// unknown, with a warning, rather than guessed.
func TestAnalyzeUnknowns(t *testing.T) {
	runCases(t, []lc{
		{name: "failed last query leaves columns unknown", sql: "SELECT a FROM t; SELECT b FROM u WHERE (", tables: "t", cols: []string{}, minConf: 0.5},
		{name: "star over table variable", d: TSQL, sql: "DECLARE @t TABLE (a int); SELECT * FROM @t", tables: "", cols: []string{"* ="}, minConf: 0.9},
		{name: "star over unknown table function", d: Snowflake, sql: "SELECT * FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))", tables: "", cols: []string{"* ="}, minConf: 0.9},
		{name: "unknown qualifier in mysql", d: MySQL, sql: "SELECT q.a FROM t", tables: "t", cols: []string{"a ="}, minConf: 0.9},
		{name: "unknown qualifier is struct in bigquery", d: BigQuery, sql: "SELECT s.a FROM ds.t", tables: "ds.t", cols: []string{"a = ds.t.s"}},
		{name: "cte column missing", sql: "WITH c AS (SELECT a FROM t) SELECT c.b FROM c", tables: "t", cols: []string{"b ="}, minConf: 0.9},
		{name: "lateral alias loses to schema column", d: Snowflake, schema: mapSchema{"t": {"a", "b"}}, sql: "SELECT a AS b, b AS c FROM t", tables: "t", cols: []string{"B = t.a", "C = t.b"}},
		{name: "connect by unsupported", sql: "SELECT a FROM t START WITH p IS NULL CONNECT BY PRIOR id = p", tables: "", cols: []string{}, zero: true},
		{name: "unterminated string", sql: "SELECT a FROM t WHERE x = 'oops", tables: "", cols: []string{}, zero: true},
	})
}
