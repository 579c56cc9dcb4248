package sqllineage

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lc is a compact lineage case. tables is a comma-separated list of names;
// each cols entry is "NAME = t.c t2.c" (sources) or "NAME ? t.c t2.c"
// (ambiguous with candidates); sources split at the last dot.
type lc struct {
	name    string
	d       Dialect
	sql     string
	tables  string
	cols    []string
	schema  mapSchema
	minConf float64 // expected confidence; 0 means 1.0
	zero    bool    // expect confidence 0
}

func parseColSpec(t *testing.T, s string) Column {
	t.Helper()
	sep := " = "
	amb := false
	i := strings.Index(s, sep)
	if j := strings.Index(s, " ? "); j >= 0 && (i < 0 || j < i) {
		i, sep, amb = j, " ? ", true
	}
	if strings.HasSuffix(s, " =") {
		return Column{Name: strings.TrimSuffix(s, " ="), Sources: []Source{}}
	}
	require.GreaterOrEqual(t, i, 0, "bad column spec %q", s)
	c := Column{Name: s[:i], Ambiguous: amb, Sources: []Source{}}
	for _, f := range strings.Fields(s[i+len(sep):]) {
		k := strings.LastIndex(f, ".")
		src := Source{Table: f[:k], Column: f[k+1:]}
		if amb {
			c.Candidates = append(c.Candidates, src)
		} else {
			c.Sources = append(c.Sources, src)
		}
	}
	return c
}

func runCases(t *testing.T, cases []lc) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			if d == "" {
				d = Generic
			}
			opts := Options{Dialect: d}
			if tc.schema != nil {
				opts.Schema = tc.schema
			}
			res := Analyze(context.Background(), tc.sql, opts)
			var names []string
			for _, tb := range res.Tables {
				names = append(names, tb.Name)
			}
			want := []string{}
			if tc.tables != "" {
				for _, s := range strings.Split(tc.tables, ",") {
					want = append(want, strings.TrimSpace(s))
				}
			}
			if names == nil {
				names = []string{}
			}
			assert.Equal(t, want, names, "tables; warnings %v", res.Warnings)
			if tc.cols != nil {
				wantCols := make([]Column, 0, len(tc.cols))
				for _, s := range tc.cols {
					wantCols = append(wantCols, parseColSpec(t, s))
				}
				assert.Equal(t, wantCols, res.Columns, "columns; warnings %v", res.Warnings)
			}
			conf := tc.minConf
			if conf == 0 {
				conf = 1
			}
			if tc.zero {
				conf = 0
			}
			assert.InDelta(t, conf, res.Confidence, 1e-9, "confidence; warnings %v", res.Warnings)
		})
	}
}

