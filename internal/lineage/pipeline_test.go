package lineage

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modecrawl/modecrawl/pkg/record"
)

func ptr[T any](v T) *T { return &v }

// workspace is a small Mode workspace: one data source per platform kind
// that matters for dialects and qualification, and a few definitions.
func workspace() ([]record.Definition, []record.DataSource) {
	defs := []record.Definition{
		{Name: "orders_clean", SQL: "SELECT * FROM raw.orders WHERE NOT is_test"},
		{Name: "paid", SQL: "SELECT o.id, o.amount FROM {{ @orders_clean AS o }} WHERE o.status = 'paid'"},
	}
	sources := []record.DataSource{
		{ID: 1, Adapter: "jdbc:snowflake", Platform: "snowflake", Database: ptr("ANALYTICS")},
		{ID: 2, Adapter: "jdbc:bigquery", Database: ptr("default"), Host: ptr("acme-prod")},
		{ID: 3, Adapter: "jdbc:postgresql", Database: ptr("shop")},
		{ID: 4, Adapter: "jdbc:oracle", Database: ptr("ORCL")},
		{ID: 5, Adapter: "jdbc:sqlserver", Database: ptr("Shop")},
	}
	return defs, sources
}

func TestAnalyzerQuery(t *testing.T) {
	defs, sources := workspace()
	a := NewAnalyzer(defs, sources, Options{Now: fixedNow})
	tests := []struct {
		name   string
		dsID   *int64
		sql    string
		expect func(t *testing.T, q *record.Query)
	}{
		{"snowflake definitions and form", ptr[int64](1), `SELECT p.id, p.amount AS total FROM {{ @paid AS p }} WHERE p.id > {{ min_id }}
{% form %}
min_id:
  type: number
  default: 10
{% endform %}`, func(t *testing.T, q *record.Query) {
			assert.Equal(t, "snowflake", q.Dialect)
			assert.Equal(t, []string{"orders_clean", "paid"}, q.DefinitionsUsed)
			assert.Equal(t, map[string]any{"min_id": 10}, q.Params)
			require.NotNil(t, q.RenderedSQL)
			assert.Contains(t, *q.RenderedSQL, "p.id > 10")
			assert.Equal(t, []record.Table{{Name: "raw.orders", Qualified: "ANALYTICS.raw.orders", Platform: "snowflake"}}, q.Tables)
			require.Len(t, q.Columns, 2)
			assert.Equal(t, "ID", q.Columns[0].Name)
			assert.Equal(t, []record.ColumnSource{{Table: "raw.orders", Column: "id"}}, q.Columns[0].Sources)
			assert.Equal(t, "TOTAL", q.Columns[1].Name)
			assert.Equal(t, []record.ColumnSource{{Table: "raw.orders", Column: "amount"}}, q.Columns[1].Sources)
			assert.InDelta(t, 1.0, *q.LineageConfidence, 1e-9)
		}},
		{"bigquery project from host", ptr[int64](2), "SELECT user_id FROM analytics.events", func(t *testing.T, q *record.Query) {
			assert.Equal(t, "bigquery", q.Dialect)
			assert.Equal(t, []record.Table{{Name: "analytics.events", Qualified: "acme-prod.analytics.events", Platform: "bigquery"}}, q.Tables)
		}},
		{"postgres public schema", ptr[int64](3), "SELECT id FROM orders", func(t *testing.T, q *record.Query) {
			assert.Equal(t, "postgres", q.Dialect)
			assert.Equal(t, []record.Table{{Name: "orders", Qualified: "shop.public.orders", Platform: "postgres"}}, q.Tables)
		}},
		{"tsql dbo schema", ptr[int64](5), "SELECT [Id] FROM [Orders]", func(t *testing.T, q *record.Query) {
			assert.Equal(t, "tsql", q.Dialect)
			assert.Equal(t, []record.Table{{Name: "Orders", Qualified: "Shop.dbo.Orders", Platform: "sqlserver"}}, q.Tables)
		}},
		{"oracle is generic with a warning", ptr[int64](4), "SELECT id FROM hr.employees", func(t *testing.T, q *record.Query) {
			assert.Equal(t, "generic", q.Dialect)
			assert.Contains(t, strings.Join(q.LineageWarnings, "\n"), "jdbc:oracle")
			assert.Equal(t, []record.Table{{Name: "hr.employees", Platform: "oracle"}}, q.Tables)
		}},
		{"deleted data source", ptr[int64](99), "SELECT id FROM t", func(t *testing.T, q *record.Query) {
			assert.Equal(t, "generic", q.Dialect)
			assert.Contains(t, strings.Join(q.LineageWarnings, "\n"), "data source 99 not found")
			assert.Len(t, q.Tables, 1)
		}},
		{"no data source", nil, "SELECT id FROM t", func(t *testing.T, q *record.Query) {
			assert.Equal(t, "generic", q.Dialect)
			assert.Contains(t, strings.Join(q.LineageWarnings, "\n"), "no data source")
		}},
		{"unknown definition caps confidence", ptr[int64](1), "SELECT x FROM {{ @nope AS n }}", func(t *testing.T, q *record.Query) {
			assert.Contains(t, strings.Join(q.LineageWarnings, "\n"), `unknown definition "nope"`)
			assert.LessOrEqual(t, *q.LineageConfidence, confidenceDegraded)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := &record.Query{Token: "q", RawSQL: tc.sql, DataSourceID: tc.dsID}
			a.Query(context.Background(), q)
			tc.expect(t, q)
		})
	}
}

