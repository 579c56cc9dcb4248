package sqllineage

import "testing"

// TestContractRules pins each rule of docs/lineage.md "Columns (the last
// SELECT)" that was added with the struct/JSON path, star pass-through,
// recursive CTE, CREATE+INSERT, EXISTS/IN value, unused CTE, row-producing
// function, ordered aggregate, Trino _colN and BigQuery PIVOT naming rules.
func TestContractRules(t *testing.T) {
	runCases(t, []lc{
		// Struct fields and JSON/variant paths read their base column.
		{name: "struct field bigquery", d: BigQuery, sql: "SELECT o.address.city AS city FROM ds.orders o", tables: "ds.orders", cols: []string{"city = ds.orders.address"}},
		{name: "struct field unqualified", d: BigQuery, sql: "SELECT address.city FROM ds.orders", tables: "ds.orders", cols: []string{"city = ds.orders.address"}},
		{name: "a.b.c relation first", d: Databricks, sql: "SELECT o.address.city AS c FROM s.orders o JOIN s.users address ON true", tables: "s.orders, s.users", cols: []string{"c = s.orders.address"}},
		{name: "a.b.c table name", d: Databricks, sql: "SELECT s.orders.amount AS a FROM s.orders", tables: "s.orders", cols: []string{"a = s.orders.amount"}},
		{name: "snowflake variant path", d: Snowflake, sql: "SELECT payload:user.id::string AS uid, e.payload:a[0].b AS ab FROM raw.events e", tables: "raw.events", cols: []string{"UID = raw.events.payload", "AB = raw.events.payload"}},
		{name: "databricks colon path", d: Databricks, sql: "SELECT payload:user.id AS uid FROM raw.events", tables: "raw.events", cols: []string{"uid = raw.events.payload"}},
		{name: "subscript key", d: Databricks, sql: "SELECT col['k'] AS k FROM t", tables: "t", cols: []string{"k = t.col"}},
		{name: "postgres json ops", d: Postgres, sql: "SELECT col->>'k' AS k, e.col->'a'->>'b' AS ab, col #>> '{a,b}' AS p FROM t e", tables: "t", cols: []string{"k = t.col", "ab = t.col", "p = t.col"}},
		{name: "mysql json ops", d: MySQL, sql: "SELECT s.attrs->>'$.utm.source' AS src, JSON_EXTRACT(s.attrs, '$.x') AS x FROM web.sessions s", tables: "web.sessions", cols: []string{"src = web.sessions.attrs", "x = web.sessions.attrs"}},
		{name: "redshift super path", d: Redshift, sql: "SELECT e.payload.device.os AS os FROM raw.events e", tables: "raw.events", cols: []string{"os = raw.events.payload"}},
		// Star pass-through.
		{name: "star passthrough derived", sql: "SELECT d.x FROM (SELECT * FROM t) d", tables: "t", cols: []string{"x = t.x"}},
		{name: "star passthrough cte bare", d: Postgres, sql: "WITH c AS (SELECT * FROM s.t WHERE a > 1) SELECT x, c.y FROM c", tables: "s.t", cols: []string{"x = s.t.x", "y = s.t.y"}},
		{name: "star passthrough two tables", sql: "SELECT d.x FROM (SELECT * FROM t1 JOIN t2 ON t1.id = t2.id) d", tables: "t1, t2", cols: []string{"x ? t1.x t2.x"}, minConf: 0.9},
		{name: "star passthrough qualified star", sql: "SELECT d.x FROM (SELECT t1.* FROM t1 JOIN t2 ON t1.id = t2.id) d", tables: "t1, t2", cols: []string{"x = t1.x"}},
		{name: "star passthrough plus named", sql: "SELECT d.x, d.n FROM (SELECT *, a + 1 AS n FROM t) d", tables: "t", cols: []string{"x = t.x", "n = t.a"}},
		{name: "star passthrough nested", sql: "WITH a AS (SELECT * FROM t), b AS (SELECT * FROM a) SELECT b.z FROM b", tables: "t", cols: []string{"z = t.z"}},
		{name: "star over passthrough", sql: "SELECT * FROM (SELECT * FROM t) d", tables: "t", cols: []string{"* = t.*"}},
		// Recursive CTE.
		{name: "recursive cte", d: Postgres, sql: `WITH RECURSIVE tree AS (
			SELECT id, parent_id, name, 1 AS depth FROM s.cat WHERE parent_id IS NULL
			UNION ALL
			SELECT c.id, c.parent_id, t.name || '/' || c.name, t.depth + 1 FROM s.cat c JOIN tree t ON c.parent_id = t.id)
			SELECT id, name AS path, depth FROM tree`, tables: "s.cat", cols: []string{"id = s.cat.id", "path = s.cat.name", "depth ="}},
		{name: "recursive cte column list", d: Postgres, sql: `WITH RECURSIVE r(n, who) AS (
			SELECT 1, u.referrer FROM s.users u UNION ALL SELECT r.n + 1, x.referred FROM r JOIN s.refs x ON x.a = r.who)
			SELECT n, who FROM r`, tables: "s.refs, s.users", cols: []string{"n =", "who = s.refs.referred s.users.referrer"}},
		// CREATE TABLE then INSERT…SELECT then read.
		{name: "create insert read", d: Snowflake, sql: `CREATE TEMP TABLE k (d date, n int);
			INSERT INTO k SELECT created_at::date, COUNT(id) FROM raw.orders GROUP BY 1;
			INSERT INTO k (n, d) SELECT COUNT(r.id), r.day FROM raw.refunds r GROUP BY 2;
			SELECT d, n FROM k`, tables: "raw.orders, raw.refunds", cols: []string{"D = raw.orders.created_at raw.refunds.day", "N = raw.orders.id raw.refunds.id"}},
		{name: "create insert values", d: Postgres, sql: `CREATE TEMP TABLE k (a int, b text); INSERT INTO k VALUES (1, 'x'); INSERT INTO k SELECT x, y FROM s.t; SELECT * FROM k`,
			tables: "s.t", cols: []string{"a = s.t.x", "b = s.t.y"}},
		// EXISTS / IN / scalar subqueries as values.
		{name: "exists value", sql: "SELECT EXISTS (SELECT i.id FROM inv i WHERE i.a = o.a) AS e, o.a IN (SELECT c.a FROM esc c) AS x, (SELECT MAX(t.v) FROM tk t) AS m FROM o",
			tables: "esc, inv, o, tk", cols: []string{"e = inv.id", "x = esc.a o.a", "m = tk.v"}},
		{name: "exists select 1", sql: "SELECT EXISTS (SELECT 1 FROM inv i WHERE i.a = o.a) AS e FROM o", tables: "inv, o", cols: []string{"e ="}},
		{name: "subquery inside aggregate", sql: "SELECT SUM(CASE WHEN o.a IN (SELECT c.a FROM esc c) THEN 1 ELSE 0 END) AS n FROM o", tables: "esc, o", cols: []string{"n = esc.a o.a"}},
		// Unused CTE tables still count.
		{name: "unused cte", sql: "WITH old AS (SELECT * FROM v1), cur AS (SELECT a FROM v2) SELECT a FROM cur", tables: "v1, v2", cols: []string{"a = v2.a"}},
		// Row-producing functions.
		{name: "jsonb_array_elements", d: Postgres, sql: "SELECT c.id, e->>'sku' AS sku, e.value AS v FROM s.carts c, jsonb_array_elements(c.items) e", tables: "s.carts",
			cols: []string{"id = s.carts.id", "sku = s.carts.items", "v = s.carts.items"}},
		{name: "jsonb_array_elements alias col", d: Postgres, sql: "SELECT item->>'sku' AS sku FROM s.carts c CROSS JOIN LATERAL jsonb_array_elements(c.items) AS x(item)", tables: "s.carts",
			cols: []string{"sku = s.carts.items"}},
		{name: "json_each", d: Postgres, sql: "SELECT j.key, j.value FROM s.t, json_each(t.attrs) j", tables: "s.t", cols: []string{"key = s.t.attrs", "value = s.t.attrs"}},
		{name: "json_table", d: MySQL, sql: "SELECT o.id, jt.sku, jt.qty FROM shop.orders o, JSON_TABLE(o.lines, '$[*]' COLUMNS (sku VARCHAR(20) PATH '$.sku', qty INT PATH '$.qty')) AS jt",
			tables: "shop.orders", cols: []string{"id = shop.orders.id", "sku = shop.orders.lines", "qty = shop.orders.lines"}},
		{name: "openjson", d: TSQL, sql: "SELECT o.id, j.[key], j.value FROM dbo.o o CROSS APPLY OPENJSON(o.doc) j", tables: "dbo.o", cols: []string{"id = dbo.o.id", "key = dbo.o.doc", "value = dbo.o.doc"}},
		{name: "string_split", d: TSQL, sql: "SELECT s.value AS tag FROM dbo.p p CROSS APPLY STRING_SPLIT(p.tags, ',') s", tables: "dbo.p", cols: []string{"tag = dbo.p.tags"}},
		{name: "explode select list", d: Databricks, sql: "SELECT id, explode(items) AS item FROM s.t", tables: "s.t", cols: []string{"id = s.t.id", "item = s.t.items"}},
		{name: "posexplode lateral view", d: Databricks, sql: "SELECT t.id, p.pos, p.item FROM s.t t LATERAL VIEW posexplode(t.items) p AS pos, item", tables: "s.t",
			cols: []string{"id = s.t.id", "pos = s.t.items", "item = s.t.items"}},
		{name: "inline lateral view", d: Databricks, sql: "SELECT t.id, x.a, x.b FROM s.t t LATERAL VIEW inline(t.structs) x AS a, b", tables: "s.t",
			cols: []string{"id = s.t.id", "a = s.t.structs", "b = s.t.structs"}},
		// ORDER BY inside aggregates.
		{name: "array_agg order by", d: Postgres, sql: "SELECT ARRAY_AGG(x ORDER BY ts) AS a, STRING_AGG(y, ',' ORDER BY z DESC) AS s FROM t", tables: "t", cols: []string{"a = t.ts t.x", "s = t.y t.z"}},
		// Trino _colN.
		{name: "trino colN", d: Trino, sql: "SELECT a, COUNT(*), b, SUM(c) FROM t GROUP BY a, b", tables: "t", cols: []string{"a = t.a", "_col1 =", "b = t.b", "_col3 = t.c"}},
		// BigQuery PIVOT naming.
		{name: "bigquery pivot alias", d: BigQuery, sql: "SELECT * FROM (SELECT region, q, amount FROM ds.sales) PIVOT (SUM(amount) AS total FOR q IN ('Q1' AS first, 'Q2'))",
			tables: "ds.sales", cols: []string{"region = ds.sales.region", "total_first = ds.sales.amount ds.sales.q", "total_Q2 = ds.sales.amount ds.sales.q"}},
		{name: "bigquery pivot no alias", d: BigQuery, sql: "SELECT * FROM (SELECT region, q, amount FROM ds.sales) PIVOT (SUM(amount) FOR q IN ('Q1' AS first, 'Q2'))",
			tables: "ds.sales", cols: []string{"region = ds.sales.region", "first = ds.sales.amount ds.sales.q", "Q2 = ds.sales.amount ds.sales.q"}},
		// INTERVAL with an expression count.
		{name: "bigquery interval expr", d: BigQuery, sql: "SELECT DATE_ADD(d, INTERVAL p.period_index WEEK) AS w FROM ds.t p", tables: "ds.t", cols: []string{"w = ds.t.d ds.t.period_index"}},
		{name: "bigquery interval arith", d: BigQuery, sql: "SELECT DATE_SUB(d, INTERVAL (n * 7 + 1) DAY) AS w, TIMESTAMP_ADD(ts, INTERVAL -n HOUR) AS h FROM ds.t", tables: "ds.t", cols: []string{"w = ds.t.d ds.t.n", "h = ds.t.n ds.t.ts"}},
		{name: "mysql interval expr", d: MySQL, sql: "SELECT d + INTERVAL t.n * 7 DAY AS w, DATE_SUB(d, INTERVAL n + 1 MONTH) AS m FROM t", tables: "t", cols: []string{"w = t.d t.n", "m = t.d t.n"}},
		{name: "databricks interval expr", d: Databricks, sql: "SELECT d + INTERVAL n DAYS AS w, date_add(d, n) AS x FROM t", tables: "t", cols: []string{"w = t.d t.n", "x = t.d t.n"}},
		{name: "postgres interval times", d: Postgres, sql: "SELECT d + INTERVAL '1 day' * n AS w, d - n * INTERVAL '1 week' AS v, d + (n || ' days')::interval AS x FROM t", tables: "t", cols: []string{"w = t.d t.n", "v = t.d t.n", "x = t.d t.n"}},
		{name: "redshift interval times", d: Redshift, sql: "SELECT d + INTERVAL '1 day' * n AS w FROM t", tables: "t", cols: []string{"w = t.d t.n"}},
		{name: "snowflake interval times", d: Snowflake, sql: "SELECT d + INTERVAL '1 day' * n AS w, DATEADD(day, n, d) AS x FROM t", tables: "t", cols: []string{"W = t.d t.n", "X = t.d t.n"}},
	})
}