func TestAnalyzeBasics(t *testing.T) {
	runCases(t, []lc{
		{name: "simple", sql: "SELECT a, b FROM t", tables: "t", cols: []string{"a = t.a", "b = t.b"}},
		{name: "qualified and alias", sql: "SELECT o.amount AS amt FROM sales.orders o", tables: "sales.orders", cols: []string{"amt = sales.orders.amount"}},
		{name: "table name qualifier", sql: "SELECT orders.id FROM sales.orders", tables: "sales.orders", cols: []string{"id = sales.orders.id"}},
		{name: "full name qualifier", sql: "SELECT sales.orders.id FROM sales.orders", tables: "sales.orders", cols: []string{"id = sales.orders.id"}},
		{name: "partial qualifier", sql: "SELECT raw.orders.id, orders.total FROM db.raw.orders", tables: "db.raw.orders", cols: []string{"id = db.raw.orders.id", "total = db.raw.orders.total"}},
		{name: "implicit alias", sql: "SELECT a total FROM t", tables: "t", cols: []string{"total = t.a"}},
		{name: "literals read nothing", sql: "SELECT 1 AS one, 'x' AS s, CURRENT_DATE AS d, COUNT(*) AS n FROM t", tables: "t",
			cols: []string{"one =", "s =", "d =", "n ="}},
		{name: "ambiguous bare column", sql: "SELECT id FROM a JOIN b ON a.k = b.k", tables: "a, b", cols: []string{"id ? a.id b.id"}, minConf: 0.9},
		{name: "where columns not counted", sql: "SELECT a FROM t WHERE b > 1 GROUP BY a HAVING SUM(c) > 0 ORDER BY d LIMIT 5", tables: "t", cols: []string{"a = t.a"}},
		{name: "case conditions counted", sql: "SELECT CASE WHEN status = 'x' THEN amount ELSE 0 END AS v FROM t", tables: "t", cols: []string{"v = t.amount t.status"}},
		{name: "window parts counted", sql: "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC) AS rn FROM t", tables: "t", cols: []string{"rn = t.a t.b"}},
		{name: "filter counted", sql: "SELECT COUNT(*) FILTER (WHERE x > 1) AS n FROM t", tables: "t", cols: []string{"n = t.x"}},
		{name: "within group counted", sql: "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY price) AS med FROM t", tables: "t", cols: []string{"med = t.price"}},
		{name: "comments and strings are not tables", sql: "-- FROM fake\nSELECT 'FROM nope' AS s /* JOIN x */ FROM real_t", tables: "real_t", cols: []string{"s ="}},
		{name: "dedup case-insensitive first spelling wins", sql: "SELECT 1 FROM Orders UNION ALL SELECT 1 FROM orders", tables: "Orders", cols: []string{"1 ="}},
		{name: "sorted case-insensitively", sql: "SELECT 1 AS x FROM b, A, c", tables: "A, b, c", cols: []string{"x ="}},
		{name: "quoted parts", sql: `SELECT "Amount" FROM "Analytics"."Orders"`, tables: "Analytics.Orders", cols: []string{"Amount = Analytics.Orders.Amount"}},
		{name: "empty input", sql: "  -- nothing\n", tables: "", cols: []string{}, zero: true},
	})
}

func TestAnalyzeCTEs(t *testing.T) {
	runCases(t, []lc{
		{name: "cte chain", sql: `WITH a AS (SELECT id, amount FROM raw.orders), b AS (SELECT id, amount * 2 AS dbl FROM a)
			SELECT dbl FROM b`, tables: "raw.orders", cols: []string{"dbl = raw.orders.amount"}},
		{name: "cte column list", sql: "WITH c(x, y) AS (SELECT a, b FROM t) SELECT y FROM c", tables: "t", cols: []string{"y = t.b"}},
		{name: "cte shadows table after definition", sql: `WITH orders AS (SELECT id FROM orders WHERE ok) SELECT id FROM orders`,
			tables: "orders", cols: []string{"id = orders.id"}},
		{name: "shadowing cte not a table", sql: `WITH t AS (SELECT x FROM base) SELECT t.x FROM t`, tables: "base", cols: []string{"x = base.x"}},
		{name: "recursive cte", sql: `WITH RECURSIVE r(n, p) AS (SELECT id, parent FROM nodes UNION ALL SELECT n.id, r.p FROM nodes n JOIN r ON n.parent = r.n) SELECT n, p FROM r`,
			tables: "nodes", cols: []string{"n = nodes.id", "p = nodes.parent"}},
		{name: "nested with in subquery", sql: `SELECT v FROM (WITH q AS (SELECT a AS v FROM t) SELECT v FROM q) sub`, tables: "t", cols: []string{"v = t.a"}},
		{name: "cte and table candidates", sql: `WITH c AS (SELECT k, region FROM s) SELECT region FROM c JOIN t ON c.k = t.k`,
			tables: "s, t", cols: []string{"region ? s.region t.region"}, minConf: 0.9},
		{name: "cte lacks column so table wins", sql: `WITH c AS (SELECT k FROM s) SELECT region FROM c JOIN t ON c.k = t.k`,
			tables: "s, t", cols: []string{"region = t.region"}},
		{name: "star over cte expands", sql: `WITH c AS (SELECT a, b AS bb FROM t) SELECT * FROM c`, tables: "t", cols: []string{"a = t.a", "bb = t.b"}},
		{name: "star over physical", sql: `SELECT * FROM t`, tables: "t", cols: []string{"* = t.*"}},
		{name: "star over join of physical", sql: `SELECT * FROM t JOIN u ON t.id = u.id`, tables: "t, u", cols: []string{"* = t.* u.*"}},
		{name: "stars through derived tables collapse", sql: `SELECT * FROM (SELECT * FROM a) x JOIN (SELECT * FROM b) y ON x.k = y.k`, tables: "a, b", cols: []string{"* = a.* b.*"}},
		{name: "qualified star", sql: `WITH c AS (SELECT a FROM x) SELECT c.*, u.* FROM c JOIN u ON true`, tables: "u, x", cols: []string{"a = x.a", "* = u.*"}},
		{name: "column through cte star", sql: `WITH c AS (SELECT * FROM t) SELECT c.amount, region FROM c`, tables: "t", cols: []string{"amount = t.amount", "region = t.region"}},
		{name: "star except", d: BigQuery, sql: "WITH c AS (SELECT a, b, c FROM t) SELECT * EXCEPT (b) FROM c", tables: "t", cols: []string{"a = t.a", "c = t.c"}},
		{name: "star exclude snowflake", d: Snowflake, sql: "WITH c AS (SELECT a, b FROM t) SELECT * EXCLUDE b FROM c", tables: "t", cols: []string{"A = t.a"}},
		{name: "star replace", d: BigQuery, sql: "WITH c AS (SELECT a, b FROM t) SELECT * REPLACE (a + 1 AS b) FROM c", tables: "t", cols: []string{"a = t.a", "b = t.a"}},
		{name: "star ilike", d: Snowflake, sql: "WITH c AS (SELECT user_id, order_id, amount FROM t) SELECT * ILIKE '%_ID' FROM c", tables: "t", cols: []string{"USER_ID = t.user_id", "ORDER_ID = t.order_id"}},
		{name: "star rename", d: Snowflake, sql: "WITH c AS (SELECT a, b FROM t) SELECT * RENAME (a AS z) FROM c", tables: "t", cols: []string{"Z = t.a", "B = t.b"}},
	})
}

