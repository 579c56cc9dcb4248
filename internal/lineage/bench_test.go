package lineage

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkPipelineCorpus measures render + parse + resolve over the whole
// corpus and reports throughput and the p99 latency of one query.
func BenchmarkPipelineCorpus(b *testing.B) {
	entries := loadCorpus(b)
	if len(entries) == 0 {
		b.Skip("no corpus")
	}
	inputs := make([]Input, len(entries))
	opts := make([]Options, len(entries))
	for i, e := range entries {
		inputs[i], opts[i] = e.input(), e.options()
	}
	lat := make([]time.Duration, 0, b.N*len(inputs))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		for i := range inputs {
			t0 := time.Now()
			Analyze(ctx, inputs[i], opts[i])
			lat = append(lat, time.Since(t0))
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p99 := lat[len(lat)*99/100]
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "queries/s")
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
	b.ReportMetric(0, "ns/op")
}

// bigTemplate builds a report query of about size bytes: definitions, a
// form, Liquid and a long CTE chain, the shape of the largest Mode reports.
func bigTemplate(size int) (string, map[string]string) {
	defs := map[string]string{"orders_clean": "SELECT * FROM raw.orders WHERE NOT is_test"}
	var b strings.Builder
	b.WriteString("WITH base AS (SELECT o.id, o.amount, o.region, o.created_at FROM {{ @orders_clean AS o }} WHERE o.created_at >= '{{ start }}')\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, ", step_%d AS (\n  SELECT id, amount * %d AS amount, region, created_at\n  FROM base\n  WHERE region IN ('{{ regions | join: \"','\" }}') {%% if detailed %%}AND amount > %d{%% endif %%}\n    AND id NOT IN (SELECT order_id FROM raw.refunds_%d WHERE reason <> 'test')\n)\n", i, i, i, i%50)
	}
	b.WriteString("SELECT region, SUM(amount) AS revenue FROM step_0 GROUP BY 1\n")
	b.WriteString("{% form %}\nstart:\n  type: date\n  default: 2024-01-01\nregions:\n  type: multiselect\n  default: [EU, US]\ndetailed:\n  default: true\n{% endform %}\n")
	return b.String(), defs
}

// BenchmarkPipeline1MB measures one 1 MB templated query through the whole
// pipeline.
func BenchmarkPipeline1MB(b *testing.B) {
	sql, defs := bigTemplate(1 << 20)
	in := Input{ID: "big", Dialect: "jdbc:snowflake", SQL: sql, Definitions: defs}
	opts := Options{Now: fixedNow, Timeout: time.Minute}
	b.SetBytes(int64(len(sql)))
	b.ReportAllocs()
	for b.Loop() {
		out := Analyze(context.Background(), in, opts)
		if out.Confidence == 0 {
			b.Fatalf("1 MB query not analysed: %v", out.Warnings)
		}
	}
}
