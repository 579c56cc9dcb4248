package sqllineage

import "testing"

// TestContractRulesOrder pins the column-order and name-scoping rules of
// docs/lineage.md: UNPIVOT and multi-aggregate BigQuery PIVOT order, names a
// FROM item declares itself, and star pass-through of created tables/views.
func TestContractRulesOrder(t *testing.T) {
	runCases(t, []lc{
		{name: "unpivot order", d: Snowflake, sql: "SELECT * FROM (SELECT dept, q1, q2 FROM fin.budget) UNPIVOT (amount FOR quarter IN (q1, q2))", tables: "fin.budget",
			cols: []string{"DEPT = fin.budget.dept", "QUARTER =", "AMOUNT = fin.budget.q1 fin.budget.q2"}},
		{name: "unpivot order tsql", d: TSQL, sql: "SELECT * FROM (SELECT dept, q1, q2 FROM dbo.budget) b UNPIVOT (amount FOR quarter IN (q1, q2)) u", tables: "dbo.budget",
			cols: []string{"dept = dbo.budget.dept", "quarter =", "amount = dbo.budget.q1 dbo.budget.q2"}},
		{name: "bigquery pivot several aggregates", d: BigQuery, sql: "SELECT * FROM (SELECT region, q, amount, n FROM ds.sales) PIVOT (SUM(amount) AS total, COUNT(n) AS cnt FOR q IN ('Q1', 'Q2' AS second))",
			tables: "ds.sales", cols: []string{"region = ds.sales.region", "total_Q1 = ds.sales.amount ds.sales.q", "cnt_Q1 = ds.sales.n ds.sales.q",
				"total_second = ds.sales.amount ds.sales.q", "cnt_second = ds.sales.n ds.sales.q"}},
		{name: "unnest alias beats physical", d: BigQuery, sql: "SELECT o.id, sku FROM ds.orders o, UNNEST(o.skus) AS sku", tables: "ds.orders",
			cols: []string{"id = ds.orders.id", "sku = ds.orders.skus"}},
		{name: "offset alias beats physical", d: BigQuery, sql: "SELECT pos, li.sku FROM ds.orders o, UNNEST(o.line_items) AS li WITH OFFSET AS pos", tables: "ds.orders",
			cols: []string{"pos = ds.orders.line_items", "sku = ds.orders.line_items"}},
		{name: "lateral view alias beats physical", d: Databricks, sql: "SELECT id, tag FROM s.t LATERAL VIEW explode(tags) x AS tag", tables: "s.t",
			cols: []string{"id = s.t.id", "tag = s.t.tags"}},
		{name: "values column list beats physical", d: Postgres, sql: "SELECT o.id, val, name FROM s.o o CROSS JOIN LATERAL (VALUES (o.a, 'a'), (o.b, 'b')) v(val, name)", tables: "s.o",
			cols: []string{"id = s.o.id", "val = s.o.a s.o.b", "name ="}},
		{name: "flatten value beats physical", d: Snowflake, sql: "SELECT o.id, value:sku::string AS sku, index FROM raw.orders o, LATERAL FLATTEN(input => o.items)", tables: "raw.orders",
			cols: []string{"ID = raw.orders.id", "SKU = raw.orders.items", "INDEX = raw.orders.items"}},
		{name: "temp view star passthrough", d: Snowflake, sql: "CREATE TEMP VIEW v AS SELECT * FROM crm.accounts WHERE NOT is_test; SELECT v.arr, region FROM v", tables: "crm.accounts",
			cols: []string{"ARR = crm.accounts.arr", "REGION = crm.accounts.region"}},
		{name: "ctas star passthrough", d: Postgres, sql: "CREATE TEMP TABLE x AS SELECT * FROM s.a; SELECT x.k, m FROM x", tables: "s.a",
			cols: []string{"k = s.a.k", "m = s.a.m"}},
		{name: "select into star passthrough", d: TSQL, sql: "SELECT * INTO #x FROM dbo.a; SELECT k FROM #x", tables: "dbo.a", cols: []string{"k = dbo.a.k"}},
		{name: "exists select 1 in case", sql: "SELECT CASE WHEN EXISTS (SELECT 1 FROM inv i WHERE i.a = o.a) THEN o.b ELSE 0 END AS e FROM o", tables: "inv, o", cols: []string{"e = o.b"}},
	})
}