// TestAnalyzeLongCTELists checks the indexed CTE lookup of long WITH lists
// keeps the scoping rules: a CTE sees only earlier ones, its own name in its
// body is the table, and an inner WITH shadows only inside its query.
func TestAnalyzeLongCTELists(t *testing.T) {
	var b strings.Builder
	b.WriteString("WITH c0 AS (SELECT a FROM t0)")
	for i := 1; i < 12; i++ {
		fmt.Fprintf(&b, ", c%d AS (SELECT a FROM C%d)", i, i-1)
	}
	chain := b.String()
	runCases(t, []lc{
		{name: "chain through an indexed list", sql: chain + " SELECT a FROM c11", tables: "t0", cols: []string{"a = t0.a"}},
		{name: "own name in body is the table", sql: chain + ", orders AS (SELECT a FROM orders), x AS (SELECT a FROM ORDERS) SELECT a FROM x",
			tables: "orders, t0", cols: []string{"a = orders.a"}},
		{name: "later cte is not visible earlier", sql: chain + ", early AS (SELECT a FROM late), late AS (SELECT a FROM c3) SELECT a FROM early",
			tables: "late, t0", cols: []string{"a = late.a"}},
		{name: "inner with shadows only inside", sql: chain + " SELECT (WITH c5 AS (SELECT z AS a FROM u) SELECT MAX(a) FROM c5) AS s, c5.a FROM c5",
			tables: "t0, u", cols: []string{"s = u.z", "a = t0.a"}},
		{name: "quoted and unquoted spellings match", d: Snowflake, sql: chain + `, "Daily" AS (SELECT a FROM c11) SELECT a FROM daily`,
			tables: "t0", cols: []string{"A = t0.a"}},
	})
}

