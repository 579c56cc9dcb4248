package sqllineage

import "testing"

// TestContractRulesEdges covers the corners of the newer contract rules:
// variants of each construct across dialects.
func TestContractRulesEdges(t *testing.T) {
	runCases(t, []lc{
		{name: "struct via table name", d: BigQuery, sql: "SELECT orders.address.city AS c FROM ds.orders", tables: "ds.orders", cols: []string{"c = ds.orders.address"}},
		{name: "struct deep bare", d: BigQuery, sql: "SELECT address.geo.lat AS lat FROM ds.orders", tables: "ds.orders", cols: []string{"lat = ds.orders.address"}},
		{name: "snowflake bracket path", d: Snowflake, sql: "SELECT payload['user']['id'] AS a, GET_PATH(payload, 'a.b') AS b, e.payload:\"Key\" AS c FROM raw.events e", tables: "raw.events",
			cols: []string{"A = raw.events.payload", "B = raw.events.payload", "C = raw.events.payload"}},
		{name: "bigquery json value", d: BigQuery, sql: "SELECT JSON_VALUE(e.payload, '$.a') AS a, e.payload.user.id AS b FROM ds.events e", tables: "ds.events", cols: []string{"a = ds.events.payload", "b = ds.events.payload"}},
		{name: "postgres composite field", d: Postgres, sql: "SELECT (o.address).city AS c, (address).zip AS z FROM s.orders o", tables: "s.orders", cols: []string{"c = s.orders.address", "z = s.orders.address"}},
		{name: "star passthrough union", sql: "SELECT d.x FROM (SELECT * FROM a UNION ALL SELECT * FROM b) d", tables: "a, b", cols: []string{"x = a.x b.x"}},
		{name: "star passthrough bare beside physical", sql: "SELECT y FROM (SELECT * FROM t) d JOIN u ON d.k = u.k", tables: "t, u", cols: []string{"y ? t.y u.y"}, minConf: 0.9},
		{name: "star passthrough bare alone", sql: "SELECT y, d.z FROM (SELECT * FROM t) d", tables: "t", cols: []string{"y = t.y", "z = t.z"}},
		{name: "star passthrough through definition-like nesting", d: Snowflake, sql: "SELECT m.amount FROM (SELECT * FROM (SELECT * FROM raw.orders WHERE x) q) AS m", tables: "raw.orders", cols: []string{"AMOUNT = raw.orders.amount"}},
		{name: "star passthrough cte with extra", d: Redshift, sql: "WITH c AS (SELECT u.*, 1 AS one FROM s.users u JOIN s.orgs o ON o.id = u.org_id) SELECT c.email, c.one FROM c", tables: "s.orgs, s.users",
			cols: []string{"email = s.users.email", "one ="}},
		{name: "tsql recursive without keyword", d: TSQL, sql: `WITH tree AS (SELECT id, parent_id, name FROM dbo.cat WHERE parent_id IS NULL
			UNION ALL SELECT c.id, c.parent_id, c.name FROM dbo.cat c JOIN tree t ON c.parent_id = t.id) SELECT id, name FROM tree`, tables: "dbo.cat", cols: []string{"id = dbo.cat.id", "name = dbo.cat.name"}},
		{name: "recursive cte reads recursive member", d: Postgres, sql: `WITH RECURSIVE chain AS (SELECT r.user_id, r.referrer_id, 1 AS lvl FROM s.refs r
			UNION SELECT c.user_id, x.referrer_id, c.lvl + 1 FROM chain c JOIN s.refs2 x ON x.user_id = c.referrer_id) SELECT user_id, referrer_id, lvl FROM chain`, tables: "s.refs, s.refs2",
			cols: []string{"user_id = s.refs.user_id", "referrer_id = s.refs.referrer_id s.refs2.referrer_id", "lvl ="}},
		{name: "recursive cte star from self", d: BigQuery, sql: `WITH RECURSIVE t AS (SELECT 1 AS n, a FROM ds.x UNION ALL SELECT t.n + 1, b FROM t, ds.y WHERE t.n < 3) SELECT * FROM t`, tables: "ds.x, ds.y",
			cols: []string{"n =", "a = ds.x.a ds.y.b"}},
		{name: "create insert with column list", d: TSQL, sql: `CREATE TABLE #f (step varchar(20), users int);
			INSERT INTO #f (step, users) SELECT 'visit', COUNT(DISTINCT v.uid) FROM web.visits v;
			INSERT INTO #f (users, step) SELECT COUNT(DISTINCT s.uid), 'signup' FROM web.signups s;
			SELECT step, users FROM #f`, tables: "web.signups, web.visits", cols: []string{"step =", "users = web.signups.uid web.visits.uid"}},
		{name: "create insert partial column list", d: MySQL, sql: `CREATE TEMPORARY TABLE f (a int, b int, c int); INSERT INTO f (c) SELECT x FROM s.t; SELECT a, c FROM f`,
			tables: "s.t", cols: []string{"a =", "c = s.t.x"}},
		{name: "declare table variable", d: TSQL, sql: `DECLARE @f TABLE (a int, b int); INSERT INTO @f SELECT x, y FROM dbo.t; SELECT a, b FROM @f`,
			tables: "dbo.t", cols: []string{"a = dbo.t.x", "b = dbo.t.y"}},
		{name: "not exists not in any", d: Postgres, sql: "SELECT NOT EXISTS (SELECT i.id FROM s.inv i) AS a, o.k NOT IN (SELECT c.k FROM s.c c) AS b, o.k = ANY (SELECT z.k FROM s.z z) AS c FROM s.o o",
			tables: "s.c, s.inv, s.o, s.z", cols: []string{"a = s.inv.id", "b = s.c.k s.o.k", "c = s.o.k s.z.k"}},
		{name: "scalar subquery in aggregate", sql: "SELECT SUM((SELECT MAX(p.price) FROM prices p WHERE p.id = o.pid) * o.qty) AS v FROM o", tables: "o, prices", cols: []string{"v = o.qty prices.price"}},
		{name: "unused cte nested", d: Snowflake, sql: "WITH a AS (SELECT * FROM x.t1), b AS (SELECT k FROM a), c AS (SELECT k FROM x.t2) SELECT k FROM c", tables: "x.t1, x.t2", cols: []string{"K = x.t2.k"}},
		{name: "jsonb_to_recordset", d: Postgres, sql: "SELECT c.id, r.sku, r.qty FROM s.carts c, jsonb_to_recordset(c.items) AS r(sku text, qty int)", tables: "s.carts",
			cols: []string{"id = s.carts.id", "sku = s.carts.items", "qty = s.carts.items"}},
		{name: "jsonb_each_text bare", d: Postgres, sql: "SELECT key, value FROM s.t, jsonb_each_text(t.attrs)", tables: "s.t", cols: []string{"key = s.t.attrs", "value = s.t.attrs"}},
		{name: "jsonb_array_elements_text in select list", d: Postgres, sql: "SELECT id, jsonb_array_elements_text(tags) AS tag FROM s.t", tables: "s.t", cols: []string{"id = s.t.id", "tag = s.t.tags"}},
		{name: "unnest string_to_array", d: Postgres, sql: "SELECT t.id, x.tag FROM s.t t, unnest(string_to_array(t.tags, ',')) AS x(tag)", tables: "s.t", cols: []string{"id = s.t.id", "tag = s.t.tags"}},
		{name: "openjson with", d: TSQL, sql: "SELECT o.id, j.sku, j.qty FROM dbo.o o CROSS APPLY OPENJSON(o.doc, '$.lines') WITH (sku varchar(20) '$.sku', qty int '$.qty') AS j", tables: "dbo.o",
			cols: []string{"id = dbo.o.id", "sku = dbo.o.doc", "qty = dbo.o.doc"}},
		{name: "string_split bare value", d: TSQL, sql: "SELECT p.id, value FROM dbo.p p CROSS APPLY STRING_SPLIT(p.tags, ',')", tables: "dbo.p", cols: []string{"id = dbo.p.id", "value = dbo.p.tags"}},
		{name: "posexplode select list", d: Databricks, sql: "SELECT id, posexplode(items) AS (p, item) FROM s.t", tables: "s.t", cols: []string{"id = s.t.id", "p = s.t.items", "item = s.t.items"}},
		{name: "explode outer map", d: Databricks, sql: "SELECT t.id, m.k, m.v FROM s.t t LATERAL VIEW OUTER explode(t.attrs) m AS k, v", tables: "s.t", cols: []string{"id = s.t.id", "k = s.t.attrs", "v = s.t.attrs"}},
		{name: "explode in from", d: Databricks, sql: "SELECT e.col FROM s.t, LATERAL explode(t.items) e", tables: "s.t", cols: []string{"col = s.t.items"}},
		{name: "group_concat order", d: MySQL, sql: "SELECT GROUP_CONCAT(DISTINCT x ORDER BY y SEPARATOR ',') AS g FROM t", tables: "t", cols: []string{"g = t.x t.y"}},
		{name: "string_agg order limit bq", d: BigQuery, sql: "SELECT STRING_AGG(x, ',' ORDER BY y LIMIT 10) AS g FROM ds.t", tables: "ds.t", cols: []string{"g = ds.t.x ds.t.y"}},
		{name: "trino array_agg order", d: Trino, sql: "SELECT array_agg(x ORDER BY y DESC) AS g FROM t", tables: "t", cols: []string{"g = t.x t.y"}},
		{name: "trino colN mixed", d: Trino, sql: `SELECT "Region", upper(name), COUNT(*) AS N FROM t GROUP BY 1, 2`, tables: "t", cols: []string{"region = t.Region", "_col1 = t.name", "n ="}},
		{name: "trino unnest ordinality", d: Trino, sql: "SELECT o.id, u.x, u.n FROM o CROSS JOIN UNNEST(o.arr) WITH ORDINALITY AS u(x, n)", tables: "o", cols: []string{"id = o.id", "x = o.arr", "n = o.arr"}},
		{name: "trino unnest two", d: Trino, sql: "SELECT x, y FROM o CROSS JOIN UNNEST(o.a, o.b) AS u(x, y)", tables: "o", cols: []string{"x = o.a", "y = o.b"}},
		{name: "pg cast naming", d: Postgres, sql: "SELECT o.amount::numeric, CAST(o.created_at AS date), CASE WHEN a THEN 1 END, coalesce(a, b), -a, o.x::date::text FROM s.o o", tables: "s.o",
			cols: []string{"amount = s.o.amount", "created_at = s.o.created_at", "case = s.o.a", "coalesce = s.o.a s.o.b", "?column? = s.o.a", "x = s.o.x"}},
		{name: "redshift quoted folds", d: Redshift, sql: `SELECT "Region", o."TotalSales" AS "Total", COUNT(*) FROM s.o o GROUP BY 1`, tables: "s.o",
			cols: []string{"region = s.o.Region", "total = s.o.TotalSales", "count ="}},
		{name: "named window inheritance", d: Postgres, sql: "SELECT SUM(x) OVER (w ORDER BY d) AS s FROM t WINDOW w AS (PARTITION BY g)", tables: "t", cols: []string{"s = t.d t.g t.x"}},
		{name: "named window chain", d: MySQL, sql: "SELECT RANK() OVER w2 AS r FROM t WINDOW w1 AS (PARTITION BY g), w2 AS (w1 ORDER BY d)", tables: "t", cols: []string{"r = t.d t.g"}},
	})
}

