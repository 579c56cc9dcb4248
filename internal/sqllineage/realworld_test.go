package sqllineage

import "testing"

// TestAnalyzeRealWorld covers report SQL seen in Mode workspaces beyond the
// corpora: vendor constructs that must parse, or degrade honestly (tables
// that are certain are kept, the construct is skipped with a warning and
// lowered confidence, nothing is guessed).
func TestAnalyzeRealWorld(t *testing.T) {
	runCases(t, []lc{
		// Hierarchical queries: START WITH / CONNECT BY filter and link rows
		// of the same table; LEVEL and friends read no column.
		{name: "connect by with level and path", sql: `SELECT e.employee_id, e.manager_id, LEVEL AS depth,
			SYS_CONNECT_BY_PATH(e.last_name, '/') AS path, CONNECT_BY_ROOT e.last_name AS top_boss, CONNECT_BY_ISLEAF AS leaf
			FROM hr.employees e
			START WITH e.manager_id IS NULL
			CONNECT BY NOCYCLE PRIOR e.employee_id = e.manager_id
			ORDER SIBLINGS BY e.last_name`, tables: "hr.employees",
			cols: []string{"employee_id = hr.employees.employee_id", "manager_id = hr.employees.manager_id", "depth =",
				"path = hr.employees.last_name", "top_boss = hr.employees.last_name", "leaf ="}},
		{name: "snowflake connect by before start with", d: Snowflake, sql: `SELECT c.id, c.name, LEVEL
			FROM core.categories c CONNECT BY c.parent_id = PRIOR c.id START WITH c.parent_id IS NULL
			WHERE c.id IN (SELECT category_id FROM core.products)`, tables: "core.categories, core.products",
			cols: []string{"ID = core.categories.id", "NAME = core.categories.name", "LEVEL ="}},
		{name: "level outside a hierarchy is a column", d: Snowflake, sql: "SELECT level FROM game.players", tables: "game.players", cols: []string{"LEVEL = game.players.level"}},
		// MATCH_RECOGNIZE: the table it reads is certain, its columns are not.
		{name: "match recognize skipped", d: Snowflake, sql: `SELECT mr.symbol, mr.start_date FROM analytics.stock_prices
			MATCH_RECOGNIZE (
			  PARTITION BY symbol ORDER BY trade_date
			  MEASURES FIRST(trade_date) AS start_date, LAST(trade_date) AS end_date
			  ONE ROW PER MATCH AFTER MATCH SKIP TO LAST up
			  PATTERN (down+ up+)
			  DEFINE down AS price < LAG(price), up AS price > LAG(price)
			) mr
			WHERE mr.symbol IN (SELECT symbol FROM analytics.watchlist)`, tables: "analytics.stock_prices, analytics.watchlist",
			cols: []string{"SYMBOL =", "START_DATE ="}, minConf: 0.7},
		// Snowflake stages: files are not tables; $n columns read nothing.
		{name: "query over a stage", d: Snowflake, sql: `SELECT $1:order_id::NUMBER AS order_id, $1:amount::FLOAT AS amount, METADATA$FILENAME AS file_name
			FROM @raw.public.orders_stage/2024/06/ (FILE_FORMAT => 'raw.public.json_fmt', PATTERN => '.*[.]json')`,
			tables: "", cols: []string{"ORDER_ID =", "AMOUNT =", "FILE_NAME ="}},
		{name: "stage alias and positional columns", d: Snowflake, sql: "SELECT s.$1, s.$2 AS b FROM @~/exports/ s JOIN dim.users u ON u.id = s.$3",
			tables: "dim.users", cols: []string{"$1 =", "B ="}},
		{name: "table stage", d: Snowflake, sql: "SELECT $1 AS raw FROM @%orders", tables: "", cols: []string{"RAW ="}},
		// IDENTIFIER('…') names a table for certain; through a variable it is unknown.
		{name: "identifier literal is the table", d: Snowflake, sql: "SELECT o.order_id, amount FROM IDENTIFIER('analytics.core.orders') o WHERE o.amount > 0",
			tables: "analytics.core.orders", cols: []string{"ORDER_ID = analytics.core.orders.order_id", "AMOUNT = analytics.core.orders.amount"}},
		{name: "identifier with quoted parts", d: Snowflake, sql: `SELECT id FROM IDENTIFIER('"Raw"."Events"')`, tables: "Raw.Events", cols: []string{"ID = Raw.Events.id"}},
		{name: "identifier through a variable", d: Snowflake, sql: "SET tbl = 'analytics.core.orders';\nSELECT COUNT(*) AS n FROM IDENTIFIER($tbl)",
			tables: "", cols: []string{"N ="}, minConf: 0.7},
		{name: "result scan is not a table", d: Snowflake, sql: `SHOW TABLES IN SCHEMA analytics.core;
			SELECT "name", "rows" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID())) WHERE "rows" > 0`, tables: "", cols: []string{"name =", "rows ="}, minConf: 0.9},
		{name: "sample and tablesample", d: Snowflake, sql: `SELECT e.user_id, s.plan FROM raw.events SAMPLE (10) e
			JOIN raw.subscriptions TABLESAMPLE BERNOULLI (5) SEED (42) AS s ON s.user_id = e.user_id
			JOIN raw.accounts SAMPLE ROW (100 ROWS) a ON a.id = s.account_id`,
			tables: "raw.accounts, raw.events, raw.subscriptions", cols: []string{"USER_ID = raw.events.user_id", "PLAN = raw.subscriptions.plan"}},
		{name: "time travel", d: Snowflake, sql: `SELECT cur.id, cur.status, old.status AS status_1h_ago
			FROM analytics.orders cur
			JOIN analytics.orders AT(OFFSET => -60*60) AS old ON old.id = cur.id
			WHERE cur.id NOT IN (SELECT id FROM analytics.orders BEFORE(STATEMENT => '8e5d0ca9-005e-44e6-b858-a8f5b37c5726'))`,
			tables: "analytics.orders", cols: []string{"ID = analytics.orders.id", "STATUS = analytics.orders.status", "STATUS_1H_AGO = analytics.orders.status"}},
		{name: "time travel with a subquery timestamp", d: Snowflake, sql: `SELECT id FROM analytics.orders AT(TIMESTAMP => (SELECT MAX(loaded_at) FROM ops.loads))`,
			tables: "analytics.orders, ops.loads", cols: []string{"ID = analytics.orders.id"}},
		{name: "bigquery for system_time", d: BigQuery, sql: "SELECT order_id, status FROM `proj.sales.orders` FOR SYSTEM_TIME AS OF TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 HOUR) AS o",
			tables: "proj.sales.orders", cols: []string{"order_id = proj.sales.orders.order_id", "status = proj.sales.orders.status"}},
		// Scripting: declarations are harmless, dynamic SQL is skipped with a warning.
		{name: "bigquery script with execute immediate", d: BigQuery, sql: "DECLARE start_date DATE DEFAULT DATE_SUB(CURRENT_DATE(), INTERVAL 7 DAY);\n" +
			"SET start_date = (SELECT MIN(d) FROM `proj.ref.calendar`);\n" +
			"EXECUTE IMMEDIATE FORMAT(\"SELECT COUNT(*) FROM `proj.sales.%s`\", 'orders');\n" +
			"SELECT order_id, amount FROM `proj.sales.orders` WHERE order_date >= start_date",
			tables: "proj.ref.calendar, proj.sales.orders", cols: []string{"order_id = proj.sales.orders.order_id", "amount = proj.sales.orders.amount"}, minConf: 0.7},
		{name: "snowflake anonymous block", d: Snowflake, sql: "EXECUTE IMMEDIATE $$\nDECLARE n INTEGER;\nBEGIN\n  SELECT COUNT(*) INTO :n FROM raw.events;\n  RETURN n;\nEND;\n$$;\nSELECT 1 AS ok",
			tables: "", cols: []string{"OK ="}, minConf: 0.7},
		// Postgres.
		{name: "correlated lateral subquery", d: Postgres, sql: `SELECT c.customer_id, last_o.order_id, last_o.amount
			FROM crm.customers c
			LEFT JOIN LATERAL (
			  SELECT o.order_id, o.amount FROM sales.orders o WHERE o.customer_id = c.customer_id ORDER BY o.created_at DESC LIMIT 1
			) last_o ON true`, tables: "crm.customers, sales.orders",
			cols: []string{"customer_id = crm.customers.customer_id", "order_id = sales.orders.order_id", "amount = sales.orders.amount"}},
		{name: "aggregate filter", d: Postgres, sql: "SELECT region, COUNT(*) FILTER (WHERE status = 'paid') AS paid, SUM(amount) FILTER (WHERE status <> 'paid') AS unpaid FROM sales.orders GROUP BY region",
			tables: "sales.orders", cols: []string{"region = sales.orders.region", "paid = sales.orders.status", "unpaid = sales.orders.amount sales.orders.status"}},
		{name: "array constructors and subscripts", d: Postgres, sql: "SELECT id, ARRAY[a, b] AS pair, tags[1] AS first_tag, ARRAY(SELECT x FROM s.u WHERE u.id = t.id) AS xs FROM s.t WHERE 'x' = ANY(tags)",
			tables: "s.t, s.u", cols: []string{"id = s.t.id", "pair = s.t.a s.t.b", "first_tag = s.t.tags", "xs = s.u.x"}},
		{name: "generate_series calendar join", d: Postgres, sql: `SELECT d::date AS day, COUNT(o.order_id) AS orders
			FROM generate_series('2024-01-01'::date, '2024-01-31'::date, interval '1 day') AS d
			LEFT JOIN sales.orders o ON o.created_at::date = d::date GROUP BY 1`, tables: "sales.orders",
			cols: []string{"day =", "orders = sales.orders.order_id"}},
		{name: "unnest with ordinality", d: Postgres, sql: "SELECT p.id, t.tag, t.pos FROM blog.posts p CROSS JOIN LATERAL unnest(p.tags) WITH ORDINALITY AS t(tag, pos)",
			tables: "blog.posts", cols: []string{"id = blog.posts.id", "tag = blog.posts.tags", "pos = blog.posts.tags"}},
		// Databricks higher-order functions and typed number literals.
		{name: "higher-order functions", d: Databricks, sql: `SELECT id, TRANSFORM(items, x -> x.price * x.qty) AS line_totals,
			FILTER(items, i -> i.qty > 0) AS nonzero, AGGREGATE(items, 0D, (acc, x) -> acc + x.price, acc -> acc * 1.1BD) AS total,
			EXISTS(items, x -> x.sku = sku_filter) AS has_sku, 10L + 2S + 1Y AS n
			FROM shop.carts`, tables: "shop.carts",
			cols: []string{"id = shop.carts.id", "line_totals = shop.carts.items", "nonzero = shop.carts.items", "total = shop.carts.items",
				"has_sku = shop.carts.items shop.carts.sku_filter", "n ="}},
		{name: "exists subquery still a subquery", d: Databricks, sql: "SELECT id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.id = a.id)", tables: "a, b", cols: []string{"id = a.id"}},
		{name: "qualify with window", d: Snowflake, sql: `SELECT user_id, session_id FROM web.sessions
			QUALIFY ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY started_at DESC) = 1`, tables: "web.sessions",
			cols: []string{"USER_ID = web.sessions.user_id", "SESSION_ID = web.sessions.session_id"}},
		{name: "pivot with several aggregates", d: BigQuery, sql: "SELECT * FROM (SELECT region, quarter, amount, units FROM ds.q) PIVOT (SUM(amount) AS amt, SUM(units) AS u FOR quarter IN ('Q1', 'Q2'))",
			tables: "ds.q", cols: []string{"region = ds.q.region", "amt_Q1 = ds.q.amount ds.q.quarter", "u_Q1 = ds.q.quarter ds.q.units",
				"amt_Q2 = ds.q.amount ds.q.quarter", "u_Q2 = ds.q.quarter ds.q.units"}},
		// MySQL.
		{name: "with rollup", d: MySQL, sql: "SELECT region, product, SUM(amount) AS total FROM sales.orders GROUP BY region, product WITH ROLLUP",
			tables: "sales.orders", cols: []string{"region = sales.orders.region", "product = sales.orders.product", "total = sales.orders.amount"}},
		{name: "json_table is not a table", d: MySQL, sql: `SELECT o.id, j.sku, j.qty FROM shop.orders o,
			JSON_TABLE(o.items, '$[*]' COLUMNS (row_no FOR ORDINALITY, sku VARCHAR(20) PATH '$.sku', qty INT PATH '$.qty' DEFAULT '0' ON EMPTY)) AS j`,
			tables: "shop.orders", cols: []string{"id = shop.orders.id", "sku = shop.orders.items", "qty = shop.orders.items"}},
		// T-SQL.
		{name: "table hints and query options", d: TSQL, sql: `SELECT o.id, o.total FROM dbo.orders o WITH (NOLOCK)
			JOIN dbo.customers c WITH (NOLOCK, INDEX(ix_c)) ON c.id = o.cid
			OPTION (RECOMPILE, MAXDOP 4)`, tables: "dbo.customers, dbo.orders", cols: []string{"id = dbo.orders.id", "total = dbo.orders.total"}},
		{name: "top percent with ties", d: TSQL, sql: "SELECT TOP (10) PERCENT WITH TIES o.id FROM dbo.orders o ORDER BY o.total DESC", tables: "dbo.orders", cols: []string{"id = dbo.orders.id"}},
		{name: "output into is written, not read", d: TSQL, sql: "DELETE FROM dbo.staging OUTPUT deleted.id, deleted.payload INTO dbo.archive (id, payload) WHERE created < '2020-01-01';\nSELECT 1 AS done",
			tables: "", cols: []string{"done ="}, minConf: 0.7},
		{name: "merge with output", d: TSQL, sql: `MERGE dbo.dim_customer AS tgt
			USING (SELECT id, name, email FROM stg.customers) AS src ON tgt.id = src.id
			WHEN MATCHED THEN UPDATE SET tgt.name = src.name
			WHEN NOT MATCHED THEN INSERT (id, name, email) VALUES (src.id, src.name, src.email)
			OUTPUT $action, inserted.id;`, tables: "stg.customers", cols: []string{}, minConf: 0.7},
		{name: "go batches iif try_convert", d: TSQL, sql: "SELECT id INTO #ids FROM dbo.orders WHERE status = 'open'\nGO\n" +
			"SELECT o.id, IIF(o.total > 100, 'big', 'small') AS size, TRY_CONVERT(date, o.created, 23) AS d FROM dbo.orders o JOIN #ids i ON i.id = o.id\nGO\n",
			tables: "dbo.orders", cols: []string{"id = dbo.orders.id", "size = dbo.orders.total", "d = dbo.orders.created"}},
		{name: "string_split is not a table", d: TSQL, sql: "SELECT o.id, s.value AS tag FROM dbo.orders o CROSS APPLY STRING_SPLIT(o.tags, ',') s",
			tables: "dbo.orders", cols: []string{"id = dbo.orders.id", "tag = dbo.orders.tags"}},
		{name: "old-style table hint and for xml path", d: TSQL, sql: `;WITH recent AS (SELECT TOP 100 * FROM dbo.orders (NOLOCK) ORDER BY created DESC)
			SELECT r.id, STUFF((SELECT ',' + i.sku FROM dbo.items i WHERE i.order_id = r.id FOR XML PATH(''), TYPE).value('.', 'nvarchar(max)'), 1, 1, '') AS skus
			FROM recent r`, tables: "dbo.items, dbo.orders", cols: []string{"id = dbo.orders.id", "skus = dbo.items.sku"}},
		{name: "cross apply top 1", d: TSQL, sql: `SELECT o.id, x.last_sku FROM dbo.orders o
			CROSS APPLY (SELECT TOP 1 i.sku AS last_sku FROM dbo.items i WHERE i.order_id = o.id ORDER BY i.id DESC) x`,
			tables: "dbo.items, dbo.orders", cols: []string{"id = dbo.orders.id", "last_sku = dbo.items.sku"}},
		{name: "postgres containment and text search operators", d: Postgres, sql: `SELECT s.id, tsrange(s.started_at, s.ended_at) @> now() AS active,
			s.doc @@ to_tsquery('refund') AS about_refunds, s.tags <@ ARRAY['a'] AS subset FROM app.sessions s`, tables: "app.sessions",
			cols: []string{"id = app.sessions.id", "active = app.sessions.ended_at app.sessions.started_at", "about_refunds = app.sessions.doc", "subset = app.sessions.tags"}},
		{name: "mysql user variable assignment", d: MySQL, sql: "SELECT @rn := @rn + 1 AS rank_no, t.name FROM shop.customers t, (SELECT @rn := 0) init ORDER BY t.score DESC",
			tables: "shop.customers", cols: []string{"rank_no =", "name = shop.customers.name"}},
		{name: "postgres named arguments", d: Postgres, sql: "SELECT make_interval(days := t.n) AS span FROM s.t", tables: "s.t", cols: []string{"span = s.t.n"}},
		{name: "oracle outer join marker and rownum", sql: `SELECT e.ename, d.dname, ROWNUM AS rn FROM scott.emp e, scott.dept d
			WHERE e.deptno = d.deptno(+) AND ROWNUM <= 10`, tables: "scott.dept, scott.emp", cols: []string{"ename = scott.emp.ename", "dname = scott.dept.dname", "rn ="}},
		{name: "string_split over a literal", d: TSQL, sql: "SELECT value AS region, ordinal FROM STRING_SPLIT('EU,US,APAC', ',', 1)", tables: "", cols: []string{"region =", "ordinal ="}},
	})
}