func TestAnalyzeSubqueriesAndJoins(t *testing.T) {
	runCases(t, []lc{
		{name: "in subquery table", sql: "SELECT a FROM t WHERE k IN (SELECT k FROM u)", tables: "t, u", cols: []string{"a = t.a"}},
		{name: "exists correlated", sql: "SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.k = t.k)", tables: "t, u", cols: []string{"a = t.a"}},
		{name: "scalar subquery in select", sql: "SELECT (SELECT MAX(v) FROM u WHERE u.k = t.k) AS mx FROM t", tables: "t, u", cols: []string{"mx = u.v"}},
		{name: "correlated outer ref in select list", sql: "SELECT (SELECT t.a + MAX(u.v) FROM u) AS s FROM t", tables: "t, u", cols: []string{"s = t.a u.v"}},
		{name: "derived table", sql: "SELECT x.total FROM (SELECT SUM(amount) AS total FROM o) x", tables: "o", cols: []string{"total = o.amount"}},
		{name: "derived column list", sql: "SELECT q FROM (SELECT a FROM t) AS d(q)", tables: "t", cols: []string{"q = t.a"}},
		{name: "join condition subquery", sql: "SELECT t.a FROM t JOIN u ON u.k = t.k AND u.z IN (SELECT z FROM w)", tables: "t, u, w", cols: []string{"a = t.a"}},
		{name: "using and natural", sql: "SELECT t.a FROM t JOIN u USING (k) NATURAL JOIN v", tables: "t, u, v", cols: []string{"a = t.a"}},
		{name: "join kinds", sql: `SELECT a.x FROM a INNER JOIN b ON 1=1 LEFT OUTER JOIN c ON 1=1 RIGHT JOIN d ON 1=1
			FULL OUTER JOIN e ON 1=1 CROSS JOIN f, g`, tables: "a, b, c, d, e, f, g", cols: []string{"x = a.x"}},
		{name: "spark semi anti", d: Databricks, sql: "SELECT a.x FROM a LEFT SEMI JOIN b ON a.k = b.k LEFT ANTI JOIN c ON a.k = c.k", tables: "a, b, c", cols: []string{"x = a.x"}},
		{name: "parenthesised join", sql: "SELECT a.x FROM (a JOIN b ON a.k = b.k) LEFT JOIN c ON c.k = a.k", tables: "a, b, c", cols: []string{"x = a.x"}},
		{name: "lateral subquery", d: Postgres, sql: "SELECT l.v FROM t, LATERAL (SELECT t.a AS v FROM u WHERE u.k = t.k) l", tables: "t, u", cols: []string{"v = t.a"}},
		{name: "cross apply", d: TSQL, sql: "SELECT x.v FROM t CROSS APPLY (SELECT TOP 1 u.v FROM u WHERE u.k = t.k) x", tables: "t, u", cols: []string{"v = u.v"}},
		{name: "any all", sql: "SELECT a FROM t WHERE a > ALL (SELECT b FROM u) OR a = ANY (SELECT c FROM v)", tables: "t, u, v", cols: []string{"a = t.a"}},
		{name: "lateral alias reference", d: Snowflake, sql: "SELECT amount * 2 AS dbl, dbl + 1 AS plus FROM t", tables: "t", cols: []string{"DBL = t.amount", "PLUS = t.amount"}},
		{name: "asof join", d: Snowflake, sql: "SELECT t.a, q.p FROM t ASOF JOIN q MATCH_CONDITION (t.ts >= q.ts) ON t.s = q.s", tables: "q, t", cols: []string{"A = t.a", "P = q.p"}},
	})
}

func TestAnalyzeSetOps(t *testing.T) {
	runCases(t, []lc{
		{name: "union sources per position", sql: "SELECT a AS x, b FROM t UNION ALL SELECT c, d FROM u", tables: "t, u", cols: []string{"x = t.a u.c", "b = t.b u.d"}},
		{name: "parenthesised branches", sql: "(SELECT a FROM t) UNION (SELECT b FROM u) ORDER BY 1", tables: "t, u", cols: []string{"a = t.a u.b"}},
		{name: "intersect except minus", d: Snowflake, sql: "SELECT a FROM t INTERSECT SELECT a FROM u EXCEPT SELECT a FROM v MINUS SELECT a FROM w",
			tables: "t, u, v, w", cols: []string{"A = t.a u.a v.a w.a"}},
		{name: "union in cte", sql: "WITH c AS (SELECT a FROM t UNION SELECT b FROM u) SELECT a FROM c", tables: "t, u", cols: []string{"a = t.a u.b"}},
		{name: "values statement", d: Postgres, sql: "VALUES (1, 'a'), (2, 'b')", tables: "", cols: []string{"column1 =", "column2 ="}},
		{name: "values table", d: Postgres, sql: "SELECT v.x, t.y FROM (VALUES (1), (2)) AS v(x) JOIN t ON t.id = v.x", tables: "t", cols: []string{"x =", "y = t.y"}},
	})
}