// TestContractRulesMore covers JSON/struct paths in more dialects, EXISTS in
// CASE, several recursive members and INTERVAL forms with expression counts.
func TestContractRulesMore(t *testing.T) {
	runCases(t, []lc{
		{name: "trino row field", d: Trino, sql: "SELECT o.address.city AS c, address.zip AS z FROM hive.s.orders o", tables: "hive.s.orders", cols: []string{"c = hive.s.orders.address", "z = hive.s.orders.address"}},
		{name: "trino json_extract_scalar", d: Trino, sql: "SELECT json_extract_scalar(payload, '$.a') AS a FROM e", tables: "e", cols: []string{"a = e.payload"}},
		{name: "bq unnest json array", d: BigQuery, sql: "SELECT JSON_VALUE(item, '$.sku') AS sku FROM ds.o o, UNNEST(JSON_EXTRACT_ARRAY(o.payload, '$.items')) AS item", tables: "ds.o", cols: []string{"sku = ds.o.payload"}},
		{name: "sf flatten path", d: Snowflake, sql: "SELECT f.value:sku::string AS sku, f.index AS i FROM raw.o o, TABLE(FLATTEN(input => PARSE_JSON(o.raw):items)) f", tables: "raw.o", cols: []string{"SKU = raw.o.raw", "I = raw.o.raw"}},
		{name: "sf split_to_table", d: Snowflake, sql: "SELECT o.id, s.value AS tag FROM raw.o o, LATERAL SPLIT_TO_TABLE(o.tags, ',') s", tables: "raw.o", cols: []string{"ID = raw.o.id", "TAG = raw.o.tags"}},
		{name: "case exists", d: Postgres, sql: "SELECT CASE WHEN EXISTS (SELECT x.id FROM s.x x WHERE x.k = o.k) THEN 'y' ELSE o.n END AS f FROM s.o o", tables: "s.o, s.x", cols: []string{"f = s.o.n s.x.id"}},
		{name: "tsql json_value cross apply openjson bare", d: TSQL, sql: "SELECT JSON_VALUE(o.doc, '$.a') AS a, [key] AS k FROM dbo.o o CROSS APPLY OPENJSON(o.doc)", tables: "dbo.o", cols: []string{"a = dbo.o.doc", "k = dbo.o.doc"}},
		{name: "databricks get_json_object", d: Databricks, sql: "SELECT get_json_object(e.payload, '$.a') AS a, e.payload.b AS b, from_json(raw, 'a INT').a AS c FROM s.e e", tables: "s.e", cols: []string{"a = s.e.payload", "b = s.e.payload", "c = s.e.raw"}},
		{name: "recursive with two recursive members", d: Postgres, sql: `WITH RECURSIVE g(n, src) AS (SELECT 1, a.x FROM s.a a UNION ALL SELECT g.n + 1, b.y FROM g JOIN s.b b ON true UNION ALL SELECT g.n + 2, c.z FROM g JOIN s.c c ON true) SELECT n, src FROM g`,
			tables: "s.a, s.b, s.c", cols: []string{"n =", "src = s.a.x s.b.y s.c.z"}},
		{name: "pg postgres interval mult cast", d: Postgres, sql: "SELECT d + make_interval(days => n) AS a, d + n * '1 day'::interval AS b FROM t", tables: "t", cols: []string{"a = t.d t.n", "b = t.d t.n"}},
		{name: "bq interval function arg", d: BigQuery, sql: "SELECT GENERATE_DATE_ARRAY(s, DATE_ADD(s, INTERVAL p.k - 1 WEEK), INTERVAL 1 WEEK) AS a FROM ds.t p", tables: "ds.t", cols: []string{"a = ds.t.k ds.t.s"}},
		{name: "mysql interval case", d: MySQL, sql: "SELECT DATE_ADD(d, INTERVAL CASE WHEN x THEN 1 ELSE 2 END DAY) AS a FROM t", tables: "t", cols: []string{"a = t.d t.x"}},
		{name: "databricks interval string unit", d: Databricks, sql: "SELECT d + INTERVAL '3' DAY AS a, ts + INTERVAL 2 HOURS 30 MINUTES AS b, d - INTERVAL n MONTHS AS c FROM t", tables: "t", cols: []string{"a = t.d", "b = t.ts", "c = t.d t.n"}},
		{name: "databricks make_interval", d: Databricks, sql: "SELECT d + make_interval(0, 0, 0, n) AS a FROM t", tables: "t", cols: []string{"a = t.d t.n"}},
		{name: "trino interval", d: Trino, sql: "SELECT date_add('day', n, d) AS a, d + INTERVAL '1' DAY * n AS b FROM t", tables: "t", cols: []string{"a = t.d t.n", "b = t.d t.n"}},
	})
}

