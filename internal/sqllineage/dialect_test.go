package sqllineage

import "testing"

func TestParseDialect(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Dialect
		ok   bool
	}{
		{"snowflake", Snowflake, true}, {"SNOWFLAKE", Snowflake, true}, {"BigQuery", BigQuery, true},
		{"postgresql", Postgres, true}, {"redshift", Redshift, true}, {"mysql", MySQL, true},
		{"spark", Databricks, true}, {"hive", Databricks, true}, {"presto", Trino, true}, {"athena", Trino, true},
		{"sqlserver", TSQL, true}, {"mssql", TSQL, true}, {"generic", Generic, true}, {"oracle", "", false}, {"", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := ParseDialect(tc.in)
			if ok != tc.ok || got != tc.want {
				t.Errorf("ParseDialect(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestAnalyzeNaming(t *testing.T) {
	runCases(t, []lc{
		{name: "snowflake upper", d: Snowflake, sql: `SELECT amount, "Mixed", x AS y, "q" AS "Q2", COUNT(*), SUM(a + b) FROM t`, tables: "t",
			cols: []string{"AMOUNT = t.amount", "Mixed = t.Mixed", "Y = t.x", "Q2 = t.q", "COUNT(*) =", "SUM(A + B) = t.a t.b"}},
		{name: "snowflake expression spacing", d: Snowflake, sql: "SELECT ROW_NUMBER()  OVER ( ORDER BY x   DESC ), COALESCE( a ,b,\n c ), a+b, 'x  y' || c FROM t", tables: "t",
			cols: []string{"ROW_NUMBER() OVER (ORDER BY X DESC) = t.x", "COALESCE(A,B, C) = t.a t.b t.c", "A+B = t.a t.b", "'X  Y' || C = t.c"}},
		{name: "postgres lower and functions", d: Postgres, sql: `SELECT Amount, count(*), SUM(x), x + 1, CASE WHEN x THEN 1 END, x::int FROM t`, tables: "t",
			cols: []string{"amount = t.Amount", "count =", "sum = t.x", "?column? = t.x", "case = t.x", "x = t.x"}},
		{name: "redshift lower", d: Redshift, sql: `SELECT Amount AS Total, "Mixed" FROM t`, tables: "t", cols: []string{"total = t.Amount", "mixed = t.Mixed"}},
		{name: "trino lowers quoted", d: Trino, sql: `SELECT "Amount", x AS "Net Revenue" FROM t`, tables: "t", cols: []string{"amount = t.Amount", "net revenue = t.x"}},
		{name: "trino positions", d: Trino, sql: `SELECT a, count(*), b + 1 FROM t`, tables: "t", cols: []string{"a = t.a", "_col1 =", "_col2 = t.b"}},
		{name: "bigquery f0_", d: BigQuery, sql: "SELECT a, COUNT(*), MAX(b) FROM t", tables: "t", cols: []string{"a = t.a", "f0_ =", "f1_ = t.b"}},
		{name: "mysql text", d: MySQL, sql: "SELECT a, COUNT(*), a+1 FROM t", tables: "t", cols: []string{"a = t.a", "COUNT(*) =", "a+1 = t.a"}},
		{name: "tsql alias equals", d: TSQL, sql: "SELECT total = SUM(amount), [Name] FROM dbo.t", tables: "dbo.t", cols: []string{"total = dbo.t.amount", "Name = dbo.t.Name"}},
	})
}

func TestAnalyzeSnowflake(t *testing.T) {
	runCases(t, []lc{
		{name: "variant path and cast", d: Snowflake, sql: "SELECT e.payload:user.id::string AS uid, payload:a[0] AS first FROM raw.events e", tables: "raw.events",
			cols: []string{"UID = raw.events.payload", "FIRST = raw.events.payload"}},
		{name: "lateral flatten", d: Snowflake, sql: "SELECT f.value:sku::string AS sku, o.id FROM orders o, LATERAL FLATTEN(input => o.items) f", tables: "orders",
			cols: []string{"SKU = orders.items", "ID = orders.id"}},
		{name: "table flatten", d: Snowflake, sql: "SELECT value AS v FROM t, TABLE(FLATTEN(t.arr))", tables: "t", cols: []string{"V = t.arr"}},
		{name: "generator not a table", d: Snowflake, sql: "SELECT SEQ4() AS n FROM TABLE(GENERATOR(ROWCOUNT => 10))", tables: "", cols: []string{"N ="}},
		{name: "qualify", d: Snowflake, sql: "SELECT id, ts FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) = 1", tables: "t", cols: []string{"ID = t.id", "TS = t.ts"}},
		{name: "pivot", d: Snowflake, sql: "SELECT * FROM (SELECT month, region, amount FROM s) PIVOT (SUM(amount) FOR month IN ('JAN' AS jan, 'FEB' AS feb)) p", tables: "s",
			cols: []string{"REGION = s.region", "JAN = s.amount s.month", "FEB = s.amount s.month"}},
		{name: "unpivot", d: Snowflake, sql: "SELECT * FROM (SELECT id, q1, q2 FROM s) UNPIVOT (sales FOR quarter IN (q1, q2))", tables: "s",
			cols: []string{"ID = s.id", "QUARTER =", "SALES = s.q1 s.q2"}},
		{name: "dollar string and nested comment", d: Snowflake, sql: "SELECT $$ FROM x $$ AS s /* a /* b */ FROM y */ FROM t", tables: "t", cols: []string{"S ="}},
		{name: "time travel", d: Snowflake, sql: "SELECT a FROM t AT(OFFSET => -60) x", tables: "t", cols: []string{"A = t.a"}},
		{name: "dateadd part not a column", d: Snowflake, sql: "SELECT DATEADD(day, -7, created_at) AS d, DATE_TRUNC(month, ts) AS m, DATEDIFF('day', a, b) AS dd FROM t", tables: "t",
			cols: []string{"D = t.created_at", "M = t.ts", "DD = t.a t.b"}},
		{name: "iff and lambda", d: Snowflake, sql: "SELECT IFF(a > 0, b, c) AS x, TRANSFORM(arr, v -> v * k) AS y FROM t", tables: "t",
			cols: []string{"X = t.a t.b t.c", "Y = t.arr t.k"}},
		{name: "object literal", d: Snowflake, sql: "SELECT {'a': x, 'b': y} AS obj FROM t", tables: "t", cols: []string{"OBJ = t.x t.y"}},
		{name: "three part names", d: Snowflake, sql: "SELECT t.a FROM db.sch.tbl t", tables: "db.sch.tbl", cols: []string{"A = db.sch.tbl.a"}},
		{name: "backslash in string", d: Snowflake, sql: `SELECT 'it\'s FROM x' AS s FROM t`, tables: "t", cols: []string{"S ="}},
	})
}

func TestAnalyzeBigQuery(t *testing.T) {
	runCases(t, []lc{
		{name: "backtick full name", d: BigQuery, sql: "SELECT o.id FROM `proj.ds.orders` o", tables: "proj.ds.orders", cols: []string{"id = proj.ds.orders.id"}},
		{name: "backtick parts", d: BigQuery, sql: "SELECT id FROM `proj`.ds.`orders`", tables: "proj.ds.orders", cols: []string{"id = proj.ds.orders.id"}},
		{name: "hyphen project", d: BigQuery, sql: "SELECT id FROM my-proj.ds.t", tables: "my-proj.ds.t", cols: []string{"id = my-proj.ds.t.id"}},
		{name: "unnest comma join", d: BigQuery, sql: "SELECT o.id, item.sku FROM ds.orders o, UNNEST(o.items) AS item", tables: "ds.orders",
			cols: []string{"id = ds.orders.id", "sku = ds.orders.items"}},
		{name: "unnest with offset", d: BigQuery, sql: "SELECT x, pos FROM ds.t, UNNEST(arr) x WITH OFFSET pos", tables: "ds.t", cols: []string{"x = ds.t.arr", "pos = ds.t.arr"}},
		{name: "unnest subquery in select", d: BigQuery, sql: "SELECT (SELECT value.string_value FROM UNNEST(event_params) WHERE key = 'page') AS page FROM ds.events", tables: "ds.events",
			cols: []string{"page = ds.events.event_params"}},
		{name: "struct and array", d: BigQuery, sql: "SELECT STRUCT(a AS x, b AS y) AS s, ARRAY(SELECT c FROM ds.u) AS arr, [a, b][OFFSET(0)] AS f FROM ds.t", tables: "ds.t, ds.u",
			cols: []string{"s = ds.t.a ds.t.b", "arr = ds.u.c", "f = ds.t.a ds.t.b"}},
		{name: "date_trunc part", d: BigQuery, sql: "SELECT DATE_TRUNC(DATE(ts), WEEK(MONDAY)) AS w, DATE_DIFF(a, b, DAY) AS d FROM ds.t", tables: "ds.t",
			cols: []string{"w = ds.t.ts", "d = ds.t.a ds.t.b"}},
		{name: "raw and triple strings", d: BigQuery, sql: `SELECT r'\d+ FROM x' AS a, """FROM y""" AS b, "FROM z" AS c FROM ds.t`, tables: "ds.t", cols: []string{"a =", "b =", "c ="}},
		{name: "hash comment", d: BigQuery, sql: "SELECT a # FROM nope\nFROM ds.t", tables: "ds.t", cols: []string{"a = ds.t.a"}},
		{name: "struct field access", d: BigQuery, sql: "SELECT t.s.f AS f, s.g AS g FROM ds.t t", tables: "ds.t", cols: []string{"f = ds.t.s", "g = ds.t.s"}},
		{name: "wildcard table", d: BigQuery, sql: "SELECT event_name FROM `p.analytics.events_*` WHERE _TABLE_SUFFIX BETWEEN '1' AND '2'", tables: "p.analytics.events_*",
			cols: []string{"event_name = p.analytics.events_*.event_name"}},
		{name: "system time", d: BigQuery, sql: "SELECT a FROM ds.t FOR SYSTEM_TIME AS OF TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 HOUR)", tables: "ds.t", cols: []string{"a = ds.t.a"}},
		{name: "select as struct", d: BigQuery, sql: "SELECT ARRAY(SELECT AS STRUCT a, b FROM ds.u) AS x FROM ds.t", tables: "ds.t, ds.u", cols: []string{"x = ds.u.a ds.u.b"}},
	})
}

func TestAnalyzeOtherDialects(t *testing.T) {
	runCases(t, []lc{
		{name: "postgres casts json and distinct on", d: Postgres, sql: `SELECT DISTINCT ON (user_id) user_id, data->>'k' AS k, data #>> '{a,b}' AS ab, ts::date AS d FROM public.events ORDER BY user_id, ts DESC`,
			tables: "public.events", cols: []string{"user_id = public.events.user_id", "k = public.events.data", "ab = public.events.data", "d = public.events.ts"}},
		{name: "postgres generate_series", d: Postgres, sql: "SELECT g.d FROM generate_series('2020-01-01'::date, now(), interval '1 day') AS g(d)", tables: "", cols: []string{"d ="}},
		{name: "postgres unnest ordinality", d: Postgres, sql: "SELECT u.v, u.n FROM t, unnest(t.arr) WITH ORDINALITY AS u(v, n)", tables: "t", cols: []string{"v = t.arr", "n = t.arr"}},
		{name: "postgres E string and dollar", d: Postgres, sql: `SELECT E'it\'s FROM x' AS a, $tag$ FROM y $tag$ AS b FROM t`, tables: "t", cols: []string{"a =", "b ="}},
		{name: "redshift datediff median", d: Redshift, sql: "SELECT MEDIAN(DATEDIFF(hour, a, b)) AS h FROM s.t", tables: "s.t", cols: []string{"h = s.t.a s.t.b"}},
		{name: "mysql backticks and interval", d: MySQL, sql: "SELECT `o`.`id`, DATE_SUB(NOW(), INTERVAL 7 DAY) AS d, \"lit\" AS s FROM `shop`.`orders` `o`", tables: "shop.orders",
			cols: []string{"id = shop.orders.id", "d =", "s ="}},
		{name: "mysql group_concat", d: MySQL, sql: "SELECT GROUP_CONCAT(DISTINCT name ORDER BY name SEPARATOR ', ') AS names FROM t", tables: "t", cols: []string{"names = t.name"}},
		{name: "databricks lateral view", d: Databricks, sql: "SELECT o.id, item FROM db.orders o LATERAL VIEW OUTER explode(o.items) it AS item", tables: "db.orders",
			cols: []string{"id = db.orders.id", "item = db.orders.items"}},
		{name: "databricks colon path and lambda", d: Databricks, sql: "SELECT raw:user.id AS uid, filter(arr, x -> x > lim) AS f FROM db.t", tables: "db.t",
			cols: []string{"uid = db.t.raw", "f = db.t.arr db.t.lim"}},
		{name: "trino unnest cross join", d: Trino, sql: "SELECT t.id, x.v FROM hive.db.t CROSS JOIN UNNEST(t.vals) AS x(v)", tables: "hive.db.t", cols: []string{"id = hive.db.t.id", "v = hive.db.t.vals"}},
		{name: "trino lambda", d: Trino, sql: "SELECT transform(arr, x -> x + 1) AS y FROM t", tables: "t", cols: []string{"y = t.arr"}},
		{name: "tsql brackets top nolock", d: TSQL, sql: "SELECT TOP 10 [o].[Amount] FROM [dbo].[Orders] AS [o] WITH (NOLOCK) ORDER BY 1", tables: "dbo.Orders", cols: []string{"Amount = dbo.Orders.Amount"}},
		{name: "tsql openjson", d: TSQL, sql: "SELECT j.name FROM dbo.t CROSS APPLY OPENJSON(t.doc) WITH (name nvarchar(50) '$.name') AS j", tables: "dbo.t", cols: []string{"name = dbo.t.doc"}},
		{name: "tsql convert and ##temp", d: TSQL, sql: "SELECT CONVERT(VARCHAR(10), d, 120) AS ds INTO ##g FROM s; SELECT ds FROM ##g", tables: "s", cols: []string{"ds = s.d"}},
		{name: "tsql offset fetch", d: TSQL, sql: "SELECT a FROM t ORDER BY a OFFSET 10 ROWS FETCH NEXT 5 ROWS ONLY", tables: "t", cols: []string{"a = t.a"}},
		{name: "generic placeholders", sql: "SELECT a FROM t WHERE b = ? AND c = %s AND d = :name AND e = $1", tables: "t", cols: []string{"a = t.a"}},
	})
}

func TestAnalyzePivot(t *testing.T) {
	runCases(t, []lc{
		{name: "snowflake keeps quotes", d: Snowflake, sql: "SELECT * FROM (SELECT r, q, v FROM s) PIVOT (SUM(v) FOR q IN ('Q1', 'Q2'))", tables: "s",
			cols: []string{"R = s.r", "'Q1' = s.q s.v", "'Q2' = s.q s.v"}},
		{name: "bigquery prefixes aggregate alias", d: BigQuery, sql: "SELECT * FROM (SELECT r, q, v FROM ds.s) PIVOT (SUM(v) AS total FOR q IN ('Q1', 'Q2' AS second))", tables: "ds.s",
			cols: []string{"r = ds.s.r", "total_Q1 = ds.s.q ds.s.v", "total_second = ds.s.q ds.s.v"}},
		{name: "databricks strips quotes", d: Databricks, sql: "SELECT * FROM (SELECT r, q, v FROM s) PIVOT (SUM(v) FOR q IN ('Q1', 'Q2'))", tables: "s",
			cols: []string{"r = s.r", "Q1 = s.q s.v", "Q2 = s.q s.v"}},
		{name: "tsql brackets", d: TSQL, sql: "SELECT * FROM (SELECT r, y, v FROM s) src PIVOT (SUM(v) FOR y IN ([2024], [2025])) p", tables: "s",
			cols: []string{"r = s.r", "2024 = s.v s.y", "2025 = s.v s.y"}},
		{name: "pivot over physical table", d: Snowflake, sql: "SELECT * FROM s PIVOT (SUM(v) FOR q IN ('Q1' AS q1))", tables: "s",
			cols: []string{"* = s.*", "Q1 = s.q s.v"}},
		{name: "multi-array unnest", d: Trino, sql: "SELECT u.x, u.y FROM t CROSS JOIN UNNEST(t.a, t.b) AS u(x, y)", tables: "t", cols: []string{"x = t.a", "y = t.b"}},
		{name: "unpivot", d: BigQuery, sql: "SELECT * FROM (SELECT id, a, b FROM ds.s) UNPIVOT (val FOR col IN (a, b))", tables: "ds.s",
			cols: []string{"id = ds.s.id", "col =", "val = ds.s.a ds.s.b"}},
	})
}

func TestAnalyzeSchema(t *testing.T) {
	sch := mapSchema{"a": {"id", "x"}, "b": {"id", "y"}}
	runCases(t, []lc{
		{name: "star expands", sql: "SELECT * FROM a", schema: sch, tables: "a", cols: []string{"id = a.id", "x = a.x"}},
		{name: "ambiguity resolved", sql: "SELECT y, x FROM a JOIN b ON a.id = b.id", schema: sch, tables: "a, b", cols: []string{"y = b.y", "x = a.x"}},
		{name: "qualified column beats stale schema", sql: "SELECT a.z FROM a", schema: sch, tables: "a", cols: []string{"z = a.z"}},
		{name: "still ambiguous", sql: "SELECT id FROM a JOIN b ON a.id = b.id", schema: sch, tables: "a, b", cols: []string{"id ? a.id b.id"}, minConf: 0.9},
	})
}