// TestAnalyzeJoinColumns covers USING and NATURAL join columns: a bare join
// column reads the leftmost relation of the join that has it.
func TestAnalyzeJoinColumns(t *testing.T) {
	ctes := "WITH x AS (SELECT id, v FROM t1), y AS (SELECT id, w FROM t2) "
	runCases(t, []lc{
		{name: "using over tables", sql: "SELECT id, a.v, b.w FROM a JOIN b USING (id)", tables: "a, b", cols: []string{"id = a.id", "v = a.v", "w = b.w"}},
		{name: "using over ctes", sql: ctes + "SELECT id, v, w FROM x JOIN y USING (id)", tables: "t1, t2", cols: []string{"id = t1.id", "v = t1.v", "w = t2.w"}},
		{name: "using chain", d: Postgres, sql: "SELECT id FROM a LEFT JOIN b USING (id) FULL JOIN c USING (id)", tables: "a, b, c", cols: []string{"id = a.id"}},
		{name: "using several columns", d: Snowflake, sql: "SELECT k1, k2 FROM a JOIN b USING (k1, k2)", tables: "a, b", cols: []string{"K1 = a.k1", "K2 = a.k2"}},
		{name: "using beside a comma relation", sql: "SELECT id FROM t, a JOIN b USING (id)", tables: "a, b, t", cols: []string{"id = a.id"}},
		{name: "using left side is a cte without the column", sql: "WITH x AS (SELECT k FROM t1) SELECT id FROM x JOIN a ON x.k = a.k JOIN b USING (id)",
			tables: "a, b, t1", cols: []string{"id = a.id"}},
		{name: "using column in a correlated subquery", sql: "SELECT (SELECT MAX(z) FROM c WHERE c.k = id) AS m, id FROM a JOIN b USING (id)",
			tables: "a, b, c", cols: []string{"m = c.z", "id = a.id"}},
		{name: "other bare columns stay ambiguous", sql: "SELECT id, name FROM a JOIN b USING (id)", tables: "a, b", cols: []string{"id = a.id", "name ? a.name b.name"}, minConf: 0.9},
		{name: "natural over ctes", sql: ctes + "SELECT id, v, w FROM x NATURAL JOIN y", tables: "t1, t2", cols: []string{"id = t1.id", "v = t1.v", "w = t2.w"}},
		{name: "natural left join over derived", d: Postgres, sql: "SELECT id FROM (SELECT id FROM t1) x NATURAL LEFT JOIN (SELECT id, q FROM t2) y", tables: "t1, t2", cols: []string{"id = t1.id"}},
		{name: "natural with schema", schema: mapSchema{"a": {"id", "x"}, "b": {"id", "y"}}, sql: "SELECT id, x, y FROM a NATURAL JOIN b", tables: "a, b",
			cols: []string{"id = a.id", "x = a.x", "y = b.y"}},
		{name: "natural cte then unknown table", sql: "WITH x AS (SELECT id FROM t1) SELECT id FROM x NATURAL JOIN b", tables: "b, t1", cols: []string{"id = t1.id"}},
		// Without columns known on either side, whether a name is a join
		// column, or which side has it, is unknown: it stays ambiguous.
		// SELECT * returns each join column once, first, as the databases do.
		{name: "star over using join of ctes", d: Postgres, sql: ctes + "SELECT * FROM x JOIN y USING (id)", tables: "t1, t2", cols: []string{"id = t1.id", "v = t1.v", "w = t2.w"}},
		{name: "star over natural join of ctes", d: Snowflake, sql: "WITH x AS (SELECT v, id FROM t1), y AS (SELECT id, w, v FROM t2) SELECT * FROM x NATURAL JOIN y",
			tables: "t1, t2", cols: []string{"V = t1.v", "ID = t1.id", "W = t2.w"}},
		{name: "star over using chain", sql: ctes + ", z AS (SELECT id, q FROM t3) SELECT * FROM x JOIN y USING (id) LEFT JOIN z USING (id)",
			tables: "t1, t2, t3", cols: []string{"id = t1.id", "v = t1.v", "w = t2.w", "q = t3.q"}},
		{name: "star over using with a physical table", sql: "WITH x AS (SELECT id, v FROM t1) SELECT * FROM x JOIN b USING (id)",
			tables: "b, t1", cols: []string{"id = t1.id", "v = t1.v", "* = b.*"}},
		{name: "qualified star keeps the join column", sql: ctes + "SELECT y.* FROM x JOIN y USING (id)", tables: "t1, t2", cols: []string{"id = t2.id", "w = t2.w"}},
		{name: "natural over unknown tables stays ambiguous", sql: "SELECT user_id FROM a NATURAL JOIN b", tables: "a, b", cols: []string{"user_id ? a.user_id b.user_id"}, minConf: 0.9},
	})
}