// TestContractRulesPivots covers UNPIVOT order and tuples across dialects,
// BigQuery PIVOT naming over tables and numbers, and star rows inserted into
// a created table.
func TestContractRulesPivots(t *testing.T) {
	runCases(t, []lc{
		{name: "bq unpivot order", d: BigQuery, sql: "SELECT * FROM (SELECT product, q1, q2 FROM ds.s) UNPIVOT (sales FOR quarter IN (q1, q2))", tables: "ds.s", cols: []string{"product = ds.s.product", "quarter =", "sales = ds.s.q1 ds.s.q2"}},
		{name: "bq unpivot multi", d: BigQuery, sql: "SELECT * FROM (SELECT product, a1, b1, a2, b2 FROM ds.s) UNPIVOT ((a, b) FOR q IN ((a1, b1) AS 'Q1', (a2, b2) AS 'Q2'))", tables: "ds.s",
			cols: []string{"product = ds.s.product", "q =", "a = ds.s.a1 ds.s.a2", "b = ds.s.b1 ds.s.b2"}},
		{name: "databricks unpivot", d: Databricks, sql: "SELECT * FROM (SELECT product, q1, q2 FROM s) UNPIVOT (sales FOR quarter IN (q1, q2))", tables: "s", cols: []string{"product = s.product", "quarter =", "sales = s.q1 s.q2"}},
		{name: "unpivot over physical", d: Snowflake, sql: "SELECT * FROM fin.budget UNPIVOT (amount FOR quarter IN (q1, q2))", tables: "fin.budget", cols: []string{"* = fin.budget.*", "QUARTER =", "AMOUNT = fin.budget.q1 fin.budget.q2"}},
		{name: "bq pivot over table alias", d: BigQuery, sql: "SELECT region, total_Q1 FROM ds.sales PIVOT (SUM(amount) AS total FOR q IN ('Q1'))", tables: "ds.sales", cols: []string{"region = ds.sales.region", "total_Q1 = ds.sales.amount ds.sales.q"}},
		{name: "bq pivot number values", d: BigQuery, sql: "SELECT * FROM (SELECT r, y, v FROM ds.s) PIVOT (SUM(v) AS s FOR y IN (2023, 2024 AS cur))", tables: "ds.s", cols: []string{"r = ds.s.r", "s_2023 = ds.s.v ds.s.y", "s_cur = ds.s.v ds.s.y"}},
		{name: "created table star insert", d: Postgres, sql: "CREATE TEMP TABLE k AS SELECT * FROM s.a WHERE false; INSERT INTO k SELECT * FROM s.b; SELECT k.x FROM k", tables: "s.a, s.b", cols: []string{"x = s.a.x s.b.x"}},
		{name: "struct relation shadow", d: BigQuery, sql: "SELECT o.o.x AS v FROM ds.t o", tables: "ds.t", cols: []string{"v = ds.t.o"}},
		{name: "exists in aggregate", d: Snowflake, sql: "SELECT COUNT_IF(EXISTS (SELECT s.id FROM x.s s WHERE s.k = c.k)) AS n FROM x.c c", tables: "x.c, x.s", cols: []string{"N = x.s.id"}},
	})
}