func TestAnalyzerConcurrent(t *testing.T) {
	defs, sources := workspace()
	a := NewAnalyzer(defs, sources, Options{Now: fixedNow})
	sql := "SELECT p.id FROM {{ @paid AS p }} WHERE d > '{{ 'now' | date: '%Y-%m-%d' }}'"
	first := &record.Query{RawSQL: sql, DataSourceID: ptr[int64](1)}
	a.Query(context.Background(), first)
	var wg sync.WaitGroup
	results := make([]*record.Query, 32)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := &record.Query{RawSQL: sql, DataSourceID: ptr[int64](1)}
			a.Query(context.Background(), q)
			results[i] = q
		}()
	}
	wg.Wait()
	for _, q := range results {
		assert.Equal(t, first, q)
	}
}

func TestAnalyzeTimeLimit(t *testing.T) {
	sql, defs := bigTemplate(256 << 10)
	out := Analyze(context.Background(), Input{ID: "slow", Dialect: "snowflake", SQL: sql, Definitions: defs},
		Options{Timeout: time.Nanosecond, Now: fixedNow})
	assert.Zero(t, out.Confidence)
	assert.Contains(t, strings.Join(out.Warnings, "\n"), "time limit")
}

// panicSchema is a user-supplied schema that misbehaves.
type panicSchema struct{}

func (panicSchema) Columns(string) ([]string, bool) { panic("schema exploded") }

func TestAnalyzeNeverPanics(t *testing.T) {
	var out Output
	require.NotPanics(t, func() {
		out = Analyze(context.Background(), Input{ID: "p", Dialect: "snowflake", SQL: "SELECT * FROM a JOIN b ON a.id = b.id"},
			Options{Schema: panicSchema{}, Now: fixedNow})
	})
	assert.Equal(t, "p", out.ID)
}

func TestAnalyzeSchemaByQualifiedName(t *testing.T) {
	schema := NewSchema(map[string][]string{"ANALYTICS.RAW.ORDERS": {"id", "region"}, "raw.stores": {"store_id", "city"}})
	out := Analyze(context.Background(), Input{
		ID: "s", Dialect: "jdbc:snowflake", Database: "ANALYTICS",
		SQL: "SELECT region FROM raw.orders o JOIN raw.stores s ON s.store_id = o.id",
	}, Options{Schema: schema, Now: fixedNow})
	require.Len(t, out.Columns, 1)
	assert.False(t, out.Columns[0].Ambiguous, "the schema settles which table has region: %+v", out.Columns[0])
	assert.Equal(t, []record.ColumnSource{{Table: "raw.orders", Column: "region"}}, out.Columns[0].Sources)
}

func TestRunBatch(t *testing.T) {
	input := strings.Join([]string{
		`{"id":"a","dialect":"jdbc:snowflake","sql":"SELECT o.amount FROM {{ @oc AS o }}","definitions":{"oc":"SELECT * FROM raw.orders"}}`,
		`{"id":"b","dialect":"postgres","sql":"SELECT id FROM orders WHERE d = '{{ d }}'\n{% form %}\nd:\n  default: x\n{% endform %}","params":{"d":"2024-01-01"},"database":"shop"}`,
		``,
		`not json at all`,
		`{"id": 7, "sql": 3}`,
		`{"id":"c","dialect":"bigquery","sql":"SELECT region, amount FROM ds.a JOIN ds.b USING (id)","host":"proj"}`,
	}, "\n")
	var out bytes.Buffer
	stats, err := RunBatch(context.Background(), strings.NewReader(input), &out, Options{Now: fixedNow})
	require.NoError(t, err)
	assert.Equal(t, BatchStats{Lines: 5, BadLines: 2, WithWarnings: 3}, stats)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 5)
	var decoded []map[string]any
	for _, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		decoded = append(decoded, m)
	}
	assert.Equal(t, "7", decoded[3]["id"], "a bad line keeps the id it had")
	golden(t, "batch.golden.jsonl", out.String())
}

func TestRunBatchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	_, err := RunBatch(ctx, strings.NewReader(`{"id":"a","sql":"SELECT 1"}`), &out, Options{})
	require.ErrorIs(t, err, context.Canceled)
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, assert.AnError }

func TestRunBatchWriteError(t *testing.T) {
	_, err := RunBatch(context.Background(), strings.NewReader(`{"id":"a","sql":"SELECT 1"}`), failWriter{}, Options{})
	require.ErrorIs(t, err, assert.AnError)
}

func TestWriteHuman(t *testing.T) {
	out := Analyze(context.Background(), Input{
		ID: "revenue", Dialect: "jdbc:snowflake", Database: "ANALYTICS",
		SQL: `SELECT region, SUM(o.amount) AS revenue, COUNT(*) AS n
FROM {{ @orders_clean AS o }} JOIN sales.stores s ON s.id = o.store_id
WHERE o.day >= '{{ start }}' GROUP BY 1
{% form %}
start:
  type: date
  default: 2024-01-01
{% endform %}`,
		Definitions: map[string]string{"orders_clean": "SELECT * FROM raw.orders"},
	}, Options{Now: fixedNow})
	var b bytes.Buffer
	require.NoError(t, WriteHuman(&b, out))
	golden(t, "human.golden.txt", b.String())
	require.ErrorIs(t, WriteHuman(failWriter{}, out), assert.AnError)
}
