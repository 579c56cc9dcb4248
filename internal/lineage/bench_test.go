package lineage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkPipelineCorpus measures render + parse + resolve over the whole
// golden corpus, one query at a time on one goroutine (run it with -cpu 1).
// One benchmark iteration is one pass over the corpus, so -benchtime 20x
// analyses every entry 20 times. It reports throughput (queries/s) and the
// p50 and p99 latency of a single query, in microseconds, measured around
// each Analyze call, and queries per CPU-second of the process, which stays
// meaningful when other work competes for the machine. A warm-up pass before the timer fills the engine pool
// and the allocator caches, as a long crawl would have them.
func BenchmarkPipelineCorpus(b *testing.B) {
	entries := loadCorpus(b)
	if len(entries) == 0 {
		b.Skip("no corpus")
	}
	inputs := make([]Input, len(entries))
	opts := make([]Options, len(entries))
	for i, e := range entries {
		inputs[i], opts[i] = entryInput(e), entryOptions(e)
	}
	ctx := context.Background()
	for i := range inputs {
		Analyze(ctx, inputs[i], opts[i])
	}
	// Preallocated so recording a latency never allocates inside the loop.
	lat := make([]time.Duration, 0, b.N*len(inputs))
	var busy time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, cpuOK := processCPU()
	for range b.N {
		for i := range inputs {
			t0 := time.Now()
			Analyze(ctx, inputs[i], opts[i])
			d := time.Since(t0)
			busy += d
			lat = append(lat, d)
		}
	}
	cpu1, _ := processCPU()
	b.StopTimer()
	slices.Sort(lat)
	us := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))].Nanoseconds()) / 1e3
	}
	// Throughput is over the time spent inside Analyze, so the benchmark's
	// own bookkeeping is not counted against the pipeline.
	b.ReportMetric(float64(len(lat))/busy.Seconds(), "queries/s")
	b.ReportMetric(us(0.50), "p50_us")
	b.ReportMetric(us(0.99), "p99_us")
	b.ReportMetric(float64(busy.Nanoseconds())/float64(len(lat)), "ns/query")
	if cpuOK && cpu1 > cpu0 {
		// Queries per CPU-second: what one core sustains, unaffected by
		// other processes competing for the machine (run with -cpu 1).
		b.ReportMetric(float64(len(lat))/(cpu1-cpu0).Seconds(), "queries/cpu-s")
	}
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