func TestAnalyzeStatements(t *testing.T) {
	runCases(t, []lc{
		{name: "last select wins", sql: "SELECT a FROM t; SELECT b FROM u;", tables: "t, u", cols: []string{"b = u.b"}},
		{name: "ctas then read", sql: "CREATE TEMP TABLE tmp AS SELECT a, b AS bb FROM src; SELECT bb FROM tmp", tables: "src", cols: []string{"bb = src.b"}},
		{name: "create or replace transient", d: Snowflake, sql: "CREATE OR REPLACE TRANSIENT TABLE x.y AS (SELECT a FROM s); SELECT * FROM x.y", tables: "s", cols: []string{"A = s.a"}},
		{name: "select into temp", d: TSQL, sql: "SELECT a, b INTO #tmp FROM dbo.src\nSELECT t.b FROM #tmp t", tables: "dbo.src", cols: []string{"b = dbo.src.b"}},
		{name: "go separator", d: TSQL, sql: "SELECT a INTO #t FROM s\nGO\nSELECT a FROM #t", tables: "s", cols: []string{"a = s.a"}},
		{name: "insert into created table", sql: "CREATE TABLE tmp (x int, y text); INSERT INTO tmp SELECT a, b FROM s; SELECT y FROM tmp", tables: "s", cols: []string{"y = s.b"}},
		{name: "insert target not read", sql: "INSERT INTO target (a) SELECT a FROM s", tables: "s", cols: []string{}},
		{name: "harmless statements", d: Snowflake, sql: "USE WAREHOUSE wh; SET x = 1; ALTER SESSION SET TIMEZONE = 'UTC'; SELECT a FROM t", tables: "t", cols: []string{"A = t.a"}},
		{name: "declare with subquery", d: TSQL, sql: "DECLARE @m date = (SELECT MAX(d) FROM cal); SELECT a FROM t WHERE d = @m", tables: "cal, t", cols: []string{"a = t.a"}},
		{name: "update of a temp table adds lineage", d: TSQL, sql: "SELECT id, CAST(NULL AS int) AS score INTO #t FROM dbo.users\nUPDATE t SET score = s.value FROM #t t JOIN dbo.scores s ON s.user_id = t.id\nSELECT id, score FROM #t",
			tables: "dbo.scores, dbo.users", cols: []string{"id = dbo.users.id", "score = dbo.scores.value"}, minConf: 0.7},
		{name: "tsql insert batch without semicolons", d: TSQL, sql: "CREATE TABLE #t (a int)\nINSERT INTO #t SELECT x FROM dbo.s\nSELECT a FROM #t", tables: "dbo.s", cols: []string{"a = dbo.s.x"}},
		{name: "insert on conflict", d: Postgres, sql: "INSERT INTO t (a) SELECT a FROM s ON CONFLICT (a) DO UPDATE SET a = excluded.a; SELECT 1 AS one", tables: "s", cols: []string{"one ="}},
		{name: "update is best effort", sql: "UPDATE t SET a = u.b FROM u WHERE t.k = u.k", tables: "u", cols: []string{}, minConf: 0.7},
		{name: "delete using", d: Postgres, sql: "DELETE FROM t USING u WHERE t.k = u.k AND u.z IN (SELECT z FROM w)", tables: "u, w", cols: []string{}, minConf: 0.7},
		{name: "merge", d: Snowflake, sql: "MERGE INTO t USING (SELECT k, v FROM s) src ON t.k = src.k WHEN MATCHED THEN UPDATE SET v = src.v", tables: "s", cols: []string{}, minConf: 0.7},
		{name: "create view then read", sql: "CREATE VIEW v AS SELECT a FROM t; SELECT a FROM v", tables: "t", cols: []string{"a = t.a"}},
		{name: "unparseable statement", sql: "SELECT a FROM t; SELECT FROM WHERE; SELECT b FROM u", tables: "t, u", cols: []string{"b = u.b"}, minConf: 0.5},
		{name: "nothing parseable", sql: "SELECT (((", tables: "", cols: []string{}, zero: true},
		{name: "unknown statement", sql: "FROBNICATE the database; SELECT a FROM t", tables: "t", cols: []string{"a = t.a"}, minConf: 0.7},
		{name: "with insert", d: Postgres, sql: "WITH c AS (SELECT a FROM s) INSERT INTO tgt SELECT a FROM c", tables: "s", cols: []string{}},
		{name: "no row statement", sql: "CREATE TABLE x AS SELECT a FROM s", tables: "s", cols: []string{}},
		{name: "mysql select into variable returns no rows", d: MySQL, sql: "SELECT a FROM t; SELECT MAX(d) INTO @m FROM u; SELECT b FROM v WHERE d = @m LIMIT 1 INTO @b, @c",
			tables: "t, u, v", cols: []string{"a = t.a"}},
		{name: "mysql into outfile returns no rows", d: MySQL, sql: "SELECT a, b FROM t INTO OUTFILE '/tmp/x.csv' FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n'",
			tables: "t", cols: []string{}},
		{name: "mysql into outfile before from", d: MySQL, sql: "SELECT a INTO OUTFILE '/tmp/x' FROM t WHERE b > 1", tables: "t", cols: []string{}},
		{name: "mysql union into variable", d: MySQL, sql: "SELECT 1 AS one; SELECT a FROM t UNION SELECT a FROM u INTO @x", tables: "t, u", cols: []string{"one ="}},
		{name: "snowflake into colon variable", d: Snowflake, sql: "SELECT COUNT(*) INTO :n FROM t", tables: "t", cols: []string{}},
		{name: "tsql variable assignment returns no rows", d: TSQL, sql: "SELECT @total = SUM(amount), @n += 1 FROM dbo.orders\nSELECT @total AS total",
			tables: "dbo.orders", cols: []string{"total ="}},
		{name: "postgres select into temp still creates", d: Postgres, sql: "SELECT a INTO TEMP x FROM t; SELECT a FROM x", tables: "t", cols: []string{"a = t.a"}},
		{name: "redshift hash temp table", d: Redshift, sql: "DROP TABLE IF EXISTS #recent;\nCREATE TEMP TABLE #recent AS SELECT id, amt FROM dw.orders;\nSELECT r.id, SUM(r.amt) AS total FROM #recent r GROUP BY 1",
			tables: "dw.orders", cols: []string{"id = dw.orders.id", "total = dw.orders.amt"}},
		{name: "redshift select into hash table", d: Redshift, sql: "SELECT a INTO TEMP #x FROM s.t; SELECT a FROM #x", tables: "s.t", cols: []string{"a = s.t.a"}},
		{name: "snowflake slash comments", d: Snowflake, sql: "// daily totals\nWITH c AS (SELECT a FROM raw.t) // the CTE\nSELECT a FROM c // done",
			tables: "raw.t", cols: []string{"A = raw.t.a"}},
	})
}

// TestWarningsPointAtTheProblem checks that warnings locate problems by line
// and column, which a report author can find in Mode's editor.
func TestWarningsPointAtTheProblem(t *testing.T) {
	for _, tc := range []struct {
		name, sql, want string
	}{
		{"parse error", "SELECT a\nFROM t\nWHERE b = )", "statement 1 could not be parsed: line 3, column 11: unexpected \")\""},
		{"unterminated string", "SELECT 1;\nSELECT 'x", "tokenize: line 2, column 8: unterminated quoted text"},
		{"skipped arguments", "SELECT f(a BY b) AS x\nFROM t", "statement 1: arguments of f(…) at line 1, column 9 skipped: expected \")\", found \"BY\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Analyze(context.Background(), tc.sql, Options{})
			assert.Contains(t, res.Warnings, tc.want)
		})
	}
}
